"""Platform-like fixture pages whose content appears only after their scripts run.

Routes (all under /platform/):
    seeding/<id>, advertorial/<id>, product/<id>   post, 软文, shop page (data from api/...)
    live/<room>?session=S&tick=SECONDS              live room; lines grow with the room clock
    feed/<id>[?mode=button]                         infinite scroll (or a load-more button)
    bench/<n>                                       generated posts for bench/browser.py
    hang                                            never finishes loading
    crash                                           exhausts the renderer's memory
    huge                                            a 200 MB response
    static/heavy.html                               a page with an image, a font, a video
    seeding/empty                                   a post with no text

`handle(handler)` serves these paths for any BaseHTTPRequestHandler and returns False for
other paths, so the main fixture site can mount them. Run as a script it serves them alone
on 127.0.0.1, port 0 by default, and prints the address on its first stdout line.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

try:  # imported as a package (tests) or run as a script (bench, subprocess server)
    from . import content
except ImportError:  # pragma: no cover - script mode
    import content  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
APP_JS = (HERE / "app.js").read_bytes()
HUGE_BYTES = 200 * 1024 * 1024
HANG_SECONDS = 120.0

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:16px}}
.feed-item{{min-height:180px;border-bottom:1px solid #ccc}}
.danmaku .msg{{color:#06c}} .price{{color:#c00;margin:0 8px}}</style></head>
<body><div id="app" data-kind="{kind}" data-api="{api}"></div>
<script src="/platform/static/app.js"></script></body></html>
"""

# A 1x1 transparent PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea73581e40000000049454e44ae426082"
)
HEAVY_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>heavy</title>
<style>@font-face{font-family:F;src:url(/platform/static/asset.woff2)} p{font-family:F}</style>
</head><body><p>图文</p><img src="/platform/static/asset.png">
<video src="/platform/static/asset.mp4" autoplay muted></video></body></html>
"""

CRASH_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>crash</title></head>
<body><div id="app"><p class="note-content">正在加载…</p></div><script>
// Grows the JS heap until V8 gives up and the renderer process dies.
const hog = []; for (;;) { hog.push(new Array(4 * 1024 * 1024).fill(0.5)); }
</script></body></html>
"""


class LiveRoom:
    """A room's lines as a function of time since the session opened: tick k adds one
    transcript line and one danmaku message, cycling through the room's script."""

    def __init__(self, script: dict[str, Any], tick: float) -> None:
        self.script = script
        self.tick = tick
        self.opened = time.monotonic()
        self.opened_wall = time.time()

    def lines_after(self, after: int) -> list[dict[str, Any]]:
        ticks = int((time.monotonic() - self.opened) / self.tick) + 1
        out = []
        for k in range(ticks):
            for offset, kind, speaker, pool in (
                (0, "transcript", self.script["anchor"], self.script["transcript"]),
                (1, "danmaku", f"观众{k % 13}", self.script["danmaku"]),
            ):
                seq = 2 * k + offset
                if seq > after:
                    at = time.strftime("%H:%M:%S", time.localtime(self.opened_wall + k * self.tick))
                    out.append(
                        {
                            "seq": seq,
                            "kind": kind,
                            "speaker": speaker,
                            "text": pool[k % len(pool)],
                            "at": at,
                        }
                    )
        return out


_rooms: dict[tuple[str, str], LiveRoom] = {}
_rooms_lock = threading.Lock()


def _room(room: str, session: str, tick: float) -> LiveRoom | None:
    script = content.LIVE_ROOMS.get(room)
    if script is None:
        return None
    with _rooms_lock:
        key = (room, session)
        if key not in _rooms:
            _rooms[key] = LiveRoom(script, tick)
        return _rooms[key]


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Cache-Control", "no-store" if "json" in ctype else "max-age=600")
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def _json(handler: BaseHTTPRequestHandler, data: Any) -> None:
    _send(
        handler,
        200,
        json.dumps(data, ensure_ascii=False).encode("utf-8"),
        "application/json; charset=utf-8",
    )


def _page(handler: BaseHTTPRequestHandler, kind: str, api: str, title: str = "加载中") -> None:
    _send(
        handler,
        200,
        PAGE.format(kind=kind, api=api, title=title).encode("utf-8"),
        "text/html; charset=utf-8",
    )


def _hang(handler: BaseHTTPRequestHandler) -> None:
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.end_headers()
    handler.wfile.write(
        "<!doctype html><html><head><title>永远加载</title></head><body><p>".encode()
    )
    handler.wfile.flush()
    deadline = time.monotonic() + HANG_SECONDS
    try:  # keep the connection open with no more bytes; a closed client ends it early
        while time.monotonic() < deadline:
            time.sleep(0.5)
            handler.wfile.write(b" ")
            handler.wfile.flush()
    except OSError:
        return


