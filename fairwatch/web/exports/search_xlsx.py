"""Search results as an .xlsx workbook (openpyxl): one row per hit, with its findings."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from analyzers.sectors import SECTOR_LABELS
from storage import repository
from storage.db import Database
from storage.models import GRADES
from storage.search.base import SearchIndex, SearchQuery

COLUMNS = ("文件ID", "标题", "来源", "类别", "平台", "发文机关", "文号", "发布日期", "采集时间",
           "最高等级", "疑似问题条款", "涉及标准", "行业", "审查结论", "链接", "内容SHA-256",
           "摘录")
_TAGS = re.compile(r"<[^>]+>")
# Characters a spreadsheet would run as a formula (CSV/formula injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str):
        value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


def search_xlsx(db: Database, index: SearchIndex, query: SearchQuery, text: str) -> bytes:
    result = index.search(query)
    book = Workbook()
    sheet = book.active
    sheet.title = "检索结果"
    exported = datetime.now(UTC).isoformat(timespec="seconds")
    counts = f"共 {result.total} 条，导出 {len(result.hits)} 条"
    sheet.append([f"检索：{text or '（全部）'}", counts, f"导出时间 {exported}"])
    sheet.append(list(COLUMNS))
    for hit in result.hits:
        detail = repository.show_document(db, hit.doc_id)
        v = detail.latest
        standing = [f for f in v.findings if f.obsolete is None]
        grades = [f.grade for f in standing]
        worst = next((g for g in GRADES if g in grades), "")
        sectors = sorted({SECTOR_LABELS.get(f.sector, f.sector) for f in standing if f.sector})
        statuses = sorted({f.review_status or "open" for f in standing})
        row = [
            detail.id, v.title, detail.source_id, detail.kind, detail.platform or "",
            v.issuer or "", v.doc_number or "", v.published.isoformat() if v.published else "",
            v.fetched_at.isoformat(timespec="seconds"), worst, len(standing),
            " ".join(sorted({f.standard for f in standing})), " ".join(sectors),
            " ".join(statuses), detail.url,
            v.content_hash, " … ".join(_TAGS.sub("", h) for h in hit.highlights),
        ]
        sheet.append([_cell(c) for c in row])
    for i, width in enumerate((8, 40, 16, 8, 10, 20, 18, 12, 20, 10, 8, 16, 12, 14, 40, 20, 60), 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
