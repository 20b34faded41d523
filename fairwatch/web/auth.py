"""Who is asking, and may they: the role check every console route depends on.

Pages use the server-side session (cookie `fw_session`, the row in web_sessions) and, for
every POST, the session's CSRF token in the form field `csrf_token`. The JSON API uses a
bearer token (`fairwatch users token NAME`). `page(cap)` and `api(cap)` build the
dependencies; tests/web/test_access.py walks app.routes and checks each one refuses a
caller without a login, so a route added without one fails the suite.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from fairwatch.web.context import Console
from fairwatch.web.passwords import new_token, token_digest, verify_password
from fairwatch.web.roles import allowed
from storage.repository import accounts
from storage.repository.accounts import UserView

SESSION_COOKIE = "fw_session"
_bearer = HTTPBearer(auto_error=False, description="`fairwatch users token NAME` prints one.")


class NotLoggedIn(Exception):
    """No live session: pages redirect to /login, the API answers 401."""


class Forbidden(Exception):
    """Logged in, but the role lacks the capability."""

    def __init__(self, capability: str, role: str) -> None:
        super().__init__(f"role {role} may not {capability}")
        self.capability = capability
        self.role = role


class BadCsrf(Exception):
    """A form post without the session's CSRF token."""


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; retry in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Caller:
    user: UserView
    csrf_token: str | None  # None for API tokens

    @property
    def name(self) -> str:
        return self.user.name

    def can(self, capability: str) -> bool:
        return allowed(self.user.role, capability)


def console(request: Request) -> Console:
    return request.app.state.console


def session_caller(request: Request) -> Caller | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = accounts.find_session(console(request).db, token_digest(token))
    return None if found is None else Caller(found.user, found.csrf_token)


def page(capability: str):  # noqa: ANN201 - a FastAPI dependency
    """Dependency of a page route: a logged-in user whose role has `capability`."""

    async def check(request: Request) -> Caller:
        caller = session_caller(request)
        if caller is None:
            raise NotLoggedIn()
        if request.method not in ("GET", "HEAD"):
            form = await request.form()
            sent = str(form.get("csrf_token") or request.headers.get("x-csrf-token") or "")
            if not hmac.compare_digest(sent, caller.csrf_token or ""):
                raise BadCsrf()
        if not caller.can(capability):
            raise Forbidden(capability, caller.user.role)
        return caller

    check.capability = capability  # type: ignore[attr-defined]
    return check


def api(capability: str):  # noqa: ANN201
    """Dependency of an API route: a bearer token whose user's role has `capability`."""

    def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise NotLoggedIn()
        user = accounts.token_user(console(request).db, token_digest(credentials.credentials))
        if user is None:
            raise NotLoggedIn()
        caller = Caller(user, None)
        if not caller.can(capability):
            raise Forbidden(capability, user.role)
        return caller

    check.capability = capability  # type: ignore[attr-defined]
    return check


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def log_in(request: Request, name: str, password: str) -> str | None:
    """Check the password (rate limited); on success open a session and return its token."""
    app = console(request)
    settings = app.settings
    client = client_address(request)
    window = timedelta(seconds=settings.console_login_window)
    by_name, by_client = accounts.failed_logins(
        app.db, name=name, client=client, since=datetime.now(UTC) - window
    )
    if (
        by_name >= settings.console_login_max_failures
        or by_client >= 4 * settings.console_login_max_failures
    ):
        raise TooManyAttempts(int(settings.console_login_window))
    found = accounts.password_hash(app.db, name)
    if not verify_password(found[1] if found else None, password) or found is None:
        accounts.record_failed_login(app.db, name, client)
        return None
    accounts.clear_failed_logins(app.db, name)
    token = new_token()
    expires = datetime.now(UTC) + timedelta(hours=settings.console_session_hours)
    accounts.open_session(app.db, found[0].id, token_digest(token), new_token(), expires)
    return token


def log_out(request: Request) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.close_session(console(request).db, token_digest(token))
