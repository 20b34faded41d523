"""What every channel shares: the Sender interface, the log channel, JSON over HTTP."""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from alerts.errors import ChannelError
from alerts.messages import Message

logger = logging.getLogger(__name__)

_CREDENTIALS = re.compile(r"([?&](?:access_token|key|sign|token|timestamp)=)[^&\s\"']+")


class _RedactQuery(logging.Filter):
    """httpx logs every request URL at INFO; robot tokens and signatures travel in the query,
    so they are masked before any handler sees the line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _CREDENTIALS.sub(r"\1***", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


logging.getLogger("httpx").addFilter(_RedactQuery())


class Sender:
    """One configured channel; `send` raises ChannelError on any failure."""

    def __init__(self, name: str, config: Any) -> None:
        self.name = name
        self.config = config

    def send(self, message: Message) -> None:
        raise NotImplementedError


class LogSender(Sender):
    """Writes the message to the log: operators see it in the crawl's output and log file."""

    def send(self, message: Message) -> None:
        logger.warning(
            "alert [%s] %s\n%s", message.route, message.title, message.text,
            extra={"alert_key": message.key},
        )


def safe_url(url: str) -> str:
    """url without its query and credentials (robot tokens travel in the query)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def post_json(
    channel: str,
    url: str,
    body: dict[str, Any],
    *,
    timeout: float,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST body as UTF-8 JSON; the parsed JSON answer (or None). ChannelError on failure.

    Errors name the channel and the URL without its query, never the token or signature.
    """
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    sent_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    where = safe_url(url)
    try:
        response = httpx.post(
            url, content=data, params=params, headers=sent_headers, timeout=timeout
        )
    except httpx.TimeoutException:
        raise ChannelError(channel, f"no answer from {where} within {timeout:g}s") from None
    except httpx.HTTPError as exc:
        # The exception text may hold the full URL: name only its type and the safe URL.
        raise ChannelError(channel, f"cannot reach {where}: {type(exc).__name__}") from None
    if response.status_code >= 400:
        retryable = response.status_code >= 500 or response.status_code in (408, 429)
        raise ChannelError(
            channel,
            f"{where} answered HTTP {response.status_code}: {response.text[:200]!r}",
            retryable=retryable,
        )
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None
