"""The alerts file (config/alerts.yaml or the `alerts_file` setting): channels and routes.

    channels:
      hook: {type: webhook, url: "http://127.0.0.1:9099/hook"}
    routes:
      - {name: every-flag, channels: [hook]}

A route without `match` takes every flagged finding; the default mode is immediate, one
message per finding. Secrets (SMTP password, robot tokens and signing secrets, webhook
signing secret and header values) are `${NAME}` references resolved from the environment
or from a secrets file outside the repository; a literal secret in the file is an error.
Every problem is reported with file, line and field. Documented in README.md "Alerts".
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from alerts.errors import AlertsConfigError, ConfigProblem
from alerts.secrets import REF as _REF
from alerts.secrets import SecretLookup, resolve_refs

# A pure YAML helper (values plus the line of each field), shared with the source files.
from crawlers.sources.yamlnodes import YamlSyntaxError, line_for, load_with_lines

__all__ = [
    "OPERATOR_ROUTE",
    "AlertsConfig",
    "Channel",
    "Route",
    "load_alerts_config",
]

GRADES = ("明显违反", "疑似", "提示")
FLAGGING = ("明显违反", "疑似")
OPERATOR_ROUTE = "operator"  # the implicit operator route when the file declares none
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _secret(value: str | None) -> str | None:
    """A secret field must be a ${NAME} reference: committed YAML never holds the value."""
    if value is not None and not _REF.fullmatch(value.strip()):
        raise ValueError(
            "secrets are not written in the alerts file: use a reference such as "
            "${FAIRWATCH_SECRET_NAME} and set it in the environment or the secrets file"
        )
    return value


SecretRef = Annotated[str, AfterValidator(_secret)]


class _ChannelBase(_Model):
    timeout: float = Field(10.0, gt=0, description="Seconds before a send is abandoned.")


class LogChannel(_ChannelBase):
    """Writes the message to the log (WARNING): the default, needs nothing outside."""

    type: Literal["log"]


class WebhookChannel(_ChannelBase):
    """POST of the JSON document alerts/webhook.schema.json describes."""

    type: Literal["webhook"]
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    secret: SecretRef | None = None  # HMAC-SHA256 of the body in X-Fairwatch-Signature


    @field_validator("headers")
    @classmethod
    def _headers_are_refs(cls, value: dict[str, str]) -> dict[str, str]:
        for name, header in value.items():
            # "Bearer ${TOKEN}" is fine: the credential part must be a reference.
            if name.lower() in {"authorization", "x-api-key", "x-token", "cookie"} and (
                not _REF.search(header)
            ):
                _secret(header)
        return value


class EmailChannel(_ChannelBase):
    """SMTP: plain, STARTTLS or implicit TLS (SMTPS)."""

    type: Literal["email"]
    host: str
    port: int | None = Field(None, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "starttls"
    username: str | None = None
    password: SecretRef | None = None
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    ca_file: str | None = None  # PEM of the CA of a server with a private certificate

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def resolved_port(self) -> int:
        return self.port or {"ssl": 465, "starttls": 587}.get(self.security, 25)


class DingTalkChannel(_ChannelBase):
    """DingTalk custom robot (钉钉自定义机器人), markdown; signed when `secret` is set."""

    type: Literal["dingtalk"]
    base_url: str = "https://oapi.dingtalk.com/robot/send"
    token: SecretRef  # access_token
    secret: SecretRef | None = None  # 加签 secret (SEC...)
    max_bytes: int = Field(20000, ge=500)



class WeComChannel(_ChannelBase):
    """WeCom group robot (企业微信群机器人), markdown content of at most 4096 bytes."""

    type: Literal["wecom"]
    base_url: str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    key: SecretRef
    max_bytes: int = Field(4096, ge=500, le=4096)



class FeishuChannel(_ChannelBase):
    """Feishu custom bot (飞书自定义机器人), rich-text post; signed when `secret` is set."""

    type: Literal["feishu"]
    base_url: str = "https://open.feishu.cn/open-apis/bot/v2/hook"
    token: SecretRef  # the hook id at the end of the webhook URL
    secret: SecretRef | None = None
    max_bytes: int = Field(20000, ge=500, le=20000)  # Feishu refuses requests over 20 KB



Channel = Annotated[
    LogChannel | WebhookChannel | EmailChannel | DingTalkChannel | WeComChannel | FeishuChannel,
    Field(discriminator="type"),
]
CHANNEL_TYPES = ("log", "webhook", "email", "dingtalk", "wecom", "feishu")


class Match(_Model):
    """Every listed condition must hold; a list means any of its values."""

    kind: list[Literal["policy", "ad"]] | None = None
    standard: list[str] | None = None  # ids or prefixes: FC-8 matches FC-8-3
    grade: list[Literal["明显违反", "疑似", "提示"]] | None = None
    source: list[str] | None = None
    region: list[str] | None = None
    platform: list[str] | None = None
    keyword: list[str] | None = None  # in the title or the quoted clause

    @model_validator(mode="before")
    @classmethod
    def _lists(cls, data: Any) -> Any:
        # `kind: policy` is as good as `kind: [policy]`.
        if isinstance(data, dict):
            return {k: [v] if isinstance(v, str) else v for k, v in data.items()}
        return data


class Digest(_Model):
    every: Literal["hourly", "daily"] = "daily"
    at: str = "08:30"  # daily: local time the digest goes out; hourly: minute past the hour

    @field_validator("at")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"expected HH:MM (24-hour), received {value!r}")
        return value


class Route(_Model):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    channels: list[str] = Field(min_length=1)
    match: Match = Field(default_factory=Match)
    mode: Literal["immediate", "digest"] = "immediate"
    per: Literal["finding", "document"] = "finding"
    digest: Digest = Field(default_factory=Digest)
    quiet_hours: str | None = None  # "22:00-07:00": held until the end, local time
    operator: bool = False  # receives operator alerts (crawl failures, channels giving up)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = value.split("-")
        if len(parts) != 2 or not all(_HHMM.match(p.strip()) for p in parts):
            raise ValueError(f"expected HH:MM-HH:MM, received {value!r}")
        return value

    def quiet_span(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        if not self.quiet_hours:
            return None
        start, end = (p.strip() for p in self.quiet_hours.split("-"))
        return (int(start[:2]), int(start[3:])), (int(end[:2]), int(end[3:]))


class _File(_Model):
    timezone: str = "Asia/Shanghai"
    channels: dict[str, Channel] = Field(default_factory=dict)
    routes: list[Route] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


@dataclass
class AlertsConfig:
    """The validated alerts file with its secrets resolved; `secrets` feeds the redactor."""

    path: Path | None
    timezone: str
    channels: dict[str, Any]
    routes: list[Route]
    secrets: set[str] = field(default_factory=set)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def finding_routes(self) -> list[Route]:
        return [r for r in self.routes if not r.operator]

    def operator_routes(self) -> list[Route]:
        declared = [r for r in self.routes if r.operator]
        # With no operator route, operator alerts still reach the outbox and the log.
        return declared or [Route(name=OPERATOR_ROUTE, channels=["log"], operator=True)]

    def channel(self, name: str) -> Any:
        if name == "log" and name not in self.channels:
            return LogChannel(type="log")
        return self.channels[name]

    def route(self, name: str) -> Route:
        from alerts.errors import UnknownRoute

        for route in [*self.routes, *self.operator_routes()]:
            if route.name == name:
                return route
        raise UnknownRoute(name, [r.name for r in self.routes])

    def redact(self, text: str) -> str:
        """text with every resolved secret replaced by ***."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret:
                text = text.replace(secret, "***")
        return text


