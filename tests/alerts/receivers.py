"""Real HTTP receivers on 127.0.0.1 for the alert tests: a threaded http.server that keeps
every request, answers as the test says (refuse N times, hold, robot error codes) and
checks the robots' signatures the way DingTalk and Feishu do."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int = 0

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Receiver:
    """Answers 200 {"errcode": 0} unless told otherwise; `accepted` are those answered 200."""

    refuse_first: int = 0  # answer 503 to the first N requests
    refuse_always: bool = False
    hold_on: int | None = None  # the Nth request (1-based) waits for `release` and gets 503
    dingtalk_secret: str | None = None
    feishu_secret: str | None = None
    answer: dict[str, Any] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    requests: list[Received] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                parts = urlsplit(self.path)
                item = Received(
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                status, answer = receiver._decide(item)
                item.status = status
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client is gone (killed while we held it)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- behaviour ----------------------------------------------------------------------
    def _decide(self, item: Received) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append(item)
            number = len(self.requests)
        if self.hold_on is not None and number == self.hold_on:
            self.held.set()
            self.release.wait(30)
            return 503, {"error": "held"}
        if self.refuse_always or number <= self.refuse_first:
            return 503, {"error": "refused by the test"}
        if self.dingtalk_secret is not None:
            problem = check_dingtalk_sign(item, self.dingtalk_secret)
            if problem:
                return 200, {"errcode": 310000, "errmsg": problem}
        if self.feishu_secret is not None:
            problem = check_feishu_sign(item.json, self.feishu_secret)
            if problem:
                return 200, {"code": 19021, "msg": problem}
        return 200, self.answer

    # -- lifecycle and views ------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)

    @property
    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.status == 200]

    def wait_for(self, count: int, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return True
            time.sleep(0.05)
        return False


def check_dingtalk_sign(item: Received, secret: str, max_skew_ms: int = 3600_000) -> str | None:
    """None if timestamp and sign are those DingTalk expects, else what is wrong."""
    timestamp = item.query.get("timestamp")
    sign = item.query.get("sign")
    if not timestamp or not sign:
        return "missing timestamp or sign"
    if abs(int(timestamp) - int(time.time() * 1000)) > max_skew_ms:
        return "timestamp too far from now"
    to_sign = f"{timestamp}\n{secret}".encode()
    expected = base64.b64encode(hmac.new(secret.encode(), to_sign, hashlib.sha256).digest())
    # parse_qs has already URL-decoded the sign, as DingTalk does.
    if not hmac.compare_digest(expected.decode(), sign):
        return "sign does not match"
    return None


def check_feishu_sign(body: dict[str, Any], secret: str) -> str | None:
    timestamp = body.get("timestamp")
    sign = body.get("sign")
    if not timestamp or not sign:
        return "missing timestamp or sign"
    if abs(int(timestamp) - int(time.time())) > 3600:
        return "timestamp too far from now"
    key = f"{timestamp}\n{secret}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    return None if hmac.compare_digest(expected, sign) else "sign does not match"
