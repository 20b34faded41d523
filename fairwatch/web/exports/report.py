"""公平竞争审查监测评估报告 (.docx) for a region and period, from `statistics.evaluation`."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH

from storage.repository.statistics import Counts, Evaluation

MEASURES = (("monitored", "监测文件"), ("flagged", "存在疑似问题"), ("confirmed", "确认违规"),
            ("rectified", "已整改"))


def _counts_table(doc, title: str, groups: dict[str, Counts]) -> None:  # noqa: ANN001
    doc.add_heading(title, level=1)
    table = doc.add_table(rows=1, cols=1 + len(MEASURES))
    table.style = "Table Grid"
    table.rows[0].cells[0].text = title.removeprefix("按")
    for cell, (_, label) in zip(table.rows[0].cells[1:], MEASURES, strict=True):
        cell.text = label
    for key, counts in groups.items():
        cells = table.add_row().cells
        cells[0].text = key
        for cell, (measure, _) in zip(cells[1:], MEASURES, strict=True):
            cell.text = str(getattr(counts, measure))


def _days(summary: dict) -> str:
    if not summary["n"]:
        return "无可计算的文件"
    return f"{summary['n']} 件，平均 {summary['mean']} 天，中位数 {summary['median']} 天"


def report_docx(ev: Evaluation, exported_by: str) -> bytes:
    doc = new_docx()
    heading = doc.add_heading("公平竞争审查监测评估报告", level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period = f"{ev.date_from.isoformat() if ev.date_from else '最早'} 至 " \
             f"{ev.date_to.isoformat() if ev.date_to else '最新'}"
    doc.add_paragraph(f"地区：{ev.region or '全部'}　期间：{period}")
    doc.add_heading("总体情况", level=1)
    t = ev.totals
    doc.add_paragraph(
        f"本期共监测政策措施 {t.monitored} 件，其中存在疑似问题 {t.flagged} 件，"
        f"经审查确认违规 {t.confirmed} 件，已整改 {t.rectified} 件。"
    )
    doc.add_paragraph(f"从发布到发现：{_days(ev.detection)}。")
    doc.add_paragraph(f"从发布到整改：{_days(ev.rectification)}。")
    summary = doc.add_table(rows=1, cols=len(MEASURES))
    summary.style = "Table Grid"
    for cell, (measure, label) in zip(summary.rows[0].cells, MEASURES, strict=True):
        cell.text = f"{label}\n{getattr(t, measure)}"
    _counts_table(doc, "按地区", ev.by_region)
    _counts_table(doc, "按发文机关", ev.by_issuer)
    _counts_table(doc, "按月份", ev.by_month)
    doc.add_heading("违反最多的审查标准", level=1)
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("审查标准", "疑似问题条款", "确认违规条款"),
                          strict=True):
        cell.text = text
    for standard, flagged, confirmed in ev.by_standard:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = standard, str(flagged), str(confirmed)
    doc.add_paragraph(
        f"生成人：{exported_by}　生成时间：{datetime.now(UTC).isoformat(timespec='seconds')}"
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
