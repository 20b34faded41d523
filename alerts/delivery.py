"""The delivery worker: claim due outbox rows, send them, retry with backoff, give up loudly.

    report = deliver_due(db, config, policy=DeliveryPolicy.from_settings(settings))

Rows that go out together (a digest window, a document in `per: document` mode) share a
group key and are claimed, sent and marked together. A send failure reschedules the group
after base * 2**(attempt-1) seconds (capped, with random jitter so that many failed rows
do not all come back at once); after the last attempt the rows are marked failed and an
operator alert is queued. Delivery is at least once at the channel boundary: a process
killed after the channel accepted a message and before the row was marked sent sends it
again once its claim expires (receivers can de-duplicate on the message key). Rows marked
sent are never sent again.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from alerts import outbox
from alerts.channels import build_sender
from alerts.config import AlertsConfig
from alerts.errors import ChannelError
from alerts.messages import build_message
from storage.db import Database
from storage.models import utcnow

__all__ = ["DeliveryPolicy", "DeliveryReport", "deliver_due"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class DeliveryPolicy:
    max_attempts: int = 8
    backoff_base: float = 30.0  # seconds before the first retry
    backoff_max: float = 3600.0
    jitter: float = 0.5  # a retry waits between (1 - jitter) and 1 times the backoff
    claim_timeout: float = 300.0  # a `sending` row older than this belongs to a dead process
    batch: int = 200  # groups per pass
    console_url: str = ""
    progress_interval: float = 10.0  # seconds between progress lines while delivering

    @classmethod
    def from_settings(cls, settings: Any) -> DeliveryPolicy:
        return cls(
            max_attempts=settings.alerts_max_attempts,
            backoff_base=settings.alerts_backoff_base,
            backoff_max=settings.alerts_backoff_max,
            jitter=settings.alerts_backoff_jitter,
            claim_timeout=settings.alerts_claim_timeout,
            batch=settings.alerts_batch,
            console_url=settings.console_url,
            progress_interval=settings.alerts_progress_interval,
        )

    def backoff(self, attempts: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * 2 ** max(attempts - 1, 0))
        return delay * random.uniform(1 - self.jitter, 1)


@dataclass
class DeliveryReport:
    """What one deliver_due call did, in outbox rows and messages."""

    sent: int = 0  # rows marked sent
    messages: int = 0  # messages the channels accepted
    retried: int = 0  # rows rescheduled after a failed send
    failed: int = 0  # rows given up on
    operator_alerts: int = 0  # operator alerts queued because a channel gave up
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    outbox: dict[str, int] = field(default_factory=dict)  # rows per status afterwards

    def stats(self) -> dict[str, int]:
        stats = {
            "alerts/sent": self.sent,
            "alerts/messages": self.messages,
            "alerts/retried": self.retried,
            "alerts/failed": self.failed,
            "alerts/operator_alerts": self.operator_alerts,
        }
        stats.update({f"alerts/outbox/{k}": v for k, v in sorted(self.outbox.items())})
        return stats

    def summary(self) -> str:
        line = (
            f"alerts: {self.messages} message(s) sent for {self.sent} alert(s), "
            f"{self.retried} to retry, {self.failed} failed"
        )
        if self.errors:
            line += f" ({self.errors[-1]})"
        waiting = self.outbox.get("pending", 0) + self.outbox.get("sending", 0)
        return line + (
            f"; outbox: {waiting} waiting (digest window, quiet hours or retry), "
            f"{self.outbox.get('failed', 0)} failed in all"
        )


def deliver_due(
    db: Database,
    config: AlertsConfig,
    *,
    now: datetime | None = None,
    policy: DeliveryPolicy | None = None,
    max_passes: int = 3,
) -> DeliveryReport:
    """Send every group of rows that is due; bounded to max_passes over the outbox.

    A second pass picks up the operator alerts the first one raised. `now` fixes the clock
    (tests, digests); by default each pass reads the clock.
    """
    policy = policy or DeliveryPolicy()
    report = DeliveryReport()
    started = time.monotonic()
    senders: dict[str, Any] = {}
    last_progress = started
    for _ in range(max_passes):
        moment = now or utcnow()
        groups = outbox.due_groups(db, moment, policy.claim_timeout, policy.batch)
        if not groups:
            break
        for route, channel, group in groups:
            rows = outbox.claim_group(db, route, channel, group, moment, policy.claim_timeout)
            if rows:
                _send_group(db, config, policy, report, senders, route, channel, group, rows,
                            moment)
            if time.monotonic() - last_progress >= policy.progress_interval:
                # A channel that times out on every group would otherwise stay silent for long.
                last_progress = time.monotonic()
                elapsed = last_progress - started
                logger.info(
                    "delivering alerts: %d sent, %d to retry, %d failed in %.0fs (%.1f/s)",
                    report.sent, report.retried, report.failed, elapsed,
                    (report.sent + report.retried + report.failed) / max(elapsed, 1e-9),
                )
    report.seconds = time.monotonic() - started
    report.outbox = outbox.status_counts(db)
    if report.messages or report.failed or report.retried:
        logger.info("%s in %.1fs", report.summary(), report.seconds)
    return report


def _send_group(
    db: Database,
    config: AlertsConfig,
    policy: DeliveryPolicy,
    report: DeliveryReport,
    senders: dict[str, Any],
    route: str,
    channel: str,
    group: str,
    rows: list[outbox.OutboxRow],
    now: datetime,
) -> None:
    ids = [r.id for r in rows]
    key = f"{route}/{channel}/{group}"
    attempts = max(r.attempts for r in rows)
    try:
        if channel not in senders:
            senders[channel] = build_sender(channel, config.channel(channel))
        message = build_message(
            key, route, rows[0].kind, rows, digest=group.startswith("digest:"),
            console_url=policy.console_url,
        )
        message.created_at = now
        senders[channel].send(message)
    except ChannelError as exc:
        _failed(db, config, policy, report, route, channel, ids, attempts, str(exc), exc.retryable,
                now)
        return
    except KeyError:
        error = f"channel {channel!r} is no longer in the alerts file"
        _failed(db, config, policy, report, route, channel, ids, attempts, error, False, now)
        return
    except Exception as exc:  # a bug in rendering must not stop the other groups
        logger.exception("alert %s could not be built or sent", key)
        _failed(db, config, policy, report, route, channel, ids, attempts,
                f"{type(exc).__name__}: {exc}", True, now)
        return
    outbox.mark_sent(db, ids, now)
    report.sent += len(ids)
    report.messages += 1
    logger.debug("alert %s sent (%d row(s))", key, len(ids))


def _failed(
    db: Database,
    config: AlertsConfig,
    policy: DeliveryPolicy,
    report: DeliveryReport,
    route: str,
    channel: str,
    ids: list[int],
    attempts: int,
    error: str,
    retryable: bool,
    now: datetime,
) -> None:
    error = config.redact(error)
    report.errors.append(error)
    if retryable and attempts < policy.max_attempts:
        delay = policy.backoff(attempts)
        outbox.mark_retry(db, ids, now + timedelta(seconds=delay), error)
        report.retried += len(ids)
        logger.debug(
            "alert to %s/%s failed (attempt %d of %d), retry in %.1fs: %s",
            route, channel, attempts, policy.max_attempts, delay, error,
        )
        return
    outbox.mark_failed(db, ids, error)
    report.failed += len(ids)
    logger.error(
        "giving up on %d alert(s) to %s/%s after %d attempt(s): %s",
        len(ids), route, channel, attempts, error,
        extra={"route": route, "channel": channel},
    )
    if route in {r.name for r in config.operator_routes()}:
        return  # the operator route itself gave up: the ERROR above is all that is left
    from alerts.api import notify_operator

    queued = notify_operator(
        db,
        kind="channel_failed",
        message=(
            f"告警通道 {channel}（路由 {route}）在 {attempts} 次尝试后仍未送达 {len(ids)} 条告警："
            f"{error}"
        ),
        dedup_key=f"{route}/{channel}",
        details={"route": route, "channel": channel, "alerts": len(ids), "ids": ids[:20]},
        config=config,
    )
    report.operator_alerts += int(queued)
