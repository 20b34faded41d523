"""Stored documents with findings, written the way the pipeline writes them: through
store_document with the alerts hook, so their outbox rows commit with the findings."""

from __future__ import annotations

from datetime import UTC, datetime

from alerts import AlertsConfig, finding_hook
from storage import repository
from storage.db import Database
from storage.records import DocumentRecord, FindingRecord

CITATION = (
    "《公平竞争审查条例》第八条（三）：限定经营、购买或者使用特定经营者提供的商品或者服务"
    "（以下统称商品）"
)


def finding(n: int = 0, *, standard: str = "FC-8-3", grade: str = "明显违反") -> FindingRecord:
    quote = f"第{n}项工程统一由指定企业供货"
    return FindingRecord(
        standard=standard,
        rule=f"rule-{standard.lower()}",
        grade=grade,
        start=n * 20,
        end=n * 20 + len(quote),
        quote=quote,
        citation=CITATION,
        explanation="「统一由」特定的「企业」，限定了交易对象（命中线索：「统一由」、「指定」）",
    )


def store(
    db: Database,
    config: AlertsConfig,
    *,
    source: str = "gd-gov",
    url: str = "https://www.gd.gov.cn/zwgk/1.html",
    findings: list[FindingRecord],
    body: str = "正文",
    console_url: str = "",
) -> int:
    """Store one document version with these findings; returns its version id."""
    record = DocumentRecord(
        source_id=source,
        url=url,
        kind="policy",
        title="关于规范工程建设材料采购的通知",
        body=body,
        fetched_at=datetime(2026, 12, 1, tzinfo=UTC),
        metadata={"issuer": "广东省住房和城乡建设厅", "doc_number": "粤建〔2026〕12号"},
    )
    stored = repository.store_document(
        db,
        record,
        analysis=lambda: findings,
        after_findings=finding_hook(config, console_url=console_url),
    )
    assert stored.analysis_error is None, stored.analysis_error
    return stored.version_id
