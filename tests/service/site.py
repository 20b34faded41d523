"""The fixture site plus /live/<section>/: sections that publish, break and change on demand.

Everything of tests/site is served as well (fixture-gen, fixture-json, ...). Each live
section lists its documents newest first, five per list page, paged by 下一页 links:

    site.live("a").publish_per_visit = 2   # each visit of page 1 publishes 2 new documents
    site.live("a").mode = "normal" | "no_links" | "empty_body" | "error"

`no_links` renders the list with script-driven rows (no <a href>: a site redesign the
link finder cannot follow), `empty_body` serves detail pages with no main text, `error`
answers 500 on every list page.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.site import pages
from tests.site.content import document
from tests.site.server import Handler, SiteState

PER_PAGE = 5
LIST = re.compile(r"/live/([a-z]+)/index\.html")
DETAIL = re.compile(r"/live/([a-z]+)/art/(\d+)\.html")
FIRST_DOC = 500


@dataclass
class LiveSection:
    published: int = 6
    publish_per_visit: int = 0
    mode: str = "normal"
    repealed: set[int] = field(default_factory=set)  # detail says 本文件已废止
    removed: set[int] = field(default_factory=set)  # unlisted, and its page answers 404
    revised: set[int] = field(default_factory=set)  # detail carries an added paragraph
    lock: threading.Lock = field(default_factory=threading.Lock)

    def visit_first_page(self) -> int:
        with self.lock:
            if self.mode != "error":
                self.published += self.publish_per_visit
            return self.published


class LiveHandler(Handler):
    sections: dict[str, LiveSection]

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        parts = urlsplit(self.path)
        match = LIST.fullmatch(parts.path)
        if match and match.group(1) in self.sections:
            self.state.record(parts.path)
            return self._live_list(self.sections[match.group(1)], match.group(1), parts.query)
        match = DETAIL.fullmatch(parts.path)
        if match and match.group(1) in self.sections:
            self.state.record(parts.path)
            return self._live_detail(self.sections[match.group(1)], int(match.group(2)))
        return super().do_GET()

    def _live_list(self, section: LiveSection, name: str, query: str) -> None:
        page = int(parse_qs(query).get("page", ["1"])[0])
        total = section.visit_first_page() if page == 1 else section.published
        if section.mode == "error":
            return self._send(500, b"<html><body>Internal Server Error</body></html>")
        numbers = [n for n in range(total, 0, -1) if n not in section.removed]  # newest first
        chunk = numbers[(page - 1) * PER_PAGE : page * PER_PAGE]
        if not chunk:
            return self._not_found()
        pages_total = -(-total // PER_PAGE)
        nxt = f"?page={page + 1}" if page < pages_total else None
        pager = pages.next_link_pager(nxt, page, pages_total)
        if section.mode == "no_links":
            rows = "".join(
                f'<li data-id="{n}" onclick="openArticle({n})">{document(FIRST_DOC + n).title}</li>'
                for n in chunk
            )
            html = (
                '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政策文件</title>'
                f'</head><body>{pages.NAV}<div class="list"><ul class="news">{rows}</ul>'
                f'<div class="page">{pager}</div></div>{pages.FOOTER}</body></html>'
            )
            return self._html(html)
        items = [
            (f"/live/{name}/art/{n}.html", document(FIRST_DOC + n).title, "2024-05-01")
            for n in chunk
        ]
        self._html(pages.list_page("政策文件", items, pager))

    def _live_detail(self, section: LiveSection, n: int) -> None:
        if not 1 <= n <= section.published or n in section.removed:
            return self._not_found()
        doc = document(FIRST_DOC + n)
        notes = []
        if n in section.repealed:
            notes.append("本文件已废止，仅供查阅。")
        if n in section.revised:
            notes.append("本文已于2024年6月1日修订，修订后第三条同时调整。")
        if notes:
            doc = replace(doc, paragraphs=(*notes, *doc.paragraphs))
        if section.mode == "empty_body":
            # Redesigned as a client-rendered page: the text arrives by script, not in HTML.
            html = (
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{doc.title}</title>'
                '</head><body><div id="app"></div><script src="/static/app.js"></script>'
                "</body></html>"
            )
            return self._html(html, conditional=True)
        self._html(pages.trs_detail(doc), conditional=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # crawlers killed on purpose reset their connections: expected here


class ChangingSite:
    """The fixture site with live sections, on 127.0.0.1 and a free port."""

    def __init__(self, *, generated: int = 0, sections: tuple[str, ...] = ()) -> None:
        self.state = SiteState(generated=generated)
        self.sections = {name: LiveSection() for name in sections}
        handler = type(
            "ChangingHandler", (LiveHandler,), {"state": self.state, "sections": self.sections}
        )
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def live(self, name: str) -> LiveSection:
        return self.sections[name]

    def __enter__(self) -> ChangingSite:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.state.gen_release.set()  # let held requests go so the server can stop
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