def _huge(handler: BaseHTTPRequestHandler) -> None:
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(HUGE_BYTES))
    handler.end_headers()
    if handler.command == "HEAD":
        return
    chunk = (b"<p>" + "超大页面".encode() * 20 + b"</p>\n") * 4096
    sent = 0
    try:
        while sent < HUGE_BYTES:
            part = chunk[: HUGE_BYTES - sent]
            handler.wfile.write(part)
            sent += len(part)
    except OSError:
        return


def handle(handler: BaseHTTPRequestHandler) -> bool:
    """Serve a /platform/ path; return False when the path is not one of ours."""
    parts = urlsplit(handler.path)
    path, query = parts.path, parse_qs(parts.query)
    if not path.startswith("/platform/"):
        return False
    rest = path[len("/platform/") :]
    m = re.fullmatch(r"(seeding|advertorial|product|bench)/([\w-]+)", rest)
    if m:
        kind, key = m.groups()
        render = "seeding" if kind == "bench" else kind
        _page(handler, render, f"/platform/api/{kind}/{key}")
        return True
    m = re.fullmatch(r"api/(seeding|advertorial|product|bench)/([\w-]+)", rest)
    if m:
        kind, key = m.groups()
        data: dict[str, Any] | None
        if kind == "bench":
            data = content.bench_post(int(key)) if key.isdigit() else None
        elif kind == "seeding" and key == "empty":
            data = content.EMPTY_POST
        else:
            data = {
                "seeding": content.SEEDING,
                "advertorial": content.ADVERTORIAL,
                "product": content.PRODUCTS,
            }[kind].get(key)
        if data is None:
            _send(handler, 404, b"not found", "text/plain")
        else:
            _json(handler, data)
        return True
    m = re.fullmatch(r"live/([\w-]+)", rest)
    if m:
        session = query.get("session", ["default"])[0]
        tick = query.get("tick", ["1.0"])[0]
        _page(handler, "live", f"/platform/api/live/{m.group(1)}?session={session}&tick={tick}")
        return True
    m = re.fullmatch(r"api/live/([\w-]+)", rest)
    if m:
        session = query.get("session", ["default"])[0]
        tick = float(query.get("tick", ["1.0"])[0])
        room = _room(m.group(1), session, max(tick, 0.05))
        if room is None:
            _send(handler, 404, b"no such room", "text/plain")
            return True
        after = int(query.get("after", ["-1"])[0])
        if "after" not in query:  # the page's first call: the room description
            script = room.script
            feed = f"/platform/api/live/{m.group(1)}?session={session}&tick={tick}"
            _json(handler, {k: script[k] for k in ("title", "anchor", "cards")} | {"feed": feed})
        else:
            _json(handler, {"lines": room.lines_after(after)})
        return True
    m = re.fullmatch(r"feed/([\w-]+)", rest)
    if m:
        mode = query.get("mode", ["scroll"])[0]
        _page(handler, "feed", f"/platform/api/feed/{m.group(1)}?mode={mode}")
        return True
    m = re.fullmatch(r"api/feed/([\w-]+)", rest)
    if m:
        if "page" not in query:
            mode = query.get("mode", ["scroll"])[0]
            _json(
                handler,
                {
                    "title": "发现｜好物推荐",
                    "mode": mode,
                    "items": f"/platform/api/feed/{m.group(1)}",
                },
            )
            return True
        page = int(query["page"][0])
        lo = page * content.FEED_PAGE
        hi = min(lo + content.FEED_PAGE, content.FEED_TOTAL)
        _json(
            handler,
            {
                "items": [content.feed_item(n) for n in range(lo, hi)],
                "more": hi < content.FEED_TOTAL,
            },
        )
        return True
    if rest.startswith("static/asset."):
        # Stand-ins for the heavy resources a page pulls in: image, font, media.
        ext = rest.rsplit(".", 1)[1]
        ctype = {"png": "image/png", "woff2": "font/woff2", "mp4": "video/mp4"}.get(ext)
        if ctype is None:
            _send(handler, 404, b"not found", "text/plain")
        else:
            _send(handler, 200, PIXEL if ext == "png" else b"\0" * 1024, ctype)
        return True
    if rest == "static/heavy.html":
        _send(handler, 200, HEAVY_PAGE.encode("utf-8"), "text/html; charset=utf-8")
        return True
    if rest == "static/app.js":
        _send(handler, 200, APP_JS, "application/javascript; charset=utf-8")
        return True
    if rest == "hang":
        _hang(handler)
        return True
    if rest == "crash":
        _send(handler, 200, CRASH_PAGE.encode("utf-8"), "text/html; charset=utf-8")
        return True
    if rest == "huge":
        _huge(handler)
        return True
    _send(handler, 404, b"not found", "text/plain")
    return True


class PlatformHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if not handle(self):
            _send(self, 404, b"not found", "text/plain")

    do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet server
        pass


def make_server(host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), PlatformHandler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = make_server(port=args.port)
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
