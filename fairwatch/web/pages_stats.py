"""监测评估: the statistics page and its .docx report for a region and period."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from fairwatch.web.auth import Caller, console, page
from fairwatch.web.charts import bar_chart
from fairwatch.web.dates import parse_day
from fairwatch.web.exports import download
from fairwatch.web.templating import render
from storage.repository.statistics import Evaluation, evaluation

router = APIRouter(include_in_schema=False)
MEASURE_LABELS = {"monitored": "监测", "flagged": "疑似问题", "confirmed": "确认违规",
                  "rectified": "已整改"}


def period_evaluation(
    request: Request,
    region: str = "",
    date_from: Annotated[str, Query(alias="from")] = "",
    date_to: Annotated[str, Query(alias="to")] = "",
    kind: str = "policy",
) -> Evaluation:
    """The figures for the region, period and kind the query asks for (both routes' query)."""
    return evaluation(
        console(request).db, region=region or None, date_from=parse_day(date_from, "from"),
        date_to=parse_day(date_to, "to"), kind=kind if kind in ("policy", "ad") else "policy",
    )


@router.get("/statistics")
def statistics_page(
    request: Request,
    caller: Annotated[Caller, Depends(page("read"))],
    ev: Annotated[Evaluation, Depends(period_evaluation)],
) -> Response:
    months = list(ev.by_month)
    chart = bar_chart(
        months,
        {MEASURE_LABELS[m]: [getattr(ev.by_month[k], m) for k in months] for m in MEASURE_LABELS},
        title="按月趋势",
    )
    query = request.query_params
    args = {k: v for k, v in query.items() if v}
    return render(request, "statistics.html", caller, ev=ev, chart=chart, args=args,
                  measures=MEASURE_LABELS, region=query.get("region", ""),
                  date_from=query.get("from", ""), date_to=query.get("to", ""))


@router.get("/statistics/report.docx")
def statistics_report(
    caller: Annotated[Caller, Depends(page("export"))],
    ev: Annotated[Evaluation, Depends(period_evaluation)],
) -> Response:
    from fairwatch.web.exports.report import report_docx

    return download(report_docx(ev, caller.name), "monitoring-report.docx")
