"""`create_app`: the FastAPI application of the console, its error pages and the API shape.

Domain errors become one canonical JSON body on /api/ (`{"error": {"status", "code",
"message"}}`) and an error page elsewhere; a page request without a login is sent to
/login, an API request gets 401.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import fastapi.routing
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from fairwatch.settings import Settings
from fairwatch.web.auth import BadCsrf, Forbidden, NotLoggedIn, TooManyAttempts, session_caller
from fairwatch.web.context import Console
from fairwatch.web.headers import SecurityHeaders
from fairwatch.web.templating import render
from storage.errors import InvalidQuery, InvalidRecord, NotFound, StorageError, UserExists

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"
# Routes anyone may reach: the login form and the stylesheet and script it needs.
PUBLIC_PATHS = frozenset({"/login", "/static"})


def flat_routes(app: FastAPI) -> list[tuple[str, BaseRoute]]:
    """(path, route) of every route the app serves, with included routers expanded
    (FastAPI 0.16x keeps them as nested router objects in app.routes)."""
    iter_contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    if iter_contexts is None:
        return [(route.path, route) for route in app.routes]
    return [(ctx.path, ctx.original_route) for ctx in iter_contexts(app.routes)]


def error_body(status: int, code: str, message: str) -> dict:
    return {"error": {"status": status, "code": code, "message": message}}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, code: str, message: str) -> Response:
    if _is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(error_body(status, code, message), status_code=status, headers=headers)
    caller = session_caller(request) if status != 401 else None
    return render(request, "error.html", caller, status_code=status, status=status,
                  code=code, message=message)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if _is_api(request):
            return _error(request, 401, "unauthenticated", "a valid bearer token is required")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        message = f"角色 {exc.role} 无权执行此操作（{exc.capability}）"
        return _error(request, 403, "forbidden", message)

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: BadCsrf) -> Response:
        return _error(request, 403, "csrf", "表单已过期或来源不明，请刷新页面后重试")

    @app.exception_handler(TooManyAttempts)
    async def too_many(request: Request, exc: TooManyAttempts) -> Response:
        response = _error(request, 429, "rate_limited",
                          f"登录失败次数过多，请 {exc.retry_after // 60} 分钟后再试")
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, "not_found", str(exc))

    @app.exception_handler(InvalidRecord)
    @app.exception_handler(InvalidQuery)
    async def invalid(request: Request, exc: InvalidRecord | InvalidQuery) -> Response:
        return _error(request, 400, "invalid", str(exc))

    @app.exception_handler(UserExists)
    async def conflict(request: Request, exc: UserExists) -> Response:
        return _error(request, 409, "conflict", str(exc))

    @app.exception_handler(StorageError)
    async def storage_error(request: Request, exc: StorageError) -> Response:
        logger.error("%s %s failed: %s", request.method, request.url.path, exc)
        return _error(request, 503, "storage", str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return _error(request, 422, "validation", problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, "http", str(exc.detail))


def create_app(settings: Settings, *, console: Console | None = None) -> FastAPI:
    """The console app for `settings`; `console` supplies already-open parts (tests)."""
    from fairwatch.web import (
        api,
        pages_admin,
        pages_auth,
        pages_ops,
        pages_review,
        pages_search,
        pages_stats,
    )

    owned = console is None
    if console is None:
        from fairwatch.app import open_database, open_search_index

        console = Console(
            settings=settings, db=open_database(settings), index=open_search_index(settings),
            sources_dir=settings.sources_dir,
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        yield
        if owned:
            console.close()

    app = FastAPI(
        title="fairwatch console API",
        version="1",
        description="Search, documents, findings and reviews. Bearer token authentication.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.console = console
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (pages_auth, pages_review, pages_search, pages_ops, pages_stats, pages_admin,
                   api):
        app.include_router(module.router)
    _install_handlers(app)
    return app
