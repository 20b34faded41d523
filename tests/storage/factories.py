"""Records the storage tests build again and again."""

from __future__ import annotations

from storage.records import FindingRecord


def finding(
    standard: str = "FC-9-3", grade: str = "疑似", start: int = 0, **kw: object
) -> FindingRecord:
    values: dict[str, object] = {
        "standard": standard,
        "rule": f"rule-{standard}",
        "grade": grade,
        "start": start,
        "end": start + 4,
        "quote": "本地企业",
        "citation": "公平竞争审查条例 第九条（三）",
        "explanation": "限定本地企业中标",
    }
    values.update(kw)
    return FindingRecord(**values)  # type: ignore[arg-type]
