"""`fairwatch users`, `fairwatch serve` and the console at the end of `fairwatch demo`."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from fairwatch.cli import main
from storage.db import Database
from storage.repository import accounts
from tests.crawl.runner import REPO, cli_env

README = (REPO / "README.md").read_text(encoding="utf-8")


def _invoke(data: Path, *args: str, input: str | None = None):  # noqa: ANN202, A002
    env = {"FAIRWATCH_DATA_DIR": str(data), "FAIRWATCH_DATABASE_URL": ""}
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def test_users_add_asks_for_a_password(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    for key in [k for k in __import__("os").environ if k.startswith("FAIRWATCH_")]:
        monkeypatch.delenv(key)
    data = tmp_path / "data"
    result = _invoke(data, "users", "add", "li", "--role", "reviewer",
                     input="a long secret 1\na long secret 1\n")
    assert result.exit_code == 0, result.output
    assert "user li added with role reviewer" in result.output
    assert "a long secret 1" not in result.output
    db = Database(data / "fairwatch.db")
    user, stored = accounts.password_hash(db, "li")
    assert user.role == "reviewer" and stored.startswith("$argon2id$")
    short = _invoke(data, "users", "add", "wang", "--role", "viewer", input="short\nshort\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    again = _invoke(data, "users", "add", "li", "--role", "viewer",
                    input="a long secret 2\na long secret 2\n")
    assert again.exit_code == 1 and "exists already" in again.output
    bad_role = _invoke(data, "users", "add", "zhao", "--role", "boss")
    assert bad_role.exit_code == 2
    token = _invoke(data, "users", "token", "li").output.strip()
    assert len(token) >= 40 and accounts.token_user(db, __import__(
        "fairwatch.web.passwords", fromlist=["token_digest"]).token_digest(token)).name == "li"
    assert _invoke(data, "users", "role", "li", "admin").exit_code == 0
    assert "li\tadmin\tactive" in _invoke(data, "users", "list").output
    db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(proc: subprocess.Popen, pattern: str, timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    seen = []
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"{pattern!r} not printed; output: {''.join(seen)[-3000:]}")


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def test_demo_serves_the_console_with_a_printed_password(tmp_path: Path) -> None:
    port = _free_port()
    env = cli_env(data_dir=tmp_path / "data", FAIRWATCH_CONSOLE_PORT=str(port))
    proc = subprocess.Popen([sys.executable, "-u", "-m", "fairwatch.cli", "demo"], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        password = _wait_for(proc, r"console account: demo \(reviewer\), password: (\S+)",
                             timeout=400).group(1)
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/login")
        with httpx.Client(base_url=base) as client:
            assert client.get("/documents").status_code == 303
            wrong = client.post("/login", data={"name": "demo", "password": "not it at all"})
            assert wrong.status_code == 401
            r = client.post("/login", data={"name": "demo", "password": password})
            assert r.status_code == 303 and "fw_session" in r.cookies
            queue = client.get("/documents")
            assert queue.status_code == 200
            assert len(re.findall(r'class="doc-link"', queue.text)) >= 5  # the demo's flags
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()


def test_serve_starts_the_console(tmp_path: Path) -> None:
    port = _free_port()
    env = cli_env(data_dir=tmp_path / "data")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fairwatch.cli", "serve", "--port", str(port)], cwd=REPO,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/login")
        r = httpx.get(f"http://127.0.0.1:{port}/api/documents")
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_readme_documents_the_console() -> None:
    from fairwatch.settings import Settings

    keys = [k for k in Settings.model_fields if k.startswith("console_")]
    assert [k for k in keys if f"`{k}`" not in README] == []
    for command in ("serve", "users add", "users token", "users role", "users password",
                    "users list"):
        assert f"`fairwatch {command}" in README, command
    assert main.commands["users"].commands.keys() == {"add", "list", "role", "password", "token"}
