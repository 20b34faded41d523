"""The embedded search index: SQLite FTS5 over jieba words and CJK bigrams.

Kept in its own SQLite file (derived data: delete it and re-index to rebuild). Each
document has one row in `docs` (the values filters, sorts and aggregations read, plus the
original text for highlights) and one row in the FTS5 table `docs_fts` with the same
rowid, holding for title, body and attachments two token streams: jieba words
(`*_w`) and bigrams (`*_g`, see storage.search.tokens). A query term matches either all
its words, or its bigrams as a phrase, i.e. the term as a substring.

    index = Fts5Index("data/search.db")
    index.ensure()
    index.index(documents)
    result = index.search(SearchQuery(text="本地企业", kinds=["policy"]))
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from storage.errors import IndexUnavailable, InvalidQuery, SearchError
from storage.search.base import (
    IndexedDocument,
    SearchHit,
    SearchIndex,
    SearchQuery,
    SearchResult,
    decode_cursor,
    encode_cursor,
)
from storage.search.highlight import fragments, highlight_pattern
from storage.search.tokens import DEFAULT_DICTIONARY, ChineseTokenizer, QueryTerm

logger = logging.getLogger(__name__)

BATCH = 500  # documents per write transaction
FORMAT_VERSION = "2"  # bump when the schema or the tokenisation changes: forces a rebuild
_WORD_COLUMNS = "{title_w body_w att_w}"
_GRAM_COLUMNS = "{title_g body_g att_g}"
# bm25 weights in column order: a match in the title counts most, attachments least.
_BM25 = "bm25(docs_fts, 3.0, 3.0, 1.0, 1.0, 0.5, 0.5)"
_NO_DATE_ASC = "9999-12-31"
_NO_DATE_DESC = "0000-01-01"
_AGG_COLUMNS = {
    "grade": "h.grade",
    "source": "h.source_id",
    "region": "h.region",
    "platform": "h.platform",
    "month": "substr(h.day, 1, 7)",
}

_HITS_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS hits (doc_id INTEGER PRIMARY KEY, score REAL, sort_key, "
    "day TEXT, source_id TEXT, region TEXT, platform TEXT, grade TEXT)"
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    doc_id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL,
    source_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    attachments_text TEXT NOT NULL,
    issuer TEXT,
    region TEXT,
    platform TEXT,
    doc_number TEXT,
    published TEXT,
    fetched_at TEXT,
    day TEXT,
    grade TEXT,
    flagged INTEGER NOT NULL,
    review_status TEXT
);
CREATE INDEX IF NOT EXISTS docs_day ON docs (day);
CREATE INDEX IF NOT EXISTS docs_source ON docs (source_id);
CREATE TABLE IF NOT EXISTS doc_standards (
    doc_id INTEGER NOT NULL REFERENCES docs (doc_id) ON DELETE CASCADE,
    standard TEXT NOT NULL,
    PRIMARY KEY (doc_id, standard)
);
CREATE INDEX IF NOT EXISTS doc_standards_standard ON doc_standards (standard);
CREATE TABLE IF NOT EXISTS doc_sectors (
    doc_id INTEGER NOT NULL REFERENCES docs (doc_id) ON DELETE CASCADE,
    sector TEXT NOT NULL,
    PRIMARY KEY (doc_id, sector)
);
CREATE INDEX IF NOT EXISTS doc_sectors_sector ON doc_sectors (sector);
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
    title_w, title_g, body_w, body_g, att_w, att_g,
    tokenize = 'unicode61 remove_diacritics 0'
);
"""


def _index_path(path_or_url: str | Path) -> str:
    text = str(path_or_url)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///") :]
    elif "://" in text:
        raise IndexUnavailable(
            "the embedded index takes a file path or sqlite:/// URL", location=text
        )
    return text


