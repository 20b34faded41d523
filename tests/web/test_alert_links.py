"""With console_url set, the links in finding alerts open the console's document page and
the digest link opens the flagged queue."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from alerts import finding_hook, load_alerts_config
from alerts import outbox as alerts_outbox
from alerts.messages import build_message
from analyzers.registry import get_analyzer
from fairwatch.pipeline import DocumentPipeline
from tests.web.conftest import Site, login
from tests.web.corpus import records

CONSOLE = "http://testserver/console"


def _links(value: object) -> list[str]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "link" and isinstance(item, str):
                found.append(item)
            found += _links(item)
    elif isinstance(value, list):
        for item in value:
            found += _links(item)
    return found


def test_alert_links_open_console_pages(site: Site, client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text("channels:\n  c: {type: webhook, url: \"http://127.0.0.1:9/in\"}\n"
                    "routes:\n  - {name: r, channels: [c]}\n", encoding="utf-8")
    config = load_alerts_config(path)
    record = records()[2]
    record.url += "?again"  # a new document, so its findings are queued now
    stored = DocumentPipeline(
        site.db, index=site.index, analyzer_for=get_analyzer,
        after_findings=finding_hook(config, console_url=CONSOLE),
    ).process(record)
    rows = [r for r in alerts_outbox.list_rows(site.db) if r.kind == "finding"]
    assert rows
    links = sorted(set(_links([r.payload for r in rows])))
    assert links == [f"{CONSOLE}/documents/{stored.doc_id}"], json.dumps(
        [r.payload for r in rows], ensure_ascii=False)[:2000]
    digest = build_message("g", "r", "finding", rows, digest=True, console_url=CONSOLE)
    assert digest.link == f"{CONSOLE}/documents?flagged=1"
    login(client, "viewer")
    page = client.get(links[0].removeprefix("http://testserver/console"))
    assert page.status_code == 200 and record.title in page.text
    queue = client.get(digest.link.removeprefix("http://testserver/console"))
    assert queue.status_code == 200 and record.title in queue.text
