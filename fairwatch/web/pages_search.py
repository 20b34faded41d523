"""The search page for ad monitors, and its results as .xlsx."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from fairwatch.web.auth import Caller, console, page
from fairwatch.web.exports import download
from fairwatch.web.highlight import clean
from fairwatch.web.labels import KIND_LABELS, SECTOR_LABELS
from fairwatch.web.search_form import SearchParams
from fairwatch.web.templating import render
from storage.search.base import GRADES, SORTS

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
EXPORT_LIMIT = 1000
FACET_LABELS = {"standard": "标准", "sector": "行业", "grade": "等级", "source": "来源",
                "region": "地区", "platform": "平台", "month": "月份"}
# Facets whose values link to a filter, and the query parameter each sets.
FACET_PARAMS = {"standard": "standard", "sector": "sector", "grade": "grade", "source": "source",
                "region": "region", "platform": "platform"}


def _params(
    q: str = "", kind: str = "", platform: str = "", region: str = "", source: str = "",
    standard: str = "", sector: str = "", grade: str = "", flagged: str = "",
    date_from: Annotated[str, Query(alias="from")] = "",
    date_to: Annotated[str, Query(alias="to")] = "",
    sort: str = "relevance", after: str = "",
) -> SearchParams:
    return SearchParams(q=q, kind=kind, platform=platform, region=region, source=source,
                        standard=standard, sector=sector, grade=grade, flagged=flagged,
                        date_from=date_from, date_to=date_to, sort=sort, after=after)


@router.get("/search")
def search_page(
    request: Request,
    caller: Annotated[Caller, Depends(page("read"))],
    params: Annotated[SearchParams, Depends(_params)],
) -> Response:
    query = params.query(size=PAGE_SIZE)
    result = console(request).index.search(query)
    hits = [(hit, [clean(h) for h in hit.highlights]) for hit in result.hits]
    # Backends return facet values in their own order: months in time, others by count.
    facets = {
        name: sorted(counts.items(), key=(lambda kv: kv[0]) if name == "month"
                     else (lambda kv: (-kv[1], kv[0])))
        for name, counts in result.aggregations.items() if counts
    }
    args = {k: v for k, v in request.query_params.items() if k != "after" and v}
    return render(
        request, "search.html", caller, params=params, result=result, hits=hits, args=args,
        facets=facets, facet_params=FACET_PARAMS, facet_labels=FACET_LABELS,
        value_labels={"sector": SECTOR_LABELS}, kinds=KIND_LABELS, sectors=SECTOR_LABELS,
        grades=GRADES, sorts=SORTS,
    )


@router.get("/search.xlsx")
def search_export(
    request: Request,
    caller: Annotated[Caller, Depends(page("export"))],
    params: Annotated[SearchParams, Depends(_params)],
) -> Response:
    from fairwatch.web.exports.search_xlsx import search_xlsx

    app = console(request)
    params.after = ""
    data = search_xlsx(app.db, app.index, params.query(size=EXPORT_LIMIT), params.q)
    return download(data, "search-results.xlsx")
