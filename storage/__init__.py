"""Everything fairwatch stores, and the search index derived from it.

- `storage.db.Database`: a SQLite file (WAL, foreign keys on) or PostgreSQL by URL;
  `upgrade()` runs the Alembic migrations in storage/migrations/; `session()` is one
  transaction.
- `storage.models`: the schema (sources, crawl runs, documents, versions, attachments,
  findings, reviews, per-version stage state).
- `storage.repository`: the functions the rest of fairwatch calls; plain values out.
- `storage.records`: the records crawlers hand over.
- `storage.errors`: the exception tree; nothing else leaves this package.
- `storage.search`: the `SearchIndex` contract (`base`), the embedded SQLite FTS5 index
  (`fts`) and Elasticsearch (`elasticsearch`).

This package imports nothing else of fairwatch's.
"""
