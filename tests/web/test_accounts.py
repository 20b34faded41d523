"""Accounts through the admin page; sessions that expire or end with a new password."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from fairwatch.web.auth import SESSION_COOKIE
from fairwatch.web.passwords import hash_password, new_token, token_digest
from storage.repository import accounts
from tests.web.conftest import PASSWORD, Site, login


def test_admin_adds_a_user_and_changes_a_role(site: Site, client: TestClient) -> None:
    csrf = login(client, "admin")
    weak = client.post("/admin/users", data={"name": "zhang", "role": "monitor",
                                             "password": "short", "csrf_token": csrf})
    assert weak.status_code == 400 and "密码太短" in weak.text
    r = client.post("/admin/users", data={"name": "zhang", "role": "monitor",
                                          "password": "zhang's long pass", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    user, stored = accounts.password_hash(site.db, "zhang")
    assert user.role == "monitor" and stored.startswith("$argon2id$")
    dup = client.post("/admin/users", data={"name": "zhang", "role": "viewer",
                                            "password": "another long one", "csrf_token": csrf})
    assert dup.status_code == 409 and "exists already" in dup.text
    r = client.post("/admin/users/zhang/role", data={"role": "reviewer", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert accounts.password_hash(site.db, "zhang")[0].role == "reviewer"
    listed = client.get("/admin/users").text
    assert re.search(r"<td>zhang</td><td>审查员</td>", listed)


def test_expired_session_goes_back_to_login(site: Site, client: TestClient) -> None:
    token = new_token()
    user = accounts.password_hash(site.db, "viewer")[0]
    accounts.open_session(site.db, user.id, token_digest(token), new_token(),
                          datetime.now(UTC) - timedelta(seconds=1))
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/documents", follow_redirects=False).status_code == 303


def test_a_new_password_ends_the_sessions(site: Site, client: TestClient) -> None:
    login(client, "viewer")
    assert client.get("/documents", follow_redirects=False).status_code == 200
    accounts.set_password(site.db, "viewer", hash_password("a brand new password"))
    assert client.get("/documents", follow_redirects=False).status_code == 303
    old = client.post("/login", data={"name": "viewer", "password": PASSWORD})
    assert old.status_code == 401
