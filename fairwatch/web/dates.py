"""Dates in query strings (YYYY-MM-DD), read the same way by every page and the API."""

from __future__ import annotations

from datetime import date

from storage.errors import InvalidQuery


def parse_day(value: str | None, field: str) -> date | None:
    """None for an empty value; InvalidQuery naming `field` for anything but YYYY-MM-DD."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidQuery("not a date (YYYY-MM-DD)", field=field, value=value) from None
