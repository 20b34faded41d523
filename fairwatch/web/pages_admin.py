"""Accounts: admins add users and change roles (passwords are set by the user's admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from fairwatch.web.auth import Caller, console, page
from fairwatch.web.passwords import WeakPassword, hash_password
from fairwatch.web.templating import render
from storage.models import ROLES
from storage.repository import accounts

router = APIRouter(include_in_schema=False)


@router.get("/admin/users")
def users(request: Request, caller: Annotated[Caller, Depends(page("admin"))]) -> Response:
    return _page(request, caller)


def _page(
    request: Request, caller: Caller, error: str | None = None, status: int = 200
) -> Response:
    return render(request, "users.html", caller, status_code=status,
                  users=accounts.list_users(console(request).db), roles=ROLES, error=error)


@router.post("/admin/users")
def add_user(
    request: Request,
    caller: Annotated[Caller, Depends(page("admin"))],
    name: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        accounts.add_user(console(request).db, name.strip(), role, hash_password(password))
    except WeakPassword as exc:
        return _page(request, caller, f"密码太短：{exc}", 400)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/role")
def set_role(
    request: Request,
    name: str,
    caller: Annotated[Caller, Depends(page("admin"))],
    role: Annotated[str, Form()],
) -> Response:
    accounts.set_role(console(request).db, name, role)
    return RedirectResponse("/admin/users", status_code=303)
