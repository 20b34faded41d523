"""The fixture site's HTTP handler: routes for each section and each hostile case.

Sections (see tests/site/README.md for the full map):
  /trs/      TRS portal, index.html + index_{n}.html paged by createPageHTML(...)
  /hanweb/   Hanweb portal, paged by 下一页 links (?pageNum=n)
  /json/     list data served by a JSON endpoint (/json/api/list?page=n)
  /gbk/      GBK-encoded portal, one page whose declared charset lies
  /hostile/  500, slow, broken HTML, a 50 MB page, a corrupt attachment, a page that changes
  /private/  disallowed by robots.txt
  /real/     the real pages saved in ../shared/fixtures/real/pages
  /gen/      N generated TRS detail pages for the bench (index.html, index_{n}.html)
  /platform/ ad platform pages rendered by scripts (tests/site/platform/server.py)
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.site import pages
from tests.site.content import document
from tests.site.files import attachment_bytes
from tests.site.platform import server as platform

REAL_PAGES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "real" / "pages"
REAL_GOV_PAGES = {
    "gov_detail_trs_shanxi.html": "山西品牌丝路行（南美站）正式启动",
    "gov_detail_hanweb_zj_fgw.html": "1-10月德清县固定资产投资结构趋稳趋优",
    "law_text_on_university_site.html": "中华人民共和国法律全文（转载）",
}

TRS_DOCS = tuple(range(1, 13))  # 12 documents, 5 per list page
TRS_ATTACHMENTS = {1: ("pdf",), 2: ("docx",), 4: ("doc", "pdf")}
HANWEB_DOCS = tuple(range(101, 111))
JSON_DOCS = tuple(range(201, 209))
GBK_DOCS = (301, 302, 303, 304)
GBK_LYING = 303  # declared utf-8 in header and meta, body in GBK
PER_PAGE = 5
GEN_PER_PAGE = 100
HUGE_SIZE = 50 * 1024 * 1024
BASE_MODIFIED = 1704067200  # 2024-01-01T00:00:00Z


@dataclass
class SiteState:
    """Mutable state shared by the handler threads."""

    generated: int = 0  # /gen/ serves this many detail pages
    version: int = 0  # bumps the content of /hostile/changing.html
    slow_seconds: float = 1.0
    latency: float = 0.0  # seconds every answer waits, as a distant server would
    hits: Counter = field(default_factory=Counter)  # by path
    requests: Counter = field(default_factory=Counter)  # by path and query
    # Politeness as the site sees it: answers being worked on now, the most at once, and
    # (monotonic time, path) of each request as it arrived.
    in_flight: int = 0
    max_in_flight: int = 0
    arrivals: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Gate on /gen/ detail pages (fault tests): once gen_hold_after pages were served, later
    # requests wait for gen_release; a wait longer than gen_hold_seconds (kept below the
    # crawler's download timeout) answers 503 instead, so the crawler retries the page.
    gen_hold_after: int | None = None
    gen_hold_seconds: float = 20.0
    gen_release: threading.Event = field(default_factory=threading.Event)
    gen_served: int = 0
    gen_held: int = 0  # requests that had to wait at the gate
    gen_hold_expired: int = 0  # waits that ended in a 503

    def gen_gate(self) -> bool:
        """Wait at the /gen/ gate if it is closed; False if the wait expired."""
        with self.lock:
            closed = (
                self.gen_hold_after is not None
                and self.gen_served >= self.gen_hold_after
                and not self.gen_release.is_set()
            )
            if closed:
                self.gen_held += 1
        if closed and not self.gen_release.wait(self.gen_hold_seconds):
            with self.lock:
                self.gen_hold_expired += 1
            return False
        with self.lock:
            self.gen_served += 1
        return True

    def record(self, path: str, query: str = "") -> None:
        with self.lock:
            self.hits[path] += 1
            self.requests[f"{path}?{query}" if query else path] += 1
            self.arrivals.append((time.monotonic(), path))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def answered(self) -> None:
        with self.lock:
            self.in_flight -= 1


def _trs_url(i: int) -> str:
    d = document(i)
    ymd = d.published.replace("-", "")
    return f"/trs/{ymd[:6]}/t{ymd}_{i}.html"


class Handler(BaseHTTPRequestHandler):
    server_version = "FixtureSite/1.0"
    protocol_version = "HTTP/1.1"
    state: SiteState  # set on the subclass built by FixtureSite

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet: tests assert on hits, not on the access log

    # -- plumbing ---------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        *,
        conditional: bool = False,
        modified: int = BASE_MODIFIED,
    ) -> None:
        etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
        last_modified = email.utils.formatdate(modified, usegmt=True)
        if conditional and status == 200 and self._not_modified(etag, modified):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if conditional:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_modified(self, etag: str, modified: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")]
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return modified <= since
        return False

    def _html(self, text: str, *, conditional: bool = False, modified: int = BASE_MODIFIED) -> None:
        self._send(200, text.encode("utf-8"), conditional=conditional, modified=modified)

    def _not_found(self) -> None:
        self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>")

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        self.state.record(path, parts.query)
        try:
            if self.state.latency:
                time.sleep(self.state.latency)
            self._route(path, query)
        finally:
            self.state.answered()

    def _route(self, path: str, query: dict) -> None:
        if path.startswith("/platform/") and platform.handle(self):
            return  # platform-like pages rendered by scripts (tests/site/platform)
        for pattern, name in ROUTES:
            match = pattern.fullmatch(path)
            if match:
                getattr(self, name)(query, *match.groups())
                return
        self._not_found()

    # -- site root and robots -----------------------------------------------------
    def root(self, query: dict) -> None:
        links = [
            ("/trs/index.html", "TRS 政策文件", ""),
            ("/hanweb/col/col1229/index.html", "大汉 政策文件", ""),
            ("/json/index.html", "JSON 列表", ""),
            ("/gbk/index.html", "GBK 站点", ""),
            ("/hostile/index.html", "异常页面", ""),
            ("/real/index.html", "真实页面", ""),
        ]
        self._html(pages.list_page("示例省人民政府门户网站", links, ""))

    def robots(self, query: dict) -> None:
        self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")

    # -- TRS: index.html, index_1.html ... paged by createPageHTML ---------------------
    def trs_list(self, query: dict, n: str | None) -> None:
        page = int(n or 0)
        total = -(-len(TRS_DOCS) // PER_PAGE)
        chunk = TRS_DOCS[page * PER_PAGE : (page + 1) * PER_PAGE]
        if page >= total:
            return self._not_found()
        items = [
            (_trs_url(i).replace("/trs/", "./", 1), document(i).title, document(i).published)
            for i in chunk
        ]
        self._html(pages.list_page("政策文件", items, pages.trs_pager(total, page)))

    def trs_detail(self, query: dict, ymd: str, i: str) -> None:
        doc_i = int(i)
        if doc_i not in TRS_DOCS or _trs_url(doc_i) != self.path.split("?")[0]:
            return self._not_found()
        doc = document(doc_i, attachments=TRS_ATTACHMENTS.get(doc_i, ()))
        self._html(pages.trs_detail(doc, files_base=""), conditional=True)

    # -- Hanweb: 下一页 links ----------------------------------------------------------
    def hanweb_list(self, query: dict) -> None:
        page = int(query.get("pageNum", ["1"])[0])
        total = -(-len(HANWEB_DOCS) // PER_PAGE)
        if not 1 <= page <= total:
            return self._not_found()
        chunk = HANWEB_DOCS[(page - 1) * PER_PAGE : page * PER_PAGE]
        items = []
        for i in chunk:
            d = document(i)
            y, m, day = (int(x) for x in d.published.split("-"))
            items.append((f"/hanweb/art/{y}/{m}/{day}/art_1229_{i}.html", d.title, d.published))
        nxt = f"?uid=4892&pageNum={page + 1}" if page < total else None
        self._html(pages.list_page("政策文件", items, pages.next_link_pager(nxt, page, total)))

    def hanweb_detail(self, query: dict, i: str) -> None:
        doc_i = int(i)
        if doc_i not in HANWEB_DOCS:
            return self._not_found()
        host = self.headers.get("Host", "")
        self._html(
            pages.hanweb_detail(document(doc_i), f"http://{host}{self.path}"), conditional=True
        )

    # -- JSON endpoint ----------------------------------------------------------------
    def json_shell(self, query: dict) -> None:
        # The list is filled in by script from the endpoint: no links in the HTML itself.
        self._html(
            pages.list_page("政策解读", [], '<script>loadList("/json/api/list?page=1")</script>')
        )

    def json_api(self, query: dict) -> None:
        page = int(query.get("page", ["1"])[0])
        size = 4
        chunk = JSON_DOCS[(page - 1) * size : page * size] if page >= 1 else ()
        items = [
            {
                "url": f"/json/content/post_{i}.html",
                "title": document(i).title,
                "pubDate": document(i).published,
            }
            for i in chunk
        ]
        body = json.dumps(
            {"code": 0, "data": {"total": len(JSON_DOCS), "list": items}}, ensure_ascii=False
        )
        self._send(200, body.encode("utf-8"), "application/json; charset=utf-8")

    def json_detail(self, query: dict, i: str) -> None:
        doc_i = int(i)
        if doc_i not in JSON_DOCS:
            return self._not_found()
        d = document(doc_i)
        paras = "".join(f"<p>{p}</p>" for p in d.paragraphs)
        html = (
            f'<html><head><meta charset="utf-8"><title>{d.title}</title></head><body>{pages.NAV}'
            f'<div class="content"><h1>{d.title}</h1><div class="info">发布时间：{d.published} '
            f'来源：{d.issuer}</div><div class="article-content">{paras}</div></div>'
            f"{pages.FOOTER}</body></html>"
        )
        self._html(html, conditional=True)

    # -- GBK portal ----------------------------------------------------------------
    def gbk_list(self, query: dict) -> None:
        items = [
            (f"/gbk/content/{i}.html", document(i).title, document(i).published) for i in GBK_DOCS
        ]
        body = pages.list_page("通知公告", items, "", charset="gbk").encode("gbk")
        self._send(200, body, "text/html; charset=gbk")

    def gbk_detail(self, query: dict, i: str) -> None:
        doc_i = int(i)
        if doc_i not in GBK_DOCS:
            return self._not_found()
        if doc_i == GBK_LYING:
            html = pages.trs_detail(document(doc_i), charset="utf-8")
            self._send(200, html.encode("gbk"), "text/html; charset=utf-8", conditional=True)
        else:
            html = pages.trs_detail(document(doc_i), charset="gbk")
            self._send(200, html.encode("gbk"), "text/html; charset=gbk", conditional=True)

    # -- hostile cases -------------------------------------------------------------
    def hostile_list(self, query: dict) -> None:
        items = [
            ("/hostile/error500.html", "关于服务器错误页面的通知", "2024-03-01"),
            ("/hostile/slow.html", "关于慢速页面的通知", "2024-03-02"),
            ("/hostile/broken.html", "关于损坏页面的通知", "2024-03-03"),
            ("/hostile/huge.html", "关于超大页面的通知", "2024-03-04"),
            ("/hostile/corrupt-attachment.html", "关于损坏附件的通知", "2024-03-05"),
            ("/private/secret.html", "关于内部页面的通知", "2024-03-06"),
            ("/hostile/changing.html", "关于变更页面的通知", "2024-03-07"),
        ]
        self._html(pages.list_page("异常页面", items, ""))

    def hostile_500(self, query: dict) -> None:
        self._send(500, b"<html><body>Internal Server Error</body></html>")

    def hostile_slow(self, query: dict) -> None:
        time.sleep(self.state.slow_seconds)
        self._html(pages.trs_detail(document(401)), conditional=True)

    def hostile_broken(self, query: dict) -> None:
        d = document(402)
        html = pages.trs_detail(d)
        # Unclosed paragraphs, stray closing tags, an unquoted attribute and no end of
        # document, as on hand-edited portal pages: parsers must cope.
        html = html.replace("</p>", "").replace('<h1 class="title">', "<h1 class=title x=>", 1)
        html = html.replace('<div class="TRS_Editor">', '<div class="TRS_Editor"></td></span>', 1)
        self._html(html.removesuffix("</body></html>") + "<p>残缺的结尾", conditional=True)

    def hostile_huge(self, query: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(HUGE_SIZE))
        self.end_headers()
        chunk = b"<p>" + "填充".encode() * 1000 + b"</p>\n"
        sent = 0
        try:
            while sent < HUGE_SIZE:
                piece = chunk[: HUGE_SIZE - sent]
                self.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up on it, as it should

    def hostile_corrupt(self, query: dict) -> None:
        d = document(403)
        html = pages.trs_detail(d).replace(
            '<div class="footer">',
            '<div class="fj"><a href="/files/corrupt.pdf">附件：损坏的文件.pdf</a></div>'
            '<div class="footer">',
            1,
        )
        self._html(html, conditional=True)

    def hostile_changing(self, query: dict) -> None:
        d = document(404)
        v = self.state.version
        html = pages.trs_detail(d).replace(
            '<div class="TRS_Editor">',
            f'<div class="TRS_Editor"><p>本文已修订，当前为第{v}版。</p>',
            1,
        )
        self._html(html, conditional=True, modified=BASE_MODIFIED + v * 86400)

    def private(self, query: dict) -> None:
        self._html(pages.trs_detail(document(405)), conditional=True)

    # -- real saved pages ------------------------------------------------------------
    def real_list(self, query: dict) -> None:
        names = [n for n in REAL_GOV_PAGES if (REAL_PAGES / n).is_file()]
        items = [(f"/real/{n}", REAL_GOV_PAGES[n], "2019-09-18") for n in names]
        self._html(pages.list_page("真实页面", items, ""))

    def real_page(self, query: dict, name: str) -> None:
        path = REAL_PAGES / name
        if not path.is_file():
            return self._not_found()
        self._send(200, path.read_bytes(), "text/html", conditional=True)

    # -- attachments ------------------------------------------------------------------
    def file(self, query: dict, i: str, ext: str) -> None:
        doc_i = int(i)
        data = attachment_bytes(ext, document(doc_i).text)
        self._send(200, data, "application/octet-stream", conditional=True)

    def corrupt_file(self, query: dict) -> None:
        self._send(
            200,
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nthis is not really a pdf\x00\x01\x02",
            "application/pdf",
        )

    # -- generated pages for the bench --------------------------------------------------
    def gen_list(self, query: dict, n: str | None) -> None:
        page = int(n or 0)
        start, end = page * GEN_PER_PAGE, min((page + 1) * GEN_PER_PAGE, self.state.generated)
        if start >= max(self.state.generated, 1) and page:
            return self._not_found()
        total = max(1, -(-self.state.generated // GEN_PER_PAGE))
        items = [
            (f"/gen/202401/t20240101_{i}.html", document(i).title, "2024-01-01")
            for i in range(start, end)
        ]
        self._html(pages.list_page("生成页面", items, pages.trs_pager(total, page)))

    def gen_detail(self, query: dict, i: str) -> None:
        doc_i = int(i)
        if doc_i >= self.state.generated:
            return self._not_found()
        if not self.state.gen_gate():
            return self._send(503, b"<html><body>held at the gate</body></html>")
        self._html(pages.trs_detail(document(doc_i)), conditional=True)


ROUTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), name)
    for p, name in [
        (r"/(?:index\.html)?", "root"),
        (r"/robots\.txt", "robots"),
        (r"/trs/(?:index(?:_(\d+))?\.html)?", "trs_list"),
        (r"/trs/(\d{6})/t\d{8}_(\d+)\.html", "trs_detail"),
        (r"/hanweb/col/col1229/index\.html", "hanweb_list"),
        (r"/hanweb/art/\d{4}/\d{1,2}/\d{1,2}/art_1229_(\d+)\.html", "hanweb_detail"),
        (r"/json/index\.html", "json_shell"),
        (r"/json/api/list", "json_api"),
        (r"/json/content/post_(\d+)\.html", "json_detail"),
        (r"/gbk/index\.html", "gbk_list"),
        (r"/gbk/content/(\d+)\.html", "gbk_detail"),
        (r"/hostile/index\.html", "hostile_list"),
        (r"/hostile/error500\.html", "hostile_500"),
        (r"/hostile/slow\.html", "hostile_slow"),
        (r"/hostile/broken\.html", "hostile_broken"),
        (r"/hostile/huge\.html", "hostile_huge"),
        (r"/hostile/corrupt-attachment\.html", "hostile_corrupt"),
        (r"/hostile/changing\.html", "hostile_changing"),
        (r"/private/.*", "private"),
        (r"/real/index\.html", "real_list"),
        (r"/real/([\w.-]+\.html)", "real_page"),
        (r"/files/doc(\d+)\.(pdf|docx|doc)", "file"),
        (r"/files/corrupt\.pdf", "corrupt_file"),
        (r"/gen/(?:index(?:_(\d+))?\.html)?", "gen_list"),
        (r"/gen/202401/t20240101_(\d+)\.html", "gen_detail"),
    ]
]