def empty_config() -> AlertsConfig:
    """No file: no finding routes, operator alerts to the log."""
    return AlertsConfig(path=None, timezone="Asia/Shanghai", channels={}, routes=[])


def load_alerts_config(
    path: Path, *, secrets_file: Path | None = None, environ: dict[str, str] | None = None
) -> AlertsConfig:
    """Validate the alerts file and resolve its ${NAME} references; AlertsConfigError lists
    every problem (file, line, field). A missing file means no alerts (operator to the log)."""
    if not path.exists():
        return AlertsConfig(path=path, timezone="Asia/Shanghai", channels={}, routes=[])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AlertsConfigError(
            path, [ConfigProblem(path, None, "", f"cannot read: {exc}")]
        ) from exc
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as exc:
        raise AlertsConfigError(path, [ConfigProblem(path, exc.line, "", str(exc))]) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AlertsConfigError(
            path,
            [ConfigProblem(path, 1, "", f"expected a mapping, received {type(data).__name__}")],
        )
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        problems = sorted(
            (_problem(path, err, lines) for err in exc.errors()), key=lambda p: p.line or 0
        )
        raise AlertsConfigError(path, problems) from exc
    problems = _cross_checks(path, parsed, lines)
    env = dict(os.environ if environ is None else environ)
    secrets: set[str] = set()
    channels: dict[str, Any] = {}
    lookup = SecretLookup(env, secrets_file)
    for name, channel in parsed.channels.items():
        values: dict[str, Any] = {}
        for key, value in channel.model_dump().items():
            loc = ("channels", name, "from" if key == "sender" else key)
            values[key] = resolve_refs(value, lookup, path, lines, loc, problems)
        # Not validated again: resolved secrets are values, no longer ${NAME} references.
        channels[name] = channel.model_copy(update=values)
    problems.extend(lookup.problems)
    if problems:
        raise AlertsConfigError(path, sorted(problems, key=lambda p: p.line or 0))
    secrets |= lookup.used
    return AlertsConfig(
        path=path,
        timezone=parsed.timezone,
        channels=channels,
        routes=list(parsed.routes),
        secrets=secrets,
    )


