"""The console on a real SQLite database and FTS5 index filled by the real pipeline, one
account per role, and an in-process client (httpx through ASGI, no server)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from analyzers.registry import get_analyzer
from fairwatch.pipeline import DocumentPipeline
from fairwatch.settings import REPO_ROOT, load_settings
from fairwatch.web import create_app
from fairwatch.web.context import Console
from fairwatch.web.passwords import hash_password, new_token, token_digest
from storage import repository
from storage.db import Database
from storage.repository import accounts
from storage.search.base import SearchIndex
from storage.search.fts import Fts5Index
from tests.databases import drop_schema
from tests.web.corpus import SOURCES, records

ROLES = ("admin", "reviewer", "monitor", "viewer")
PASSWORD = "correct horse battery"
_HASHES: list[str] = []  # argon2 is slow on purpose: hash the test password once


def password_hash() -> str:
    if not _HASHES:
        _HASHES.append(hash_password(PASSWORD))
    return _HASHES[0]


@dataclass
class Site:
    app: object
    db: Database
    index: SearchIndex
    doc_ids: dict[str, int]  # url tail -> document id
    tokens: dict[str, str]  # role -> API token
    data_dir: Path

    def doc(self, tail: str) -> int:
        return self.doc_ids[tail]


def build_site(
    tmp_path: Path, db: Database | None = None, index: SearchIndex | None = None,
    **settings_overrides: object,
) -> Site:
    """The console over `db` (default: a new SQLite file) and `index` (default: a new
    FTS5 index) holding the corpus."""
    data = tmp_path / "data"
    settings = load_settings(
        config_dir=REPO_ROOT / "config", data_dir=data,
        database_url=db.url if db else f"sqlite:///{data / 'fairwatch.db'}", search_url="",
        crawl_sources_dir=REPO_ROOT / "tests" / "site" / "sources", **settings_overrides,
    )
    db = db or Database(settings.resolved_database_url)
    db.upgrade()
    index = index or Fts5Index(data / "search.db")
    index.ensure()
    for source_id, (name, region, issuer, kind) in SOURCES.items():
        repository.ensure_source(db, source_id, name=name, region=region, issuer=issuer,
                                 kind=kind)
    pipeline = DocumentPipeline(db, index=index, analyzer_for=get_analyzer)
    doc_ids = {}
    for record in records():
        result = pipeline.process(record)
        doc_ids[record.url.split("/", 3)[3]] = result.doc_id
    pipeline.close()
    index.refresh()  # Elasticsearch: searchable now, not within its refresh interval
    tokens = {}
    for role in ROLES:
        accounts.add_user(db, role, role, password_hash())
        tokens[role] = new_token()
        accounts.add_api_token(db, role, token_digest(tokens[role]))
    console = Console(settings=settings, db=db, index=index, sources_dir=settings.sources_dir)
    return Site(create_app(settings, console=console), db, index, doc_ids, tokens, data)


@pytest.fixture
def site(tmp_path: Path):  # noqa: ANN201
    built = build_site(tmp_path)
    yield built
    built.index.close()
    built.db.engine.dispose()


def login(client: TestClient, role: str, password: str = PASSWORD) -> str:
    """Log in as the account of `role`; returns the session's CSRF token."""
    response = client.post("/login", data={"name": role, "password": password},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get("/documents")
    marker = 'name="csrf_token" value="'
    return page.text.split(marker, 1)[1].split('"', 1)[0]


@pytest.fixture
def pg_site(pg_url: str, tmp_path: Path):  # noqa: ANN201
    """The same console on a fresh PostgreSQL schema."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    built = build_site(tmp_path, Database(pg_url, schema=schema))
    yield built
    built.index.close()
    built.db.engine.dispose()
    drop_schema(pg_url, schema)


@pytest.fixture
def client(site: Site):  # noqa: ANN201
    with TestClient(site.app, base_url="http://testserver") as c:
        yield c
