"""监测评估: the statistics page and the .docx report show the figures that plain SQL on the
database file gives, computed here without the console's code."""

from __future__ import annotations

import io
import re
import sqlite3
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime

import docx
from fastapi.testclient import TestClient

from storage import repository
from tests.web.conftest import Site, login

MEASURES = ("monitored", "flagged", "confirmed", "rectified")
LATEST = "(SELECT status FROM reviews r WHERE r.finding_id = f.id ORDER BY r.id DESC LIMIT 1)"


def _review_some(site: Site) -> None:
    def findings(tail: str) -> list:
        return repository.show_document(site.db, site.doc(tail)).latest.findings

    a1, a2, b1 = findings("city-a/1.html"), findings("city-a/2.html"), findings("county-b/1.html")
    repository.add_review(site.db, a1[0].id, "confirmed", "reviewer")
    repository.add_review(site.db, a2[0].id, "confirmed", "reviewer",
                          at=datetime(2024, 5, 1, tzinfo=UTC))
    repository.add_review(site.db, a2[0].id, "rectified", "reviewer",
                          at=datetime(2024, 6, 10, tzinfo=UTC))
    repository.add_review(site.db, b1[0].id, "false_alarm", "reviewer")


def _expected(site: Site, region: str | None = None, date_from: date | None = None) -> dict:
    path = site.db.engine.url.database
    con = sqlite3.connect(path)
    rows = con.execute(
        f"""
        SELECT d.id, s.region, v.published, date(d.first_seen_at),
          EXISTS (SELECT 1 FROM findings f WHERE f.version_id = v.id AND f.obsolete IS NULL
                  AND f.grade IN ('明显违反', '疑似')),
          EXISTS (SELECT 1 FROM findings f JOIN document_versions fv ON fv.id = f.version_id
                  WHERE fv.document_id = d.id AND {LATEST} IN ('confirmed', 'rectified')),
          EXISTS (SELECT 1 FROM findings f JOIN document_versions fv ON fv.id = f.version_id
                  WHERE fv.document_id = d.id AND {LATEST} = 'rectified'),
          (SELECT min(date(r.created_at)) FROM reviews r JOIN findings f ON f.id = r.finding_id
           JOIN document_versions fv ON fv.id = f.version_id
           WHERE fv.document_id = d.id AND r.status = 'rectified')
        FROM documents d JOIN sources s ON s.id = d.source_id
        JOIN document_versions v ON v.id = (SELECT max(id) FROM document_versions
                                            WHERE document_id = d.id)
        WHERE d.kind = 'policy'
        """
    ).fetchall()
    con.close()
    totals = dict.fromkeys(MEASURES, 0)
    by_region: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    detection, rectification = [], []
    for _id, reg, published, seen, flagged, confirmed, rectified, rectified_on in rows:
        day = date.fromisoformat(published or seen)
        if region and reg != region or date_from and day < date_from:
            continue
        for bucket in (totals, by_region[reg]):
            bucket["monitored"] += 1
            bucket["flagged"] += flagged
            bucket["confirmed"] += confirmed
            bucket["rectified"] += rectified
        if published:
            detection.append((date.fromisoformat(seen) - date.fromisoformat(published)).days)
            if rectified_on:
                rectification.append(
                    (date.fromisoformat(rectified_on) - date.fromisoformat(published)).days
                )
    return {
        "totals": totals, "by_region": dict(by_region),
        "detection_median": statistics.median(detection) if detection else None,
        "rectification_median": statistics.median(rectification) if rectification else None,
    }


def _page_figures(html: str) -> dict:
    totals_html = html.split('id="totals"', 1)[1].split("</section>", 1)[0]
    totals = {m: int(n) for m, n in re.findall(r'data-measure="(\w+)">(\d+)<', totals_html)}
    region_html = html.split('id="by-region"', 1)[1].split("</table>", 1)[0]
    by_region = {}
    for key, cells in re.findall(r"<tr><td>([^<]+)</td>(.*?)</tr>", region_html):
        by_region[key] = {m: int(n) for m, n in re.findall(r'data-measure="(\w+)">(\d+)<', cells)}

    def number(id_: str) -> float | None:
        value = re.search(rf'id="{id_}">([^<]+)<', html).group(1)
        return None if value == "—" else float(value)

    return {"totals": totals, "by_region": by_region,
            "detection_median": number("detection-median"),
            "rectification_median": number("rectification-median")}


def test_statistics_page_matches_the_database(site: Site, client: TestClient) -> None:
    _review_some(site)
    login(client, "viewer")
    expected = _expected(site)
    # The fixture exercises every measure (so equal zeros cannot pass by accident).
    assert expected["totals"] == {"monitored": 5, "flagged": 4, "confirmed": 2, "rectified": 1}
    assert expected["rectification_median"] == (date(2024, 6, 10) - date(2024, 4, 10)).days
    shown = _page_figures(client.get("/statistics").text)
    assert shown == expected
    filtered = _page_figures(client.get("/statistics",
                                        params={"region": "甲市", "from": "2024-04-01"}).text)
    assert filtered == _expected(site, region="甲市", date_from=date(2024, 4, 1))
    assert filtered["totals"]["monitored"] == 2


def test_report_docx_matches_the_database(site: Site, client: TestClient) -> None:
    _review_some(site)
    login(client, "reviewer")
    expected = _expected(site)
    r = client.get("/statistics/report.docx")
    assert r.status_code == 200
    report = docx.Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in report.paragraphs)
    t = expected["totals"]
    assert "公平竞争审查监测评估报告" in text
    assert (f"本期共监测政策措施 {t['monitored']} 件，其中存在疑似问题 {t['flagged']} 件，"
            f"经审查确认违规 {t['confirmed']} 件，已整改 {t['rectified']} 件。") in text
    assert f"中位数 {float(expected['rectification_median'])} 天" in text
    region_table = next(tb for tb in report.tables if tb.rows[0].cells[0].text == "地区")
    shown = {row.cells[0].text: [int(c.text) for c in row.cells[1:]]
             for row in region_table.rows[1:]}
    assert shown == {k: [v[m] for m in MEASURES] for k, v in expected["by_region"].items()}