def _cross_checks(path: Path, parsed: _File, lines: dict) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    seen: set[str] = set()
    for n, route in enumerate(parsed.routes):
        if route.name in seen:
            problems.append(
                ConfigProblem(
                    path, line_for(lines, ("routes", n, "name")), f"routes.{n}.name",
                    f"route name {route.name!r} is used twice",
                )
            )
        seen.add(route.name)
        for m, channel in enumerate(route.channels):
            if channel not in parsed.channels and channel != "log":
                problems.append(
                    ConfigProblem(
                        path,
                        line_for(lines, ("routes", n, "channels", m)),
                        f"routes.{n}.channels.{m}",
                        f"no channel named {channel!r} (channels: "
                        f"{', '.join(parsed.channels) or 'none'})",
                    )
                )
    return problems


def _problem(path: Path, err: Any, lines: dict) -> ConfigProblem:
    loc = tuple(err["loc"])
    # Drop the discriminator tag pydantic inserts into channel locations (channels.x.webhook.url).
    if len(loc) >= 3 and loc[0] == "channels" and loc[2] in CHANNEL_TYPES:
        loc = loc[:2] + loc[3:]
    field_path = ".".join(str(p) for p in loc)
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown field (check the spelling)"
    elif err["type"] == "missing":
        message = "required field is missing"
    elif err["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    elif err["type"] == "union_tag_invalid":
        message = f"unknown channel type; expected one of {', '.join(CHANNEL_TYPES)}"
    elif err["type"] == "union_tag_not_found":
        message = f"a channel needs a type: one of {', '.join(CHANNEL_TYPES)}"
    elif "input" in err and not isinstance(err["input"], dict | list) and not _is_secret(loc):
        message = f"{message}; received {err['input']!r}"
    return ConfigProblem(path, line_for(lines, loc), field_path, message)


def _is_secret(loc: tuple) -> bool:
    return bool(loc) and str(loc[-1]) in {"password", "token", "secret", "key"}
