"""What only the embedded index has: its file, its format stamp, its dictionary."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from storage.errors import IndexUnavailable, TokenizerError
from storage.search.base import SearchQuery
from storage.search.fts import Fts5Index
from storage.search.tokens import DEFAULT_DICTIONARY, ChineseTokenizer
from tests.search.search_corpus import CORPUS, doc


def test_index_persists_in_its_own_file(tmp_path: Path) -> None:
    path = tmp_path / "idx" / "search.db"
    with Fts5Index(path) as index:
        index.index(CORPUS)
    assert path.is_file()
    with Fts5Index(f"sqlite:///{path}") as reopened:
        assert reopened.count() == len(CORPUS)
        assert {h.doc_id for h in reopened.search(SearchQuery(text="最佳")).hits} == {3}


def test_index_of_another_format_asks_for_a_rebuild(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    Fts5Index(path).close()
    Fts5Index(path).ensure()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'format'")
    conn.close()
    with pytest.raises(IndexUnavailable, match="rebuild"):
        Fts5Index(path).ensure()
    # What the message asks for works on the old file: the rebuilt one has this format.
    with Fts5Index(path) as index:
        assert index.rebuild(iter(CORPUS)) == len(CORPUS)
        assert index.search(SearchQuery(sectors=["ordinary"])).total == 1


def test_server_urls_are_refused(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable, match="file path"):
        Fts5Index("http://127.0.0.1:9200")


def test_missing_dictionary_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(TokenizerError) as err:
        Fts5Index(tmp_path / "s.db", dictionary=missing)
    assert err.value.path == str(missing)


def test_project_dictionary_keeps_regulatory_terms_whole() -> None:
    assert DEFAULT_DICTIONARY.is_file()
    with_terms = ChineseTokenizer(DEFAULT_DICTIONARY).precise_words("备选库管理")
    without = ChineseTokenizer(None).precise_words("备选库管理")
    assert "备选库" in with_terms and "备选库" not in without


def test_bigrams_cover_each_cjk_run() -> None:
    assert ChineseTokenizer.grams("珀莱雅，最") == ["珀莱", "莱雅", "最"]
    assert ChineseTokenizer.grams("abc 123") == []


def test_threads_share_one_index(tmp_path: Path) -> None:
    index = Fts5Index(tmp_path / "search.db")
    errors: list[BaseException] = []

    def work(start: int) -> None:
        try:
            for n in range(start, start + 20):
                index.index([doc(n, body=f"第{n}号 本地企业")])
                index.search(SearchQuery(text="本地企业"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in (1000, 2000, 3000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        assert index.search(SearchQuery(text="本地企业")).total == 60
    finally:
        index.close()


def test_search_reads_the_old_file_until_the_rebuild_swaps(tmp_path: Path) -> None:
    index = Fts5Index(tmp_path / "search.db")
    index.index(CORPUS)
    seen_during: list[int] = []

    def docs():
        seen_during.append(index.search(SearchQuery(text="本地企业")).total)
        yield doc(99, body="重建后的唯一文件")

    try:
        assert index.rebuild(docs()) == 1
        assert seen_during == [1]  # the old index answered while the new one was built
        assert index.doc_ids() == {99}
        assert not (tmp_path / "search.db.rebuild").exists()
    finally:
        index.drop()
    assert not (tmp_path / "search.db").exists()


def test_large_inputs_are_written_in_batches(tmp_path: Path, monkeypatch) -> None:
    import storage.search.fts as fts

    monkeypatch.setattr(fts, "BATCH", 7)
    with Fts5Index(tmp_path / "search.db") as index:
        assert index.index(doc(n, body="批量") for n in range(1, 31)) == 30
        assert index.search(SearchQuery(text="批量")).total == 30
