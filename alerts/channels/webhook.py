"""The generic JSON webhook: the document of alerts/webhook.schema.json, one POST per message.

Receivers should de-duplicate on `id` (also sent as the Idempotency-Key header): a worker
that dies after the receiver answered but before the row was marked sent sends it again.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from alerts.channels.base import Sender, post_json
from alerts.messages import Message

SCHEMA_ID = "https://fairwatch.local/schemas/alert-1.json"


def webhook_payload(message: Message) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "version": 1,
        "id": message.key,
        "route": message.route,
        "kind": message.kind,
        "title": message.title,
        "text": message.text,
        "markdown": message.markdown,
        "link": message.link,
        "created_at": (message.created_at or datetime.now(UTC)).isoformat(),
        "findings": [_finding(f) for f in message.findings],
        "groups": message.groups,
        "total": len(message.findings),
        "operator": message.operator,
    }


_FINDING_FIELDS = (
    "finding_id", "doc_id", "version_id", "source_id", "source_name", "kind", "platform",
    "url", "link", "title", "issuer", "doc_number", "published", "standard", "rule", "grade",
    "quote", "citation", "explanation", "exception", "further_findings",
)


def _finding(item: dict[str, Any]) -> dict[str, Any]:
    from alerts.messages import cues_of

    out = {name: item.get(name) for name in _FINDING_FIELDS}
    out["cues"] = cues_of(item.get("explanation"))
    return out


def webhook_signature(secret: str, body: bytes) -> str:
    """sha256=<hex HMAC-SHA256 of the body>, as in X-Fairwatch-Signature."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookSender(Sender):
    def send(self, message: Message) -> None:
        import json

        payload = webhook_payload(message)
        headers = {"Idempotency-Key": message.key, **self.config.headers}
        if self.config.secret:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            headers["X-Fairwatch-Signature"] = webhook_signature(self.config.secret, body)
        post_json(self.name, self.config.url, payload, timeout=self.config.timeout,
                  headers=headers)
