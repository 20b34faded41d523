"""`fairwatch index sync|rebuild|status`: keep the search index equal to what is stored.

The index is derived data. `sync` catches up after the index was down or lost: it writes
every current version whose index stage is pending or failed, or that the index lacks or
holds in an older version, deletes documents the database no longer has, and marks what
it wrote as done. `rebuild` re-creates the index from the database (on Elasticsearch a
new versioned index replaces the old one atomically, so search is never empty).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import click

from fairwatch.cli._common import domain_errors, settings_or_exit
from storage import repository
from storage.db import Database
from storage.search.base import IndexedDocument, SearchIndex
from storage.search.es_errors import DocumentsRejected

logger = logging.getLogger(__name__)

BATCH = 500  # versions read from the database and sent to the index at a time


@dataclass(kw_only=True)
class SyncReport:
    indexed: int = 0
    deleted: int = 0
    up_to_date: int = 0
    rejected: dict[int, str] = field(default_factory=dict)  # doc_id -> reason

    def summary(self) -> str:
        text = f"indexed {self.indexed}, deleted {self.deleted}, up to date {self.up_to_date}"
        if self.rejected:
            text += f", refused {len(self.rejected)}"
        return text


def _indexed_versions(index: SearchIndex) -> dict[int, int | None]:
    """doc_id -> indexed version_id; None where the backend cannot tell the version."""
    versions = getattr(index, "indexed_versions", None)
    if callable(versions):
        return dict(versions())
    return dict.fromkeys(index.doc_ids())


def sync_index(db: Database, index: SearchIndex, *, batch_size: int = BATCH) -> SyncReport:
    """Bring `index` to exactly the stored documents' current versions.

    A version is marked done only after the index accepted it; if the index cannot be
    reached, the batch in flight is marked failed (still retried by the next sync) and the
    error is raised.
    """
    index.ensure()
    stored = repository.current_versions(db)
    indexed = _indexed_versions(index)
    wanted = set(repository.pending_versions(db, "index", include_failed=True))
    wanted.update(v for d, v in stored.items() if d not in indexed or indexed[d] not in (None, v))
    report = SyncReport(up_to_date=len(stored) - len(wanted))
    ordered = sorted(wanted)
    for start in range(0, len(ordered), batch_size):
        batch = ordered[start : start + batch_size]
        docs = list(repository.indexed_documents(db, version_ids=batch))
        try:
            report.indexed += index.index(docs)
        except DocumentsRejected as exc:
            ok = [d.version_id for d in docs if d.doc_id not in exc.reasons]
            repository.stage_done(db, ok, "index")
            for d in docs:
                if d.doc_id in exc.reasons:
                    repository.stage_failed(db, d.version_id, "index", exc.reasons[d.doc_id])
            report.indexed += len(ok)
            report.rejected.update(exc.reasons)
            continue
        except Exception as exc:
            repository.stage_failed(db, batch, "index", f"{type(exc).__name__}: {exc}")
            raise
        repository.stage_done(db, [d.version_id for d in docs], "index")
    orphans = sorted(set(indexed) - set(stored))
    if orphans:
        index.delete(orphans)
        report.deleted = len(orphans)
    index.refresh()
    logger.info("index sync: %s", report.summary())
    return report


def rebuild_index(db: Database, index: SearchIndex) -> int:
    """Re-create the index from every stored document; mark their versions done."""
    written: list[int] = []

    def docs() -> Iterator[IndexedDocument]:
        for doc in repository.indexed_documents(db):
            written.append(doc.version_id)
            yield doc

    rebuild = getattr(index, "rebuild", None)
    if callable(rebuild):
        count = rebuild(docs())
    else:
        # Backends without versioned indices: replace in place, then drop leftovers.
        index.ensure()
        count = index.index(docs())
        stored = set(repository.current_versions(db))
        index.delete(sorted(index.doc_ids() - stored))
    index.refresh()
    for start in range(0, len(written), BATCH):
        repository.stage_done(db, written[start : start + BATCH], "index")
    return count


@contextmanager
def _opened() -> Iterator[tuple[Database, SearchIndex]]:
    """The configured database and search index, domain errors translated, index closed after."""
    from fairwatch.app import open_database, open_search_index

    settings = settings_or_exit()
    with domain_errors():
        db, index = open_database(settings), open_search_index(settings)
        try:
            yield db, index
        finally:
            index.close()


@click.group("index")
def index_group() -> None:
    """Keep the search index (Elasticsearch or the embedded one) equal to the database."""


@index_group.command("sync")
def sync() -> None:
    """Index every stored version that is pending, failed, missing or stale in the index.

    Exit status: 0 the index matches the database, 1 the index is unreachable or refused
    documents (they stay pending/failed and the next sync retries them), 2 bad configuration.
    """
    with _opened() as (db, index):
        report = sync_index(db, index)
    click.echo(f"index sync: {report.summary()}")
    if report.rejected:
        first = next(iter(report.rejected.items()))
        raise click.ClickException(
            f"the index refused {len(report.rejected)} document(s), e.g. doc {first[0]}: {first[1]}"
        )


@index_group.command("rebuild")
def rebuild() -> None:
    """Re-create the search index from the database (search stays available meanwhile).

    Exit status: 0 rebuilt, 1 the index is unreachable or refused documents (the previous
    index is kept), 2 bad configuration.
    """
    with _opened() as (db, index):
        count = rebuild_index(db, index)
    click.echo(f"index rebuild: {count} document(s) indexed")


@index_group.command("status")
def status() -> None:
    """Show how many versions are indexed, pending or failed, and what the index holds."""
    with _opened() as (db, index):
        counts = repository.stage_counts(db)["index"]
        index.ensure()
        held = len(index.doc_ids())
    click.echo(
        f"index: {held} document(s) in {index!r}; versions done {counts['done']}, "
        f"pending {counts['pending']}, failed {counts['failed']}"
    )
