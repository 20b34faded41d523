"""The reviewer's pages: the review queue, a document with its clauses, review actions."""

from __future__ import annotations

import difflib
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from fairwatch.web.auth import Caller, console, page
from fairwatch.web.dates import parse_day
from fairwatch.web.exports import download
from fairwatch.web.highlight import highlight
from fairwatch.web.labels import ACTIONS, KIND_LABELS
from fairwatch.web.templating import render
from storage import repository
from storage.errors import VersionNotFound
from storage.models import GRADES
from storage.repository import lifecycle, reviews

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30


@router.get("/documents")
def queue(
    request: Request,
    caller: Annotated[Caller, Depends(page("read"))],
    grade: str | None = None,
    standard: str | None = None,
    source: str | None = None,
    region: str | None = None,
    status: str | None = None,
    flagged: str | None = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    filters = {
        "grade": grade or None, "standard": standard or None, "source_id": source or None,
        "region": region or None, "status": status or None,
        "date_from": parse_day(date_from, "from"), "date_to": parse_day(date_to, "to"),
        "flagged": flagged == "1",
    }
    result = reviews.review_queue(
        console(request).db, **filters, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE
    )
    args = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(
        request, "queue.html", caller, result=result, page_no=page_no, args=args,
        grades=GRADES, statuses=reviews.QUEUE_STATUSES, page_size=PAGE_SIZE,
    )


@router.get("/documents/{doc_id}")
def document(
    request: Request,
    doc_id: int,
    caller: Annotated[Caller, Depends(page("read"))],
    v: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    db = console(request).db
    detail = repository.show_document(db, doc_id)
    if v is None:
        version = detail.latest
    else:
        matching = [x for x in detail.versions if x.number == v]
        if not matching:
            raise VersionNotFound(f"{doc_id} v{v}")
        version = matching[0]
    anchors: dict[int, int] = {}  # finding id -> the mark that shows its clause
    body = highlight(version.body, [f for f in version.findings if f.field == "body"], anchors)
    attachments = [
        (a, highlight(a.text or "", [f for f in version.findings
                                     if f.field == f"attachment:{a.position}"], anchors))
        for a in version.attachments
    ]
    diff: list[tuple[str, str]] = []
    if version.number > 1:
        previous = next(x for x in detail.versions if x.number == version.number - 1)
        for line in difflib.unified_diff(
            previous.body.splitlines(), version.body.splitlines(), lineterm="", n=1
        ):
            if line.startswith(("---", "+++")):
                continue
            diff.append(({"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx"), line))
    return render(
        request, "document.html", caller, detail=detail, version=version, body=body,
        attachments=attachments, diff=diff, actions=ACTIONS, kind_label=KIND_LABELS,
        anchors=anchors,
        history=reviews.document_history(db, doc_id),
        events=lifecycle.document_events(db, doc_id),
    )


@router.post("/findings/{finding_id}/review")
def review(
    request: Request,
    finding_id: int,
    caller: Annotated[Caller, Depends(page("review"))],
    status: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    app = console(request)
    doc_id, version_id = reviews.finding_document(app.db, finding_id)
    repository.add_review(app.db, finding_id, status, caller.name, note.strip() or None)
    reindex(request, version_id)
    return RedirectResponse(f"/documents/{doc_id}#finding-{finding_id}", status_code=303)


def reindex(request: Request, version_id: int) -> None:
    """The index carries review status; if it is down the version stays pending for
    `fairwatch index retry`, and the review itself is kept."""
    from fairwatch.pipeline import DocumentPipeline

    app = console(request)
    try:
        DocumentPipeline(app.db, index=app.index).index_versions([version_id])
    except Exception as exc:  # the index is derived data: never lose the review over it
        logger.warning("re-indexing version %d after a review failed: %s", version_id, exc)


@router.get("/documents/{doc_id}/review-form.docx")
def review_form(
    request: Request, doc_id: int, caller: Annotated[Caller, Depends(page("export"))]
) -> Response:
    from fairwatch.web.exports.review_form import review_form_docx

    db = console(request).db
    detail = repository.show_document(db, doc_id)
    data = review_form_docx(detail, reviews.document_history(db, doc_id), caller.name)
    return download(data, f"review-form-{doc_id}.docx")


@router.get("/versions/{version_id}/screenshot.png")
def screenshot(
    request: Request, version_id: int, caller: Annotated[Caller, Depends(page("read"))]
) -> Response:
    png = repository.get_screenshot(console(request).db, version_id)
    if png is None:
        raise VersionNotFound(f"{version_id} (no screenshot)")
    return Response(png, media_type="image/png")