class Fts5Index(SearchIndex):
    """SearchIndex on a SQLite file with FTS5; safe to share between threads."""

    def __init__(
        self,
        path_or_url: str | Path,
        *,
        dictionary: Path | str | None = DEFAULT_DICTIONARY,
    ) -> None:
        self.location = _index_path(path_or_url)
        self.tokenizer = ChineseTokenizer(dictionary)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._ensured = False

    def __repr__(self) -> str:
        return f"Fts5Index({self.location!r})"

    # -- connection ---------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = None
            try:
                if self.location != ":memory:":
                    Path(self.location).parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.location, check_same_thread=False, isolation_level=None)
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA busy_timeout = 30000")
                if self.location != ":memory:":
                    conn.execute("PRAGMA journal_mode = WAL")
            except (sqlite3.Error, OSError) as exc:
                if conn is not None:
                    conn.close()
                raise IndexUnavailable(str(exc), location=self.location) from exc
            self._conn = conn
        return self._conn

    def _run(self, work: Any, *, what: str, write: bool = False) -> Any:
        """Run `work(conn)` under the lock, in a transaction when writing."""
        with self._lock:
            if not self._ensured:
                self.ensure()
            conn = self._connection()
            try:
                if not write:
                    return work(conn)
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                return result
            except sqlite3.Error as exc:
                raise SearchError(f"{what} failed in {self.location}: {exc}") from exc

    # -- SearchIndex --------------------------------------------------------------------

    def ensure(self) -> None:
        with self._lock:
            conn = self._connection()
            try:
                conn.executescript(_SCHEMA)
                row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('format', ?)", (FORMAT_VERSION,)
                    )
                elif row[0] != FORMAT_VERSION:
                    raise IndexUnavailable(
                        f"index format {row[0]} is not the current {FORMAT_VERSION}: delete the "
                        "file and re-index (`fairwatch index rebuild`)",
                        location=self.location,
                    )
            except sqlite3.Error as exc:
                raise IndexUnavailable(str(exc), location=self.location) from exc
            self._ensured = True

    def index(self, docs: Iterable[IndexedDocument]) -> int:
        """Add or replace `docs`, committing every BATCH documents (memory stays bounded
        however many a rebuild streams in)."""
        total = 0
        for chunk in _chunks(docs, BATCH):
            # Tokenise outside the write transaction: it is the slow part.
            rows = [(doc, self._tokens(doc)) for doc in chunk]

            def write(conn: sqlite3.Connection, rows: list = rows) -> int:
                for doc, tokens in rows:
                    self._write_one(conn, doc, tokens)
                return len(rows)

            total += self._run(write, what=f"indexing {len(rows)} document(s)", write=True)
        logger.debug("indexed %d document(s) into %s", total, self.location)
        return total

    def delete(self, doc_ids: Iterable[int]) -> None:
        ids = list(doc_ids)

        def work(conn: sqlite3.Connection) -> None:
            for doc_id in ids:
                conn.execute("DELETE FROM docs_fts WHERE rowid = ?", (doc_id,))
                conn.execute("DELETE FROM docs WHERE doc_id = ?", (doc_id,))

        self._run(work, what=f"deleting {len(ids)} document(s)", write=True)

    def doc_ids(self) -> set[int]:
        return self._run(
            lambda conn: {r[0] for r in conn.execute("SELECT doc_id FROM docs")}, what="listing ids"
        )

    def count(self) -> int:
        return self._run(
            lambda conn: conn.execute("SELECT count(*) FROM docs").fetchone()[0], what="counting"
        )

    def indexed_versions(self) -> dict[int, int]:
        """doc_id -> version_id of everything in the index (what `index sync` compares)."""
        return self._run(
            lambda conn: dict(conn.execute("SELECT doc_id, version_id FROM docs").fetchall()),
            what="listing indexed versions",
        )

    def rebuild(self, docs: Iterable[IndexedDocument]) -> int:
        """Build a complete new index file beside this one, then swap it in.

        Searches keep reading the old file until the swap; if building fails, the partial
        file is removed and the old index is left as it was.
        """
        if self.location == ":memory:":
            with self._lock:
                self.delete(self.doc_ids())
                return self.index(docs)
        target = Path(self.location)
        building = target.with_name(target.name + ".rebuild")
        _remove_database_files(building)
        fresh = Fts5Index(building, dictionary=self.tokenizer.dictionary)
        try:
            written = fresh.index(docs)
            fresh.ensure()  # an empty rebuild still produces a valid index file
        except BaseException:
            fresh.close()
            _remove_database_files(building)
            raise
        fresh.close()  # the last connection checkpoints its WAL into the file
        with self._lock:
            self.close()
            _remove_database_files(target, keep_main=True)
            os.replace(building, target)
        logger.info("rebuilt search index %s (%d documents)", target, written)
        return written

    def drop(self) -> None:
        """Close and delete the index file (tests and benchmarks)."""
        with self._lock:
            self.close()
            if self.location != ":memory:":
                _remove_database_files(Path(self.location))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._ensured = False

    def search(self, query: SearchQuery) -> SearchResult:
        query.validate()
        terms = self.tokenizer.query_terms(query.text)
        match = _match_expression(terms)
        where, params = _filters(query)
        # Matching and bm25 run once, into a temporary table of (doc_id, score, sort key,
        # facet columns); the page, the total and the aggregations are read from it, and
        # only the page's rows fetch their text.
        if match:
            source = (
                f"docs AS d JOIN (SELECT rowid AS doc_id, {_BM25} AS score FROM docs_fts "
                "WHERE docs_fts MATCH ?) AS m ON m.doc_id = d.doc_id"
            )
            score = "m.score"
            params = [match, *params]
        else:
            source, score = "docs AS d", "0.0"
        sort_key, direction = _sort_key(query.sort, score)
        fill = (
            "INSERT INTO temp.hits "
            "(doc_id, score, sort_key, day, source_id, region, platform, grade) "
            f"SELECT d.doc_id, {score}, {sort_key}, d.day, d.source_id, d.region, d.platform, "
            "d.grade "
            f"FROM {source}" + (f" WHERE {' AND '.join(where)}" if where else "")
        )
        page_sql = "SELECT doc_id, score, sort_key FROM temp.hits"
        page_params: list[Any] = []
        if query.after:
            key, last_id = _cursor_values(query.after, query.sort)
            op = "<" if direction == "DESC" else ">"
            page_sql += f" WHERE (sort_key {op} ?) OR (sort_key = ? AND doc_id > ?)"
            page_params += [key, key, last_id]
        page_sql += f" ORDER BY sort_key {direction}, doc_id ASC LIMIT ?"
        page_params.append(query.size + 1)

        def work(conn: sqlite3.Connection) -> SearchResult:
            conn.execute(_HITS_TABLE)
            conn.execute("BEGIN")  # one snapshot for every read below
            try:
                conn.execute("DELETE FROM temp.hits")
                conn.execute(fill, params)
                page = conn.execute(page_sql, page_params).fetchall()
                total = conn.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
                aggs = {name: _aggregate(conn, name) for name in query.aggregations}
                texts = _texts(conn, [row[0] for row in page[: query.size]])
            finally:
                conn.execute("ROLLBACK")  # nothing to keep: the temp rows are scratch
            return self._result(page, texts, total, aggs, query, terms)

        return self._run(work, what=f"searching {query.text!r}")

    # -- helpers ------------------------------------------------------------------------

    def _tokens(self, doc: IndexedDocument) -> tuple[str, ...]:
        tk = self.tokenizer
        out: list[str] = []
        for text in (doc.title, doc.body, doc.attachments_text):
            out.append(" ".join(tk.words(text)))
            out.append(" ".join(tk.grams(text)))
        return tuple(out)

    @staticmethod
    def _write_one(conn: sqlite3.Connection, doc: IndexedDocument, tokens: tuple[str, ...]) -> None:
        day = doc.search_date
        conn.execute("DELETE FROM docs_fts WHERE rowid = ?", (doc.doc_id,))
        conn.execute("DELETE FROM docs WHERE doc_id = ?", (doc.doc_id,))  # cascades the tag tables
        conn.execute(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                doc.doc_id,
                doc.version_id,
                doc.source_id,
                doc.kind,
                doc.url,
                doc.title,
                doc.body,
                doc.attachments_text or "",
                doc.issuer,
                doc.region,
                doc.platform,
                doc.doc_number,
                doc.published.isoformat() if doc.published else None,
                doc.fetched_at.isoformat() if doc.fetched_at else None,
                day.isoformat() if day else None,
                doc.grade,
                int(doc.flagged),
                doc.review_status,
            ),
        )
        conn.executemany(
            "INSERT INTO doc_standards (doc_id, standard) VALUES (?, ?)",
            [(doc.doc_id, s) for s in sorted(set(doc.standards))],
        )
        conn.executemany(
            "INSERT INTO doc_sectors (doc_id, sector) VALUES (?, ?)",
            [(doc.doc_id, s) for s in sorted(set(doc.sectors))],
        )
        conn.execute(
            "INSERT INTO docs_fts (rowid, title_w, title_g, body_w, body_g, att_w, att_g) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc.doc_id, *tokens),
        )

    def _result(
        self,
        page: list[tuple[int, float, Any]],
        texts: dict[int, tuple[str, str, str, str, str]],
        total: int,
        aggs: dict[str, dict[str, int]],
        query: SearchQuery,
        terms: list[QueryTerm],
    ) -> SearchResult:
        needles = [t.text for t in terms] + [w for t in terms for w in t.words if len(w) > 1]
        pattern = highlight_pattern(needles)
        hits = []
        for doc_id, score, _ in page[: query.size]:
            title, url, source_id, body, attachments = texts[doc_id]
            hits.append(
                SearchHit(
                    doc_id=doc_id,
                    title=title,
                    url=url,
                    source_id=source_id,
                    score=-float(score),  # bm25: lower is better; hits: higher is better
                    highlights=fragments((title, body, attachments), pattern),
                )
            )
        next_after = None
        if len(page) > query.size:
            last_id, _, last_key = page[query.size - 1]
            next_after = encode_cursor(query.sort, [last_key, last_id])
        return SearchResult(total=total, hits=hits, next_after=next_after, aggregations=aggs)


