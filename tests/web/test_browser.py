"""The console in Debian's Chromium (pytest-playwright, the system browser, never a
download): a reviewer's and a monitor's work end to end, and hostile crawled content that
must not run. Screenshots and downloads are kept under test-artifacts/web/."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import docx
import openpyxl
import pytest
from playwright.sync_api import Page, expect

from storage import repository
from tests.web.conftest import PASSWORD, Site
from tests.web.corpus import HOSTILE_TITLE
from tests.web.server import serving

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


@pytest.fixture(scope="session")
def base_url() -> None:
    """pytest-base-url's own fixture trips a pytest deprecation; each test has its URL."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/services.sh start` (installs it)")
    from crawlers.browser.settings import CHROMIUM_ARGS

    return {**browser_type_launch_args, "executable_path": str(CHROMIUM),
            "args": list(CHROMIUM_ARGS), "headless": True}


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900},
            "accept_downloads": True, "locale": "zh-CN"}


@pytest.fixture
def console_url(site: Site) -> Iterator[str]:
    with serving(site.app) as url:
        yield url


@pytest.fixture
def watched(page: Page) -> Iterator[tuple[Page, list[str]]]:
    """The page, and every dialog and console error it raises (CSP refusals included)."""
    problems: list[str] = []

    def on_dialog(dialog) -> None:  # noqa: ANN001
        problems.append(f"dialog {dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    yield page, problems


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _log_in(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/documents")
    expect(page).to_have_url(f"{url}/login?next=%2Fdocuments")
    _shot(page, "01-login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{url}/documents")


def test_reviewer_and_monitor_work(site: Site, console_url: str, watched) -> None:  # noqa: ANN001
    page, problems = watched
    _log_in(page, console_url, "reviewer")
    expect(page.locator("#queue tbody tr")).to_have_count(5)
    _shot(page, "02-queue")

    page.click("text=检索")
    page.fill("input[name=q]", "本地企业")
    page.click("#search-form button[type=submit]")
    expect(page.locator("#total")).to_have_text("共 2 条结果")
    expect(page.locator(".fragment em").first).to_have_text("本地企业")
    _shot(page, "03-search")
    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    xlsx = ARTIFACTS / "search-results.xlsx"
    download_info.value.save_as(xlsx)
    rows = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[0][0] == "检索：本地企业" and len(rows) == 2 + 2

    page.click("ol.hits a:text('甲市政府采购管理办法')")
    expect(page.locator("#doc-title")).to_have_text("甲市政府采购管理办法")
    expect(page.locator("mark.clause").first).to_be_visible()
    _shot(page, "04-document")
    doc_id = site.doc("city-a/1.html")
    findings = repository.show_document(site.db, doc_id).latest.findings
    first, second = findings[0], findings[1]
    card = page.locator(f"#finding-{first.id}")
    card.locator("textarea[name=note]").fill("限定本地企业中标，确认违规")
    card.locator("button.act-confirmed").click()
    expect(page.locator(f"#finding-{first.id} .status")).to_have_text("确认违规")
    card = page.locator(f"#finding-{second.id}")
    card.locator("textarea[name=note]").fill("非限定性表述")
    card.locator("button.act-false_alarm").click()
    expect(page.locator(f"#finding-{second.id} .status")).to_have_text("误报")
    expect(page.locator("#history tbody tr")).to_have_count(2)
    _shot(page, "05-document-reviewed")
    after = {f.id: f for f in repository.show_document(site.db, doc_id).latest.findings}
    assert after[first.id].review_status == "confirmed"
    assert after[second.id].review_status == "false_alarm"
    assert after[first.id].reviews[-1].note == "限定本地企业中标，确认违规"

    with page.expect_download() as download_info:
        page.click("#export-form")
    form_path = ARTIFACTS / "review-form.docx"
    download_info.value.save_as(form_path)
    form = docx.Document(io.BytesIO(form_path.read_bytes()))
    cells = [row.cells for row in form.tables[1].rows[1:]]
    assert any("限定本地企业中标，确认违规" in c[5].text for c in cells)
    assert not any("非限定性表述" in c[5].text for c in cells)

    for path, name, marker in (("/statistics", "06-statistics", "#totals"),
                               ("/operations", "07-operations", "#sources"),
                               ("/rules", "08-rules", "#rules")):
        page.goto(console_url + path)
        expect(page.locator(marker)).to_be_visible()
        _shot(page, name)
    assert page.locator("svg.chart").count() == 0  # only the statistics page draws one
    page.goto(console_url + "/statistics")
    expect(page.locator("svg.chart")).to_be_visible()
    assert problems == []


def test_hostile_document_runs_no_script(site: Site, console_url: str, watched) -> None:  # noqa: ANN001
    page, problems = watched
    _log_in(page, console_url, "viewer")
    doc_id = site.doc("city-a/3.html")
    page.goto(f"{console_url}/documents/{doc_id}")
    expect(page.locator("#doc-title")).to_have_text(HOSTILE_TITLE)  # shown as text
    body = page.locator("#body")
    expect(body).to_contain_text('<script>alert("script-ran")</script>')
    expect(body).to_contain_text("javascript:alert('js-url-ran')")
    # The clause after the payloads is still found and highlighted.
    expect(body.locator("mark.clause").first).to_contain_text("本地企业")
    # Our one script is the only script; no element carries an event handler or js: URL.
    scripts = page.eval_on_selector_all("script", "els => els.map(e => e.src)")
    assert scripts == [f"{console_url}/static/console.js"]
    handlers = page.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
             .filter(a => a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value))
             .map(a => el.tagName + ' ' + a.name))"""
    )
    assert handlers == []
    body.hover()
    page.mouse.move(5, 5)
    _shot(page, "09-hostile-document")
    page.goto(f"{console_url}/search?q=采购管理")
    expect(page.locator("ol.hits")).to_contain_text("<script>")
    page.goto(f"{console_url}/documents")
    expect(page.locator("#queue")).to_contain_text('alert("title-ran")')
    _shot(page, "10-hostile-in-lists")
    assert problems == []
