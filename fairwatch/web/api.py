"""The JSON API under /api/: search, documents, findings and reviews, bearer-token auth.

Errors share one body, `{"error": {"status", "code", "message"}}` (fairwatch/web/app.py).
The OpenAPI description is at /api/openapi.json (it needs a token too).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from fairwatch.web.auth import Caller, api, console
from fairwatch.web.pages_review import reindex
from fairwatch.web.search_form import SearchParams
from storage import repository
from storage.errors import FindingNotFound
from storage.repository import reviews

router = APIRouter(prefix="/api", tags=["api"])
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 422)
}


class HitOut(BaseModel):
    doc_id: int
    title: str
    url: str
    source_id: str
    score: float
    highlights: list[str]


class SearchOut(BaseModel):
    total: int
    next_after: str | None
    hits: list[HitOut]
    aggregations: dict[str, dict[str, int]]


class ReviewOut(BaseModel):
    id: int
    status: str
    reviewer: str
    note: str | None
    created_at: datetime


class FindingOut(BaseModel):
    id: int
    document_id: int
    version_id: int
    standard: str
    rule: str
    grade: str
    field: str
    start: int
    end: int
    quote: str
    citation: str
    explanation: str
    exception: str | None
    sector: str | None
    obsolete: str | None
    status: str
    reviews: list[ReviewOut]


class DocumentSummaryOut(BaseModel):
    id: int
    source_id: str
    url: str
    kind: str
    title: str
    issuer: str | None
    doc_number: str | None
    published: date | None
    findings: int
    grade: str | None


class DocumentListOut(BaseModel):
    total: int
    items: list[DocumentSummaryOut]


class DocumentOut(BaseModel):
    id: int
    source_id: str
    url: str
    kind: str
    platform: str | None
    state: str
    version: int
    title: str
    body: str
    issuer: str | None
    doc_number: str | None
    published: date | None
    fetched_at: datetime
    content_hash: str
    findings: list[FindingOut]


class ReviewIn(BaseModel):
    status: Literal["confirmed", "false_alarm", "rectified", "needs_review"]
    note: str | None = Field(None, max_length=4000)


def _finding(f: Any, document_id: int) -> FindingOut:
    return FindingOut(
        id=f.id, document_id=document_id, version_id=f.version_id, standard=f.standard,
        rule=f.rule, grade=f.grade, field=f.field, start=f.start, end=f.end, quote=f.quote,
        citation=f.citation, explanation=f.explanation, exception=f.exception, sector=f.sector,
        obsolete=f.obsolete, status=f.review_status or "open",
        reviews=[ReviewOut(**vars(r)) for r in f.reviews],
    )


@router.get("/search", response_model=SearchOut, responses=ERRORS)
def search(
    request: Request,
    caller: Annotated[Caller, Depends(api("read"))],
    q: Annotated[str, Query(max_length=500)] = "",
    kind: Annotated[str, Query(max_length=100)] = "",
    platform: Annotated[str, Query(max_length=100)] = "",
    region: Annotated[str, Query(max_length=100)] = "",
    source: Annotated[str, Query(max_length=200)] = "",
    standard: Annotated[str, Query(max_length=100)] = "",
    sector: Annotated[str, Query(max_length=200)] = "",
    grade: Annotated[str, Query(max_length=100)] = "",
    flagged: Literal["", "0", "1"] = "",
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    sort: Literal["relevance", "published", "-published"] = "relevance",
    after: Annotated[str, Query(max_length=2000)] = "",
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchOut:
    params = SearchParams(
        q=q, kind=kind, platform=platform, region=region, source=source, standard=standard,
        sector=sector, grade=grade, flagged=flagged,
        date_from=date_from.isoformat() if date_from else "",
        date_to=date_to.isoformat() if date_to else "", sort=sort, after=after,
    )
    result = console(request).index.search(params.query(size=size))
    return SearchOut(
        total=result.total, next_after=result.next_after, aggregations=result.aggregations,
        hits=[HitOut(**vars(h)) for h in result.hits],
    )


@router.get("/documents", response_model=DocumentListOut, responses=ERRORS)
def documents(
    request: Request,
    caller: Annotated[Caller, Depends(api("read"))],
    kind: Literal["policy", "ad"] | None = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    flagged: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> DocumentListOut:
    found = repository.list_documents(
        console(request).db, kind=kind, source_id=source, flagged=flagged, limit=limit,
        offset=offset,
    )
    return DocumentListOut(
        total=found.total,
        items=[
            DocumentSummaryOut(
                id=d.id, source_id=d.source_id, url=d.url, kind=d.kind, title=d.title,
                issuer=d.issuer, doc_number=d.doc_number, published=d.published,
                findings=d.findings, grade=d.grade,
            )
            for d in found.items
        ],
    )


@router.get("/documents/{doc_id}", response_model=DocumentOut, responses=ERRORS)
def document(
    request: Request, doc_id: Id, caller: Annotated[Caller, Depends(api("read"))]
) -> DocumentOut:
    detail = repository.show_document(console(request).db, doc_id)
    v = detail.latest
    return DocumentOut(
        id=detail.id, source_id=detail.source_id, url=detail.url, kind=detail.kind,
        platform=detail.platform, state=detail.state, version=v.number, title=v.title,
        body=v.body, issuer=v.issuer, doc_number=v.doc_number, published=v.published,
        fetched_at=v.fetched_at, content_hash=v.content_hash,
        findings=[_finding(f, detail.id) for f in v.findings],
    )


def _load_finding(request: Request, finding_id: int) -> FindingOut:
    db = console(request).db
    doc_id, version_id = reviews.finding_document(db, finding_id)
    version = repository.get_version(db, version_id)
    for f in version.findings:
        if f.id == finding_id:
            return _finding(f, doc_id)
    raise FindingNotFound(finding_id)


@router.get("/findings/{finding_id}", response_model=FindingOut, responses=ERRORS)
def finding(
    request: Request, finding_id: Id, caller: Annotated[Caller, Depends(api("read"))]
) -> FindingOut:
    return _load_finding(request, finding_id)


@router.post(
    "/findings/{finding_id}/reviews", response_model=FindingOut, status_code=201,
    responses=ERRORS,
)
def add_review(
    request: Request,
    finding_id: Id,
    body: ReviewIn,
    caller: Annotated[Caller, Depends(api("review"))],
) -> FindingOut:
    db = console(request).db
    _, version_id = reviews.finding_document(db, finding_id)
    note = (body.note or "").strip() or None
    repository.add_review(db, finding_id, body.status, caller.name, note)
    reindex(request, version_id)
    return _load_finding(request, finding_id)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, caller: Annotated[Caller, Depends(api("read"))]) -> JSONResponse:
    return JSONResponse(request.app.openapi())
