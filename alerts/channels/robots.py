"""DingTalk, WeCom and Feishu group robots: markdown or rich text, signed where they sign.

Size limits (UTF-8 bytes of the content): DingTalk 20000, WeCom markdown 4096, Feishu
requests 20 KB. A message over the limit is cut at a line with a link to the full content
(`alerts.messages.fit`) rather than split: one alert stays one request, so a retry can
never deliver half of it twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from alerts.channels.base import Sender, post_json
from alerts.errors import ChannelError
from alerts.messages import Message, fit


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk 加签: base64(HMAC-SHA256(key=secret, "timestamp\\nsecret")); the caller
    URL-encodes it (httpx does, as a query parameter)."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu 签名校验: base64(HMAC-SHA256(key="timestamp\\nsecret", empty message))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def _check_errcode(channel: str, answer: Any, field: str = "errcode") -> None:
    # The robots answer HTTP 200 with an error code in the body for refused messages.
    if isinstance(answer, dict):
        code = answer.get(field, answer.get("StatusCode", 0))
        if code not in (0, None):
            message = answer.get("errmsg") or answer.get("msg") or ""
            raise ChannelError(channel, f"robot refused the message: {field} {code} {message}")


class DingTalkSender(Sender):
    def send(self, message: Message) -> None:
        c = self.config
        text = fit(f"### {message.title}\n\n" + _body(message), c.max_bytes, message.link)
        params = {"access_token": c.token}
        if c.secret:
            timestamp = int(time.time() * 1000)
            params.update(timestamp=str(timestamp), sign=dingtalk_sign(c.secret, timestamp))
        body = {"msgtype": "markdown", "markdown": {"title": message.title[:64], "text": text}}
        answer = post_json(self.name, c.base_url, body, params=params, timeout=c.timeout)
        _check_errcode(self.name, answer)


class WeComSender(Sender):
    def send(self, message: Message) -> None:
        c = self.config
        text = fit(f"### {message.title}\n" + _body(message), c.max_bytes, message.link)
        body = {"msgtype": "markdown", "markdown": {"content": text}}
        answer = post_json(self.name, c.base_url, body, params={"key": c.key}, timeout=c.timeout)
        _check_errcode(self.name, answer)


class FeishuSender(Sender):
    # Room for the JSON around the text (title, tags, signature) within the 20 KB request.
    _ENVELOPE = 1500

    def send(self, message: Message) -> None:
        c = self.config
        text = fit(message.text.split("\n", 1)[-1].lstrip("\n"), c.max_bytes - self._ENVELOPE,
                   message.link)
        lines: list[list[dict[str, str]]] = [[{"tag": "text", "text": text}]]
        if message.link:
            lines.append([{"tag": "a", "text": "查看详情", "href": message.link}])
        body: dict[str, Any] = {
            "msg_type": "post",
            "content": {"post": {"zh_cn": {"title": message.title, "content": lines}}},
        }
        if c.secret:
            timestamp = int(time.time())
            body = {"timestamp": str(timestamp), "sign": feishu_sign(c.secret, timestamp), **body}
        url = f"{c.base_url.rstrip('/')}/{c.token}"
        answer = post_json(self.name, url, body, timeout=c.timeout)
        _check_errcode(self.name, answer, "code")


def _body(message: Message) -> str:
    """The markdown without its own heading line (each robot adds the title its way)."""
    first, _, rest = message.markdown.partition("\n")
    return rest.lstrip("\n") if first.startswith("### ") else message.markdown
