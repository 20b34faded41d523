"""A local stand-in for government portals: a real HTTP server on 127.0.0.1, port 0.

    with FixtureSite() as site:        # or site = FixtureSite().start() ... site.stop()
        site.url                       # "http://127.0.0.1:PORT"
        site.bump()                    # /hostile/changing.html changes
        site.state.hits["/trs/index.html"]

`python -m tests.site [--generate N] [--latency S]` serves it in the foreground and prints
the address on the first line of stdout. Used by the tests, `fairwatch demo` and the benches.
"""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from tests.site.server import Handler, SiteState

SOURCES_DIR = Path(__file__).resolve().parent / "sources"

__all__ = ["SOURCES_DIR", "FixtureSite", "SiteState"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many concurrent crawler connections during the bench.
    request_queue_size = 128


class FixtureSite:
    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, generated: int = 0, latency: float = 0.0
    ) -> None:
        self.state = SiteState(generated=generated, latency=latency)
        handler = type("SiteHandler", (Handler,), {"state": self.state})
        self._server = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FixtureSite:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fixture-site", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def bump(self) -> int:
        """Change /hostile/changing.html; returns the new version."""
        with self.state.lock:
            self.state.version += 1
            return self.state.version

    def __enter__(self) -> FixtureSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
