"""Every console route refuses a caller without a login (pages redirect to /login, the API
answers 401), each role gets only its capabilities, forms need the CSRF token, logins are
rate limited, and every response carries the strict headers."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from fairwatch.web.app import PUBLIC_PATHS, flat_routes
from fairwatch.web.headers import CSP
from storage.db import Database
from storage.models import Review
from tests.web.conftest import PASSWORD, Site, login

PUBLIC_ROUTES = {("/login", "GET"), ("/login", "POST")}


def _routes(app) -> list[tuple[str, str, APIRoute | Mount]]:  # noqa: ANN001
    found = []
    for path, route in flat_routes(app):
        if isinstance(route, Mount):
            found.append((path, "GET", route))
            continue
        for method in sorted(route.methods - {"HEAD"}):
            found.append((path, method, route))
    return found


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _guarded(route: APIRoute) -> bool:
    """Whether a dependency of the route is one of auth.page/auth.api's role checks."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if hasattr(dep.call, "capability"):
            return True
        stack.extend(dep.dependencies)
    return False


def test_every_route_refuses_an_anonymous_caller(site: Site, client: TestClient) -> None:
    routes = _routes(site.app)
    assert len(routes) >= 20, routes  # the walk found the app's routes
    unguarded = set()
    for path, method, route in routes:
        if isinstance(route, Mount):
            assert path in PUBLIC_PATHS, f"mount {path} is not declared public"
            continue
        if not _guarded(route):
            unguarded.add((path, method))
            continue
        response = client.request(method, _concrete(path), follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["error"]["code"] == "unauthenticated"
            assert response.headers["www-authenticate"] == "Bearer"
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login?next="), (method, path)
    assert unguarded == PUBLIC_ROUTES, f"routes without a role check: {unguarded - PUBLIC_ROUTES}"


def test_a_bad_token_or_session_is_refused(site: Site, client: TestClient) -> None:
    r = client.get("/api/documents", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    client.cookies.set("fw_session", "forged")
    assert client.get("/documents", follow_redirects=False).status_code == 303
    ok = client.get("/api/documents", headers={"Authorization": f"Bearer {site.tokens['viewer']}"})
    assert ok.status_code == 200 and ok.json()["total"] == 6


def _reviews(db: Database) -> int:
    with db.session() as session:
        return session.query(Review).count()


def _a_finding(client: TestClient, site: Site) -> int:
    doc = client.get(f"/api/documents/{site.doc('city-a/1.html')}",
                     headers={"Authorization": f"Bearer {site.tokens['admin']}"}).json()
    return doc["findings"][0]["id"]


@pytest.mark.parametrize("role", ["viewer", "monitor"])
def test_only_reviewers_and_admins_review(site: Site, client: TestClient, role: str) -> None:
    finding = _a_finding(client, site)
    csrf = login(client, role)
    page = client.get(f"/documents/{site.doc('city-a/1.html')}")
    assert page.status_code == 200 and 'action="/findings/' not in page.text  # no form shown
    r = client.post(f"/findings/{finding}/review",
                    data={"status": "confirmed", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post(f"/api/findings/{finding}/reviews", json={"status": "confirmed"},
                    headers={"Authorization": f"Bearer {site.tokens[role]}"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert _reviews(site.db) == 0
    admin_only = client.get("/admin/users")
    assert admin_only.status_code == 403


def test_viewer_cannot_export(site: Site, client: TestClient) -> None:
    login(client, "viewer")
    assert client.get(f"/documents/{site.doc('city-a/1.html')}/review-form.docx").status_code == 403
    assert client.get("/search.xlsx").status_code == 403
    assert client.get("/statistics/report.docx").status_code == 403
    assert client.get("/search").status_code == 200


def test_reviewer_reviews_with_csrf_only(site: Site, client: TestClient) -> None:
    finding = _a_finding(client, site)
    csrf = login(client, "reviewer")
    r = client.post(f"/findings/{finding}/review", data={"status": "confirmed"},
                    follow_redirects=False)
    assert r.status_code == 403 and _reviews(site.db) == 0
    r = client.post(f"/findings/{finding}/review",
                    data={"status": "confirmed", "csrf_token": "x" * len(csrf)},
                    follow_redirects=False)
    assert r.status_code == 403 and _reviews(site.db) == 0
    r = client.post(f"/findings/{finding}/review",
                    data={"status": "confirmed", "csrf_token": csrf, "note": "限定本地企业"},
                    follow_redirects=False)
    assert r.status_code == 303 and _reviews(site.db) == 1


def test_logins_are_rate_limited(site: Site, client: TestClient) -> None:
    limit = site.app.state.console.settings.console_login_max_failures
    for _ in range(limit):
        r = client.post("/login", data={"name": "admin", "password": "wrong password!"})
        assert r.status_code == 401 and "用户名或密码错误" in r.text
    r = client.post("/login", data={"name": "admin", "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 429 and "fw_session" not in r.headers.get("set-cookie", "")
    assert int(r.headers["retry-after"]) > 0
    # Another account from the same client is not locked by admin's failures.
    assert client.post("/login", data={"name": "viewer", "password": PASSWORD},
                       follow_redirects=False).status_code == 303


def test_unknown_user_and_wrong_password_look_alike(client: TestClient) -> None:
    a = client.post("/login", data={"name": "nobody", "password": "whatever it is"})
    b = client.post("/login", data={"name": "admin", "password": "whatever it is"})
    assert a.status_code == b.status_code == 401
    assert a.text == b.text


def test_login_next_stays_on_this_site(client: TestClient) -> None:
    r = client.post("/login", data={"name": "viewer", "password": PASSWORD,
                                    "next": "//evil.example/x"}, follow_redirects=False)
    assert r.headers["location"] == "/documents"


def test_strict_headers_everywhere(site: Site, client: TestClient) -> None:
    for response in (client.get("/login"), client.get("/static/console.css"),
                     client.get("/api/search")):
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "'unsafe-inline'" not in CSP and "frame-ancestors 'none'" in CSP
    assert "script-src 'self'" in CSP


def test_logout_ends_the_session(site: Site, client: TestClient) -> None:
    csrf = login(client, "viewer")
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code \
        == 303
    assert client.get("/documents", follow_redirects=False).status_code == 303
