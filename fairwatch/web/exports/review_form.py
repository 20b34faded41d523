"""公平竞争审查表 for one document (.docx, python-docx): the measure's facts, then each
confirmed or suspected clause with its standard, article, grade and the reviewer's note."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from fairwatch.web.labels import STATUS_LABELS
from storage.repository.reviews import HistoryEntry
from storage.repository.views import DocumentDetail

# Clauses that go on the form: everything not judged a false alarm.
ON_FORM = ("open", "confirmed", "rectified", "needs_review")
STATES = {"current": "现行", "repealed": "已废止", "removed": "已从网站删除"}
HEADINGS = ("序号", "条款原文", "审查标准", "依据条文", "等级与结论", "审查人意见")


def _cell_text(cell, text: str, *, bold: bool = False) -> None:  # noqa: ANN001
    cell.text = ""
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    run.font.size = Pt(10.5)


def review_form_docx(
    detail: DocumentDetail, history: list[HistoryEntry], exported_by: str
) -> bytes:
    v = detail.latest
    doc = new_docx()
    title = doc.add_heading("公平竞争审查表", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    facts = doc.add_table(rows=0, cols=2)
    facts.style = "Table Grid"
    for label, value in (
        ("政策措施名称", v.title),
        ("发文机关", v.issuer or "—"),
        ("文号", v.doc_number or "—"),
        ("发布日期", v.published.isoformat() if v.published else "—"),
        ("来源网址", detail.url),
        ("采集时间", v.fetched_at.isoformat(timespec="seconds")),
        ("内容 SHA-256", v.content_hash),
        ("文件状态", STATES[detail.state]),
    ):
        cells = facts.add_row().cells
        _cell_text(cells[0], label, bold=True)
        _cell_text(cells[1], value)
    doc.add_heading("审查意见：涉嫌违反审查标准的条款", level=1)
    notes: dict[int, list[HistoryEntry]] = {}
    for entry in history:
        notes.setdefault(entry.finding_id, []).append(entry)
    clauses = [f for f in v.findings if (f.review_status or "open") in ON_FORM]
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, head in zip(
table.rows[0].cells, HEADINGS, strict=True):
        _cell_text(cell, head, bold=True)
    for n, f in enumerate(clauses, 1):
        reviewed = notes.get(f.id, [])
        opinion = "；".join(
            f"{e.reviewer} {e.created_at.date().isoformat()} {STATUS_LABELS[e.status]}"
            + (f"：{e.note}" if e.note else "")
            for e in reviewed
        )
        cells = table.add_row().cells
        for cell, text in zip(
            cells,
            (str(n), f.quote, f.standard, f.citation,
             f"{f.grade} · {STATUS_LABELS[f.review_status or 'open']}"
             + (f"（可能适用例外：{f.exception}）" if f.exception else ""),
             opinion or "—"),
            strict=True,
        ):
            _cell_text(cell, text)
    if not clauses:
        doc.add_paragraph("未发现涉嫌违反审查标准的条款。")
    confirmed = sum(1 for f in clauses if f.review_status in ("confirmed", "rectified"))
    doc.add_heading("审查结论", level=1)
    doc.add_paragraph(
        f"共 {len(clauses)} 处条款列入本表，其中确认违规 {confirmed} 处"
        f"（已整改 {sum(1 for f in clauses if f.review_status == 'rectified')} 处），"
        f"其余待审查或需复核。"
    )
    doc.add_paragraph(
        f"导出人：{exported_by}　导出时间：{datetime.now(UTC).isoformat(timespec='seconds')}"
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
