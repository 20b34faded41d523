"""Source health from each source's own run history, and the detectors that alert on it.

Figures (over the last `HISTORY` finished runs): last success, error rate (failed or
timed-out runs / finished runs), new items per run (incremental and single runs only: a
backfill fetches the whole archive and would inflate it).

Detectors, each raising one operator alert per episode (its dedup key names the last
healthy run before the episode, so the alert fires once and again only after a recovery):

- `source_failing`: the last `service_health_failures` runs all failed or timed out;
- `source_quiet`: the last `service_health_quiet_runs` runs found no new item while the
  source's usual yield over that many runs is at least `service_health_min_expected`;
- `layout_changed`: the last run's list pages all yielded no detail link, or most of its
  detail pages had an empty extracted body, where earlier runs found links and text;
- `run_missed` and `run_timed_out` are raised by the scheduler and the runner.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from fairwatch.operator import notify_operator
from fairwatch.settings import Settings
from storage.db import Database
from storage.models import utcnow
from storage.repository import runs as runs_repo
from storage.repository.views import RunInfo

logger = logging.getLogger(__name__)

HISTORY = 50
FAILED = ("failed", "timed_out")
FINISHED = ("succeeded", "partial", "failed", "timed_out")
# A detail page counts toward "layout changed" when at least this share had no body.
EMPTY_BODY_SHARE = 0.5
MIN_DETAIL_PAGES = 3


@dataclass
class Health:
    source_id: str
    runs: int = 0
    last_run: RunInfo | None = None
    last_success_at: datetime | None = None
    error_rate: float | None = None
    new_per_run: float | None = None
    new_7d: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.last_run is None:
            return "never run"
        return ", ".join(self.problems) if self.problems else "ok"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["last_run"] = None
        if self.last_run is not None:
            data["last_run"] = {
                "id": self.last_run.id,
                "status": self.last_run.status,
                "started_at": self.last_run.started_at.isoformat(),
                "finished_at": (
                    self.last_run.finished_at.isoformat() if self.last_run.finished_at else None
                ),
                "mode": self.last_run.mode,
                "new": self.last_run.items_new,
                "pages": self.last_run.pages,
                "reason": self.last_run.reason,
            }
        data["last_success_at"] = self.last_success_at.isoformat() if self.last_success_at else None
        data["health"] = self.label
        return data


def _counts(run: RunInfo, key: str) -> int:
    value = run.counts.get(f"fairwatch/{key}", 0)
    return value if isinstance(value, int) else 0


def list_layout_broken(run: RunInfo) -> bool:
    fetched = _counts(run, "list_pages_fetched")
    return fetched > 0 and _counts(run, "list_pages_empty") >= fetched


def detail_layout_broken(run: RunInfo) -> bool:
    fetched = _counts(run, "detail_pages_fetched")
    empty = _counts(run, "drop_reason/empty_body")
    return fetched >= MIN_DETAIL_PAGES and empty >= EMPTY_BODY_SHARE * fetched


def evaluate(db: Database, source_id: str, settings: Settings) -> tuple[Health, list[dict]]:
    """The source's health and the alerts its history calls for (not yet sent)."""
    history = runs_repo.list_runs(db, source_id=source_id, limit=HISTORY)  # newest first
    health = Health(source_id=source_id, runs=len(history))
    if not history:
        return health, []
    health.last_run = history[0]
    finished = [r for r in history if r.status in FINISHED]
    good = [r for r in finished if r.status in ("succeeded", "partial")]
    health.last_success_at = good[0].finished_at if good else None
    if finished:
        health.error_rate = round(sum(r.status in FAILED for r in finished) / len(finished), 3)
    yielding = [r for r in good if r.mode != "backfill"]
    if yielding:
        health.new_per_run = round(sum(r.items_new for r in yielding) / len(yielding), 2)
    week_ago = utcnow() - timedelta(days=7)
    health.new_7d = sum(r.items_new for r in history if r.started_at >= week_ago)

    alerts = []
    alerts += _failing(source_id, finished, settings)
    alerts += _quiet(source_id, good, settings)
    alerts += _layout(source_id, good)
    health.problems = [a["kind"] for a in alerts]
    return health, alerts


def _episode(runs: list[RunInfo], bad: int) -> str:
    """The id of the last run before the `bad` newest ones ('start' if none)."""
    return str(runs[bad].id) if len(runs) > bad else "start"


def _failing(source_id: str, finished: list[RunInfo], settings: Settings) -> list[dict]:
    n = settings.service_health_failures
    streak = 0
    for run in finished:
        if run.status not in FAILED:
            break
        streak += 1
    if streak < n:
        return []
    last = finished[0]
    return [
        {
            "kind": "source_failing",
            "message": f"{source_id}: the last {streak} runs failed; latest (run {last.id}, "
            f"{last.status}): {last.reason or 'no reason recorded'}",
            "dedup_key": f"source_failing:{source_id}:after:{_episode(finished, streak)}",
            "details": {"failed_runs": [r.id for r in finished[:streak]], "reason": last.reason},
        }
    ]


def _quiet(source_id: str, good: list[RunInfo], settings: Settings) -> list[dict]:
    k = settings.service_health_quiet_runs
    quiet = 0
    for run in good:
        if run.items_new or run.items_changed:
            break
        quiet += 1
    if quiet < k:
        return []
    # The usual yield is that of the runs before the quiet streak (backfills excepted).
    baseline = [r for r in good[quiet:] if r.mode != "backfill"]
    if not baseline:
        return []
    usual = sum(r.items_new for r in baseline) / len(baseline)
    if usual * k < settings.service_health_min_expected:
        return []  # a quiet source: zero new items over k runs is nothing unusual
    return [
        {
            "kind": "source_quiet",
            "message": f"{source_id}: no new item in the last {quiet} runs, where it usually "
            f"yields {usual:.1f} per run; check that the site still publishes there",
            "dedup_key": f"source_quiet:{source_id}:after:{_episode(good, quiet)}",
            "details": {"quiet_runs": quiet, "usual_new_per_run": round(usual, 2)},
        }
    ]


def _layout(source_id: str, good: list[RunInfo]) -> list[dict]:
    alerts = []
    for check, what, earlier_ok in (
        (
            list_layout_broken,
            "its list pages yield no detail links",
            lambda r: _counts(r, "details_scheduled") > 0,
        ),
        (
            detail_layout_broken,
            "most detail pages have an empty extracted body",
            lambda r: _counts(r, "detail_pages_fetched") > _counts(r, "drop_reason/empty_body"),
        ),
    ):
        if not good or not check(good[0]):
            continue
        broken = 0
        for run in good:
            if not check(run):
                break
            broken += 1
        if not any(earlier_ok(r) for r in good[broken:]):
            continue  # never worked: a source-file problem, not a change of the site
        run = good[0]
        alerts.append(
            {
                "kind": "layout_changed",
                "message": f"{source_id}: {what} since run {run.id} (earlier runs found them): "
                "the site's layout probably changed; check the source file's selectors",
                "dedup_key": f"layout_changed:{check.__name__}:{source_id}:after:"
                f"{_episode(good, broken)}",
                "details": {"run_id": run.id, "check": check.__name__},
            }
        )
    return alerts


def check_source(db: Database, source_id: str, settings: Settings) -> Health:
    """Evaluate the source and send the operator alerts it calls for (each once)."""
    health, alerts = evaluate(db, source_id, settings)
    for alert in alerts:
        notify_operator(db, source_id=source_id, **alert)
    return health
