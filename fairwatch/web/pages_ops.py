"""Operations: sources with health and schedule, recent runs and errors, operator alerts,
the alert outbox with delivery status; and the rules with their precision in use."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from alerts import outbox
from crawlers.sources import load_sources
from fairwatch.service.status import leader_line, status_rows
from fairwatch.web.auth import Caller, console, page
from fairwatch.web.templating import render
from storage import repository
from storage.repository import reviews
from storage.repository.operator_events import list_operator_events

router = APIRouter(include_in_schema=False)


@router.get("/operations")
def operations(request: Request, caller: Annotated[Caller, Depends(page("operate"))]) -> Response:
    app = console(request)
    found = load_sources(app.sources_dir)
    rows = status_rows(app.db, dict(found.sources), app.settings)
    runs = repository.list_runs(app.db, limit=30)
    return render(
        request, "operations.html", caller,
        sources=rows, problems=[str(p) for p in found.problems], leader=leader_line(app.db),
        runs=runs, failed_runs=[r for r in runs if r.error_count or r.reason],
        events=list_operator_events(app.db, limit=50),
        outbox_rows=outbox.list_rows(app.db, limit=100), outbox_counts=outbox.status_counts(app.db),
        stages=repository.stage_counts(app.db),
    )


@router.get("/rules")
def rules(request: Request, caller: Annotated[Caller, Depends(page("read"))]) -> Response:
    return render(request, "rules.html", caller, rules=reviews.rule_precision(console(request).db))
