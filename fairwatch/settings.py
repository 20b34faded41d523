"""Application settings: config/settings.yaml, overridden by FAIRWATCH_* environment variables.

Each setting is declared once below with its default and help. Unknown keys in the YAML
file and values of the wrong type are start-up errors that name the file and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = REPO_ROOT / "config"


class ConfigError(Exception):
    """Configuration that cannot be used; the message names the file and the field."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAIRWATCH_", extra="forbid")

    config_dir: Path = Field(
        DEFAULT_CONFIG_DIR, description="Folder holding settings.yaml, sources/, rules/."
    )
    data_dir: Path = Field(
        Path("data"), description="Where the SQLite database, index, evidence and logs live."
    )
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in data_dir.")
    search_url: str = Field(
        "",
        description=(
            "Empty: embedded SQLite FTS5 index; http(s) URL: Elasticsearch "
            "(several nodes of a cluster: URLs separated by commas)."
        ),
    )
    log_level: str = Field("INFO", description="Logging level: DEBUG, INFO, WARNING, ERROR.")
    # -- crawling (FAIRWATCH_CRAWL_*) ---------------------------------------------------
    crawl_sources_dir: Path | None = Field(
        None, description="Folder of source files; empty means config_dir/sources."
    )
    crawl_site_url: str = Field(
        "", description="Value of the {site} placeholder in source URLs (the fixture site)."
    )
    crawl_progress_interval: float = Field(
        10.0, ge=0, description="Seconds between crawl progress lines; 0 turns them off."
    )
    crawl_index_batch: int = Field(
        50, ge=1, description="Documents indexed per batch during a crawl (1: one at a time)."
    )
    crawl_store_process: bool = Field(
        True,
        description="Store, analyze and index a policy crawl's pages in a process of their own"
        " (false: in a thread of the crawl's process).",
    )
    crawl_retry_backoff: float = Field(
        1.0, ge=0, description="Seconds before the first retry of a failed page; doubles per retry."
    )
    crawl_backfill_max_pages: int = Field(
        10_000,
        ge=1,
        description="List pages a backfill (whole-archive) run may follow, per start URL.",
    )
    # -- media (FAIRWATCH_MEDIA_*) --------------------------------------------------------
    media_engine: str = Field(
        "rapidocr", pattern="^(rapidocr|tesseract)$",
        description="OCR engine for images and keyframes: rapidocr or tesseract.",
    )
    media_workers: int = Field(2, ge=1, description="Documents read by the media stage at once.")
    media_time_limit: float = Field(
        300.0, gt=0, description="Seconds of media work for one document before it is cut off."
    )
    media_max_mb: float = Field(
        200.0, gt=0, description="Largest image or video the media stage fetches or reads (MB)."
    )
    media_speech_url: str = Field(
        "", description="Speech-recognition server speaking the whisper.cpp server protocol "
        "(POST /inference); empty: no transcripts.",
    )
    media_progress_interval: float = Field(
        10.0, ge=0, description="Seconds between media stage progress lines; 0 turns them off."
    )
    # -- alerts (FAIRWATCH_ALERTS_*) ------------------------------------------------------
    alerts_file: Path | None = Field(
        None, description="Alert routes and channels; empty means config_dir/alerts.yaml."
    )
    alerts_secrets_file: Path | None = Field(
        None,
        description="NAME=VALUE lines outside the repository that ${NAME} in the alerts file "
        "may refer to (the environment is read first).",
    )
    alerts_max_attempts: int = Field(
        8, ge=1, description="Sends of one alert before it is marked failed (operator alerted)."
    )
    alerts_backoff_base: float = Field(
        30.0, ge=0, description="Seconds before the first retry of an alert; doubles per retry."
    )
    alerts_backoff_max: float = Field(
        3600.0, ge=0, description="Longest wait in seconds between two sends of one alert."
    )
    alerts_backoff_jitter: float = Field(
        0.5, ge=0, le=1, description="A retry waits between (1 - jitter) and 1 times the backoff."
    )
    alerts_claim_timeout: float = Field(
        300.0,
        gt=0,
        description="Seconds after which an alert claimed by a process that died is sent again.",
    )
    alerts_batch: int = Field(200, ge=1, description="Alert groups sent per delivery pass.")
    alerts_progress_interval: float = Field(
        10.0, ge=0, description="Seconds between progress lines while alerts are delivered."
    )
    alerts_deliver: bool = Field(
        True, description="Deliver due alerts at the end of `fairwatch crawl` and `demo`."
    )
    console_url: str = Field(
        "", description="Base URL of the web console; alert links point there when set."
    )
    # -- distributed crawling (FAIRWATCH_REDIS_*, FAIRWATCH_WORKER_*) ---------------------
    crawl_distributed: bool = Field(
        False,
        description="Scheduled crawls of `fairwatch run` push their start pages to Redis for "
        "`fairwatch worker` processes instead of crawling in the service's machine.",
    )
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        description="Redis holding the shared crawl queue, duplicate filter and domain leases.",
    )
    redis_prefix: str = Field(
        "fairwatch", min_length=1, description="Prefix of every Redis key of this deployment."
    )
    redis_ttl: float = Field(
        30.0,
        gt=0,
        description="Seconds a worker's heartbeat lasts; the pages of a worker silent this long "
        "go back to the queue for the others.",
    )
    redis_lease_ttl: float = Field(
        90.0,
        gt=0,
        description="Seconds a domain lease of a dead worker blocks its slot (over the download "
        "timeout).",
    )
    worker_concurrency: int = Field(
        16, ge=1, le=512, description="Requests one worker has in flight at most (all domains)."
    )
    # -- the `fairwatch run` service (FAIRWATCH_SERVICE_*) ----------------------------------
    service_timezone: str = Field(
        "Asia/Shanghai", description="Time zone of source schedules that name none."
    )
    service_misfire_grace: float = Field(
        3600.0,
        ge=1,
        description="Seconds a scheduled run may start late (service down, all workers busy) "
        "and still run; later it is reported as missed instead.",
    )
    service_coalesce: bool = Field(
        True, description="Several missed run times of one source run once, not once each."
    )
    service_max_crawls: int = Field(2, ge=1, le=64, description="Crawls running at the same time.")
    service_crawl_timeout: float = Field(
        6 * 3600.0, gt=0, description="Seconds a crawl may take; past it, killed and timed_out."
    )
    service_stop_grace: float = Field(
        60.0, ge=0, description="On SIGTERM, seconds running crawls get to finish before stopping."
    )
    service_lease_seconds: float = Field(
        30.0,
        gt=0,
        description="Leader lease: a standby takes over this long after the leader dies.",
    )
    service_lease_renew: float = Field(
        10.0, gt=0, description="Seconds between lease renewals (well under service_lease_seconds)."
    )
    service_alerts_interval: float = Field(
        15.0,
        gt=0,
        description="Seconds between alert deliveries by the leader of `fairwatch run` (retries "
        "with backoff and digests at their time go out within this).",
    )
    service_health_failures: int = Field(
        3, ge=1, description="Consecutive failed or timed-out runs that raise an operator alert."
    )
    service_health_quiet_runs: int = Field(
        3, ge=1, description="Runs in a row with no new item before 'stopped yielding' is judged."
    )
    service_health_min_expected: float = Field(
        3.0,
        gt=0,
        description="'Stopped yielding' needs the source's usual yield over those runs to be at "
        "least this many new items, so a quiet source is not flagged.",
    )
    # -- the web console (FAIRWATCH_CONSOLE_*) ----------------------------------------------
    console_host: str = Field("127.0.0.1", description="Address `fairwatch serve` listens on.")
    console_port: int = Field(8000, ge=0, le=65535, description="Port of `fairwatch serve`.")
    console_session_hours: float = Field(
        8.0, gt=0, description="Hours a console login lasts before it must be made again."
    )
    console_login_max_failures: int = Field(
        5, ge=1, description="Failed logins for one account name within the window before "
        "further attempts are refused (a client address gets four times as many)."
    )
    console_login_window: float = Field(
        900.0, gt=0, description="Seconds over which failed console logins are counted."
    )
    console_secure_cookies: bool = Field(
        False, description="Mark the session cookie Secure (set when served over https)."
    )
    # -- Elasticsearch, when search_url is an http(s) URL (FAIRWATCH_ES_*) ----------------
    es_index_prefix: str = Field(
        "fairwatch", description="Alias of the index; versioned indices are <prefix>-v<N>."
    )
    es_username: str = Field("", description="User for HTTP basic auth; empty: none.")
    es_password: str = Field("", description="Password of es_username.")
    es_ca_certs: str = Field("", description="CA bundle (PEM) for https; empty: system CAs.")
    es_verify_certs: bool = Field(True, description="Verify the cluster's TLS certificate.")
    es_shards: int = Field(1, ge=1, description="Primary shards of each new index.")
    es_replicas: int = Field(
        0, ge=0, description="Replicas of each new index (0 for one node; 1+ on a cluster)."
    )
    es_bulk_senders: int = Field(
        2, ge=1, description="Bulk requests in flight at once (about the data nodes' cores)."
    )

    @property
    def sources_dir(self) -> Path:
        return self.crawl_sources_dir or self.config_dir / "sources"

    @property
    def rules_dir(self) -> Path:
        return self.config_dir / "rules"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'fairwatch.db').resolve()}"


def load_settings(config_dir: Path | None = None, **overrides: Any) -> Settings:
    """Read settings.yaml from config_dir (or FAIRWATCH_CONFIG_DIR), then apply the environment.

    Environment variables win over the file; explicit keyword overrides win over both.
    """
    import os

    config_dir = Path(config_dir or os.environ.get("FAIRWATCH_CONFIG_DIR") or DEFAULT_CONFIG_DIR)
    path = config_dir / "settings.yaml"
    file_values: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(
                f"{path}: expected a mapping of settings, got {type(loaded).__name__}"
            )
        file_values = loaded
    env_keys = {k[len("FAIRWATCH_") :].lower() for k in os.environ if k.startswith("FAIRWATCH_")}
    values = {k: v for k, v in file_values.items() if k not in env_keys}
    values.update(overrides)
    values.setdefault("config_dir", config_dir)
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']} (got {err.get('input')!r})"
            for err in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from exc
