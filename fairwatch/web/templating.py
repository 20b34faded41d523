"""Jinja templates (autoescaped) and the few filters the pages share."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from fairwatch.web.auth import Caller
from fairwatch.web.labels import GRADE_CLASS, STATUS_LABELS
from fairwatch.web.roles import ROLE_LABELS

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
_LOCAL = ZoneInfo("Asia/Shanghai")


def _when(value: datetime | date | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(_LOCAL).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


TEMPLATES.env.filters.update(when=_when, pct=_pct)
TEMPLATES.env.globals.update(
    STATUS_LABELS=STATUS_LABELS, GRADE_CLASS=GRADE_CLASS, ROLE_LABELS=ROLE_LABELS
)


def render(
    request: Request, name: str, caller: Caller | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, name, {"caller": caller, **context}, status_code=status_code
    )
