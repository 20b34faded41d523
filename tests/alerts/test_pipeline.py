"""The pipeline queues alerts with the findings, through the real analyzers: on first store,
and through retry_pending when the analysis ran later; secrets stay out of every log line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts import deliver_due, finding_hook, list_rows
from fairwatch.app import analyzer_lookup
from fairwatch.pipeline import DocumentPipeline
from storage.db import Database
from storage.records import DocumentRecord

BREACH = (
    "关于加强全市公共资源交易管理的通知\n"
    "一、本市政府投资工程项目使用的预拌混凝土，须从本市备案的本地企业中采购。\n"
    "二、全市新建住宅小区的智能门锁统一由市城投智能科技有限公司供货安装，其他企业不得参与。\n"
)


def _record(url: str = "https://www.sz.gov.cn/zwgk/1.html") -> DocumentRecord:
    return DocumentRecord(
        source_id="sz-gov", url=url, kind="policy", title="关于加强全市公共资源交易管理的通知",
        body=BREACH, fetched_at=datetime(2026, 12, 1, tzinfo=UTC),
        metadata={"issuer": "深圳市人民政府办公厅", "doc_number": "深府办〔2026〕3号"},
    )


def test_pipeline_queues_alerts_with_findings_and_on_retry(
    db: Database, receiver, alerts_file
) -> None:
    hook = receiver()
    _, config = alerts_file(
        f'channels:\n  hook: {{type: webhook, url: "{hook.url}/h"}}\n'
        "routes:\n  - {name: every-flag, channels: [hook]}\n"
    )
    pipeline = DocumentPipeline(db, analyzer_for=analyzer_lookup(),
                                after_findings=finding_hook(config))
    result = pipeline.process(_record())
    assert result.flagged
    rows = list_rows(db)
    assert rows and {r.payload["standard"] for r in rows} >= {"FC-8-3"}
    assert all(r.payload["doc_number"] == "深府办〔2026〕3号" for r in rows)

    # Stored without an analyzer: analysis pending, nothing queued; retry_pending queues.
    later = DocumentPipeline(db, after_findings=finding_hook(config))
    later.process(_record("https://www.sz.gov.cn/zwgk/2.html"))
    assert len(list_rows(db)) == len(rows)
    later.analyzer_for = analyzer_lookup()
    assert later.retry_pending()["analysis"] == 1
    assert len(list_rows(db)) == 2 * len(rows)  # another URL: other finding identities
    report = deliver_due(db, config)
    assert report.messages == 2 * len(rows)
    assert all("深府办〔2026〕3号" in r.json["text"] for r in hook.accepted)


def test_robot_secrets_never_reach_logs_or_errors(
    db: Database, alerts_file, caplog: pytest.LogCaptureFixture, receiver
) -> None:
    down = receiver(refuse_always=True)
    _, config = alerts_file(
        "channels:\n"
        f'  d: {{type: dingtalk, base_url: "{down.url}/robot/send", token: "${{T}}", '
        'secret: "${S}"}\n'
        f'  w: {{type: wecom, base_url: "http://127.0.0.1:9/send", key: "${{K}}"}}\n'
        "routes:\n  - {name: r, channels: [d, w]}\n",
        T="dt-Token-8842", S="SEC-sign-5531", K="wecom-Key-1907",
    )
    pipeline = DocumentPipeline(db, analyzer_for=analyzer_lookup(),
                                after_findings=finding_hook(config))
    with caplog.at_level("DEBUG"):
        pipeline.process(_record())
        report = deliver_due(db, config)
    assert report.retried > 0 and report.messages == 0
    assert "HTTP Request: POST" in caplog.text  # httpx did log its requests...
    seen = caplog.text + " ".join(report.errors)
    seen += " ".join(r.last_error or "" for r in list_rows(db))
    for secret in ("dt-Token-8842", "SEC-sign-5531", "wecom-Key-1907"):
        assert secret not in seen  # ...with the token, key and signature masked
    assert "access_token=***" in caplog.text
