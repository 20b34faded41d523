"""Which routes a finding goes to, when it is due, and the identity that makes it unique.

The identity of a finding is what stays the same when a page is crawled again or gets a
new version that still contains the clause: source, URL, standard, rule and the quoted
clause with whitespace and full-width forms normalised. The outbox's unique constraint on
(route, channel, identity) is what makes delivery exactly once per finding per route.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.config import FLAGGING, Route

__all__ = ["due_time", "finding_identity", "group_key", "matches"]

_SPACE = re.compile(r"\s+")


def finding_identity(source_id: str, url: str, standard: str, rule: str, quote: str) -> str:
    """SHA-256 (hex) of the finding's stable parts."""
    clause = _SPACE.sub("", unicodedata.normalize("NFKC", quote))
    text = "\x1f".join((source_id, url, standard, rule, clause))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def matches(route: Route, item: dict[str, Any]) -> bool:
    """True if the finding (an outbox payload) passes every condition of the route.

    Without a grade condition only flagged findings (明显违反, 疑似) are sent: 提示 is a hint,
    not a flag, and goes only to routes that ask for it.
    """
    m = route.match
    if item.get("grade") not in (m.grade or FLAGGING):
        return False
    if m.kind and item.get("kind") not in m.kind:
        return False
    if m.standard and not any(_standard_matches(item.get("standard", ""), s) for s in m.standard):
        return False
    if m.source and item.get("source_id") not in m.source:
        return False
    if m.region and not any(r and r in (item.get("region") or "") for r in m.region):
        return False
    if m.platform and item.get("platform") not in m.platform:
        return False
    if m.keyword:
        haystack = f"{item.get('title') or ''}\n{item.get('quote') or ''}"
        if not any(k in haystack for k in m.keyword):
            return False
    return True


def _standard_matches(standard: str, wanted: str) -> bool:
    # FC-8 covers FC-8-3 but not FC-80: a prefix ends at a dash.
    return standard == wanted or standard.startswith(f"{wanted}-")


def group_key(route: Route, identity: str, version_id: int | None, due: datetime) -> str:
    """Rows with the same group key (per route and channel) go out as one message."""
    if route.mode == "digest":
        return f"digest:{due.astimezone(UTC).strftime('%Y-%m-%dT%H:%MZ')}"
    if route.per == "document" and version_id is not None:
        return f"version:{version_id}"
    return f"finding:{identity}"


def due_time(route: Route, now: datetime, zone: Any) -> datetime:
    """When a row queued now may go out: the end of its digest window, after quiet hours."""
    local = now.astimezone(zone)
    if route.mode == "digest":
        hour, minute = int(route.digest.at[:2]), int(route.digest.at[3:])
        if route.digest.every == "hourly":
            due = local.replace(minute=minute, second=0, microsecond=0)
            if due <= local:
                due += timedelta(hours=1)
        else:
            due = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if due <= local:
                due += timedelta(days=1)
        local = due
    span = route.quiet_span()
    if span is not None:
        local = _after_quiet(local, span)
    return local.astimezone(UTC)


def _after_quiet(local: datetime, span: tuple[tuple[int, int], tuple[int, int]]) -> datetime:
    (sh, sm), (eh, em) = span
    minutes = local.hour * 60 + local.minute
    start, end = sh * 60 + sm, eh * 60 + em
    if start == end:
        return local
    inside = start <= minutes < end if start < end else (minutes >= start or minutes < end)
    if not inside:
        return local
    release = local.replace(hour=eh, minute=em, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    return release
