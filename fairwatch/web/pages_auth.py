"""Logging in and out of the console."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from fairwatch.web.auth import SESSION_COOKIE, Caller, console, log_in, log_out, page
from fairwatch.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only paths of this site: never a scheme, host or protocol-relative URL.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/documents"
    return target


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/documents",
) -> Response:
    token = log_in(request, name, password)
    if token is None:
        return render(request, "login.html", None, status_code=401, next=_safe_next(next),
                      error="用户名或密码错误")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict",
        secure=console(request).settings.console_secure_cookies,
        max_age=int(console(request).settings.console_session_hours * 3600),
    )
    return response


@router.post("/logout")
def logout(request: Request, caller: Annotated[Caller, Depends(page("read"))]) -> Response:
    log_out(request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(caller: Annotated[Caller, Depends(page("read"))]) -> Response:
    return RedirectResponse("/documents", status_code=303)
