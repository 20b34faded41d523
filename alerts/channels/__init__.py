"""Channels: turn a `Message` into one request to a mail server, webhook or robot.

Each channel's `send(message)` returns on success and raises `ChannelError` otherwise, with
a message that never carries a token, secret or password. Robots and the webhook are small
httpx clients rather than Apprise plugins: Apprise's DingTalk, WeCom and Feishu plugins
fix the public host in the plugin (no intranet proxy, no local receiver in tests), its
Feishu plugin cannot sign, and its JSON plugin has its own payload, not ours.
"""

from __future__ import annotations

from typing import Any

from alerts.channels.base import LogSender, Sender
from alerts.channels.robots import (
    DingTalkSender,
    FeishuSender,
    WeComSender,
    dingtalk_sign,
    feishu_sign,
)
from alerts.channels.smtp import EmailSender
from alerts.channels.webhook import WebhookSender, webhook_signature

__all__ = [
    "DingTalkSender",
    "EmailSender",
    "FeishuSender",
    "LogSender",
    "Sender",
    "WeComSender",
    "WebhookSender",
    "build_sender",
    "dingtalk_sign",
    "feishu_sign",
    "webhook_signature",
]

_SENDERS: dict[str, type[Sender]] = {
    "log": LogSender,
    "webhook": WebhookSender,
    "email": EmailSender,
    "dingtalk": DingTalkSender,
    "wecom": WeComSender,
    "feishu": FeishuSender,
}


def build_sender(name: str, channel: Any) -> Sender:
    """The sender of a validated channel (alerts.config) named `name`."""
    return _SENDERS[channel.type](name, channel)
