"""The segmenter: project terms stay whole, words equal pure-Python jieba's, and the
embedded index and Elasticsearch write the same words for a document."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import jieba
import pytest

from storage.errors import TokenizerError
from storage.search.elasticsearch import ElasticsearchIndex
from storage.search.es_schema import WORD_FIELDS, document_source
from storage.search.fts import Fts5Index
from storage.search.tokens import DEFAULT_DICTIONARY, ChineseTokenizer
from tests.search.search_corpus import CORPUS, doc

_HAS_WORD = re.compile(r"[^\W_]")
MIXED = (
    "T恤衫与卡拉OK，B超检查；年化12.5%收益、3.5%利率。C++ 与 x-storage 见 www.gov.cn，"
    "发布于2021-04-29，iPhone15 ＡＢＣ全角 café咖啡 本地企业优先 珀莱雅红宝石"
)


def _terms() -> list[str]:
    lines = DEFAULT_DICTIONARY.read_text(encoding="utf-8").splitlines()
    return [line.split()[0] for line in lines if line.strip()]


def _reference_jieba() -> tuple[jieba.Tokenizer, ChineseTokenizer]:
    jieba.setLogLevel(logging.WARNING)
    reference = jieba.Tokenizer()
    reference.initialize()
    with DEFAULT_DICTIONARY.open("rb") as handle:
        reference.load_userdict(handle)
    return reference, ChineseTokenizer(DEFAULT_DICTIONARY)


def _clean(tokens: Iterable[str]) -> list[str]:
    """What the index keeps of jieba's output: lower-cased tokens with a letter or digit."""
    return [t for t in (w.strip().lower() for w in tokens) if t and _HAS_WORD.search(t)]


# 外地 is weighted 200000 so the rule engine finds it as a word; jieba then prefers
# 外地 + 企业 over the weight-100 term 外地企业, in pure-Python jieba as well.
SPLIT_BY_WEIGHT = {"外地企业"}


def test_every_project_term_stays_whole() -> None:
    reference, tk = _reference_jieba()
    terms = _terms()
    assert len(terms) >= 20
    for term in terms:
        for sentence in (f"关于{term}的通知", f"各地区在{term}中的做法", term):
            words = tk.precise_words(sentence)
            assert words == _clean(reference.cut(sentence)), sentence
            assert (term in words) == (term not in SPLIT_BY_WEIGHT), sentence
            if term not in SPLIT_BY_WEIGHT:
                assert term in tk.words(sentence), sentence
    # It is the dictionary that keeps them whole: without it some are cut.
    bare = ChineseTokenizer(None)
    assert any(t not in bare.precise_words(f"关于{t}的通知") for t in terms)


def test_words_equal_pure_python_jieba_on_the_law_texts(shared_dir: Path) -> None:
    reference, tk = _reference_jieba()
    laws = sorted((shared_dir / "fixtures" / "laws").glob("*.md"))
    assert len(laws) >= 10
    texts = [p.read_text(encoding="utf-8") for p in laws] + [MIXED] + [d.body for d in CORPUS]
    for text in texts:
        assert tk.precise_words(text) == _clean(reference.cut(text)), text[:40]
        assert tk.words(text) == _clean(reference.cut_for_search(text)), text[:40]


def test_search_mode_adds_dictionary_sub_words_before_the_word() -> None:
    words = ChineseTokenizer(DEFAULT_DICTIONARY).words("外地经营者参加政府采购")
    assert words.index("外地") < words.index("外地经营者")
    assert words.index("经营者") < words.index("外地经营者")
    assert {"政府", "采购", "政府采购"} <= set(words)


def test_non_chinese_runs_split_like_jieba_but_dictionary_words_stay() -> None:
    words = ChineseTokenizer(DEFAULT_DICTIONARY).precise_words(MIXED)
    assert {"2021", "04", "29", "www", "gov", "cn", "x", "storage", "12.5%", "c++"} <= set(words)
    assert "2021-04-29" not in words and "www.gov.cn" not in words


def test_both_backends_write_the_same_words(tmp_path: Path, es_url: str) -> None:
    docs = [*CORPUS, doc(99, title="混合文本", body=MIXED, attachments_text="附件：备选库名单")]
    path = tmp_path / "search.db"
    with Fts5Index(path) as fts:
        fts.index(docs)
    es = ElasticsearchIndex(es_url, index_prefix="fwtest-unused")
    try:
        with sqlite3.connect(path) as conn:
            rows = dict(
                (r[0], r[1:])
                for r in conn.execute("SELECT rowid, title_w, body_w, att_w FROM docs_fts")
            )
        conn.close()
        assert set(rows) == {d.doc_id for d in docs}
        for d in docs:
            source = document_source(d, es.tokenizer)
            assert tuple(source[f] for f in WORD_FIELDS.values()) == rows[d.doc_id], d.doc_id
        assert "备选库" in rows[99][2].split()
    finally:
        es.close()


def test_dictionary_lines_with_and_without_frequency_or_tag(tmp_path: Path) -> None:
    path = tmp_path / "terms.txt"
    path.write_text("\ufeff珀莱雅红宝石\n花西子空气 50\n元气森林系列 80 nz\n\n", encoding="utf-8")
    words = ChineseTokenizer(path).precise_words("珀莱雅红宝石和花西子空气及元气森林系列")
    assert {"珀莱雅红宝石", "花西子空气", "元气森林系列"} <= set(words)
    assert "珀莱雅红宝石" not in ChineseTokenizer(None).precise_words("珀莱雅红宝石")


def test_dictionary_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("本地企业 100 n\n".encode("gbk"))
    with pytest.raises(TokenizerError, match="UTF-8") as err:
        ChineseTokenizer(path)
    assert err.value.path == str(path)


def test_missing_dictionary_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    with pytest.raises(TokenizerError, match="not found") as err:
        ChineseTokenizer(missing)
    assert err.value.path == str(missing)
