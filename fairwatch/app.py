"""Open the application's parts from the settings: database, search index, analyzers.

The one place that turns `Settings` into live objects, so the CLI, the demo and the
bench build them the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from fairwatch.settings import Settings
from storage.db import Database
from storage.search.base import SearchIndex

if TYPE_CHECKING:
    from analyzers.registry import Analyzer

logger = logging.getLogger(__name__)


def open_database(settings: Settings) -> Database:
    """The database of the settings, migrated to the latest schema."""
    db = Database(settings.resolved_database_url)
    db.upgrade()
    return db


def open_search_index(settings: Settings) -> SearchIndex:
    """Elasticsearch when search_url is an http(s) URL, else the embedded FTS5 index."""
    if settings.search_url.startswith(("http://", "https://")):
        from storage.search.elasticsearch import ElasticsearchIndex

        return ElasticsearchIndex(
            settings.search_url,
            index_prefix=settings.es_index_prefix,
            username=settings.es_username or None,
            password=settings.es_password or None,
            ca_certs=settings.es_ca_certs or None,
            verify_certs=settings.es_verify_certs,
            shards=settings.es_shards,
            replicas=settings.es_replicas,
            senders=settings.es_bulk_senders,
        )
    from storage.search.fts import Fts5Index

    return Fts5Index(settings.data_dir / "search.db")


def analyzer_lookup() -> Callable[[str], Analyzer]:
    """get_analyzer of the analyzers registry (kind -> Analyzer)."""
    from analyzers.registry import get_analyzer

    return get_analyzer