def _chunks(items: Iterable[IndexedDocument], size: int) -> Iterator[list[IndexedDocument]]:
    chunk: list[IndexedDocument] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _remove_database_files(path: Path, *, keep_main: bool = False) -> None:
    """Delete a SQLite file and its WAL and shared-memory companions."""
    suffixes = ("-wal", "-shm") if keep_main else ("", "-wal", "-shm")
    for suffix in suffixes:
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _match_expression(terms: list[QueryTerm]) -> str:
    """FTS5 MATCH text: every term required; a term = its words, or its bigram phrase."""
    clauses = []
    for term in terms:
        options = []
        if term.words:
            words = " AND ".join(_quote(w) for w in term.words)
            options.append(f"{_WORD_COLUMNS} : ({words})")
        parts = []
        for kind, tokens in term.segments:
            if kind == "word":
                parts.append(f"{_WORD_COLUMNS} : {_quote(tokens[0])}")
            elif len(tokens) == 1 and len(tokens[0]) == 1:
                # A single character: a bigram starting with it, or a lone character run.
                parts.append(f"{_GRAM_COLUMNS} : {_quote(tokens[0])} *")
            else:
                parts.append(f"{_GRAM_COLUMNS} : {_quote(' '.join(tokens))}")
        if parts:
            options.append("(" + " AND ".join(parts) + ")")
        if options:
            clauses.append("(" + " OR ".join(options) + ")")
    return " AND ".join(clauses)


def _filters(query: SearchQuery) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []

    def any_of(column: str, values: list[str]) -> None:
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)

    any_of("d.source_id", query.source_ids)
    any_of("d.kind", query.kinds)
    any_of("d.platform", query.platforms)
    any_of("d.region", query.regions)
    any_of("d.grade", query.grades)
    for table, column, values in (
        ("doc_standards", "standard", query.standards),
        ("doc_sectors", "sector", query.sectors),
    ):
        if values:
            where.append(
                f"EXISTS (SELECT 1 FROM {table} AS s WHERE s.doc_id = d.doc_id "
                f"AND s.{column} IN ({', '.join('?' * len(values))}))"
            )
            params.extend(values)
    if query.flagged is not None:
        where.append("d.flagged = ?")
        params.append(int(query.flagged))
    if query.date_from is not None:
        where.append("d.day >= ?")
        params.append(query.date_from.isoformat())
    if query.date_to is not None:
        where.append("d.day <= ?")
        params.append(query.date_to.isoformat())
    return where, params


def _sort_key(sort: str, score: str) -> tuple[str, str]:
    """SQL for the sort key of a hit, and the direction."""
    if sort == "published":
        return f"coalesce(d.day, '{_NO_DATE_ASC}')", "ASC"
    if sort == "-published":
        return f"coalesce(d.day, '{_NO_DATE_DESC}')", "DESC"
    return score, "ASC"  # relevance: bm25 is negative, best first


def _cursor_values(token: str, sort: str) -> tuple[Any, int]:
    values = decode_cursor(token, sort)
    if len(values) != 2 or not isinstance(values[1], int):
        raise InvalidQuery("cursor does not belong to this index", field="after", value=token)
    key = values[0]
    valid = isinstance(key, (int, float)) if sort == "relevance" else isinstance(key, str)
    if not valid:
        raise InvalidQuery("cursor does not belong to this index", field="after", value=token)
    return key, values[1]


def _texts(
    conn: sqlite3.Connection, doc_ids: list[int]
) -> dict[int, tuple[str, str, str, str, str]]:
    if not doc_ids:
        return {}
    marks = ", ".join("?" * len(doc_ids))
    rows = conn.execute(
        "SELECT doc_id, title, url, source_id, body, attachments_text FROM docs "
        f"WHERE doc_id IN ({marks})",
        doc_ids,
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def _aggregate(conn: sqlite3.Connection, name: str) -> dict[str, int]:
    if name in ("standard", "sector"):
        sql = (
            f"SELECT s.{name}, count(*) FROM temp.hits AS h "
            f"JOIN doc_{name}s AS s ON s.doc_id = h.doc_id GROUP BY s.{name}"
        )
    else:
        column = _AGG_COLUMNS[name]
        sql = f"SELECT {column} AS k, count(*) FROM temp.hits AS h WHERE k IS NOT NULL GROUP BY k"
    return {str(key): n for key, n in conn.execute(sql).fetchall()}
