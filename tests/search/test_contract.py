"""The SearchIndex contract: the same documents for the same query on every backend."""

from __future__ import annotations

from datetime import date

import pytest

from storage.errors import InvalidQuery
from storage.search.base import AGGREGATIONS, SearchIndex, SearchQuery
from tests.search.search_corpus import CORPUS, EXPECTED, doc


def ids(result) -> set[int]:
    return {hit.doc_id for hit in result.hits}


@pytest.mark.parametrize("word", sorted(EXPECTED))
def test_contract_words_find_exactly_the_planted_documents(index: SearchIndex, word: str) -> None:
    result = index.search(SearchQuery(text=word))
    assert ids(result) == EXPECTED[word]
    assert result.total == len(EXPECTED[word])
    for hit in result.hits:
        assert any(f"<em>{word}</em>" in h for h in hit.highlights), hit.highlights


def test_attachment_text_is_searched_and_highlighted(index: SearchIndex) -> None:
    hit = next(h for h in index.search(SearchQuery(text="指定")).hits if h.doc_id == 4)
    assert hit.highlights == ["附件：<em>指定</em>检测机构名单"]


def test_all_terms_are_required(index: SearchIndex) -> None:
    assert ids(index.search(SearchQuery(text="本地企业 政府采购"))) == {1}
    assert ids(index.search(SearchQuery(text="本地企业 面霜"))) == set()


def test_single_character_and_latin_terms(index: SearchIndex) -> None:
    assert ids(index.search(SearchQuery(text="最"))) == {3, 5}
    assert ids(index.search(SearchQuery(text="IPHONE15"))) == {6}


def test_highlights_are_html_escaped(index: SearchIndex) -> None:
    (hit,) = index.search(SearchQuery(text="拍照")).hits
    fragment = " ".join(hit.highlights)
    assert "<em>拍照</em>" in fragment
    assert "<script>" not in fragment and "&lt;script&gt;" in fragment


def test_empty_text_matches_everything(index: SearchIndex) -> None:
    result = index.search(SearchQuery(size=100))
    assert result.total == len(CORPUS) and ids(result) == {d.doc_id for d in CORPUS}
    assert all(hit.highlights == [] for hit in result.hits)


def test_hit_fields(index: SearchIndex) -> None:
    (hit,) = index.search(SearchQuery(text="本地企业")).hits
    assert (hit.title, hit.url, hit.source_id) == (
        "关于支持本地企业发展的若干措施",
        "http://127.0.0.1/doc/1.html",
        "gd-gov",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (SearchQuery(source_ids=["sz-gov"]), {2, 5}),
        (SearchQuery(source_ids=["sz-gov", "ads-xhs"]), {2, 5, 6}),
        (SearchQuery(kinds=["ad"]), {3, 6}),
        (SearchQuery(platforms=["douyin"]), {3}),
        (SearchQuery(regions=["广东"]), {1, 4}),
        (SearchQuery(standards=["FC-8-3"]), {2, 4}),
        (SearchQuery(standards=["FC-9-1", "AD-14"]), {2, 6}),
        (SearchQuery(sectors=["cosmetics"]), {3, 6}),
        (SearchQuery(sectors=["ordinary", "drug"]), {6}),
        (SearchQuery(text="最佳", sectors=["ordinary"]), set()),
        (SearchQuery(grades=["明显违反"]), {2}),
        (SearchQuery(grades=["疑似", "提示"]), {1, 3, 4, 6}),
        (SearchQuery(grades=["提示"], kinds=["policy"]), {4}),
        (SearchQuery(flagged=True), {1, 2, 3, 6}),
        (SearchQuery(flagged=False), {4, 5}),
        (SearchQuery(date_from=date(2024, 2, 1)), {2, 3, 5, 6}),
        (SearchQuery(date_to=date(2024, 1, 15)), {1, 4}),
        (SearchQuery(date_from=date(2024, 3, 1), date_to=date(2024, 3, 5)), {3}),
        (SearchQuery(text="指定", regions=["广东"]), {4}),
        (SearchQuery(text="指定", flagged=True, kinds=["policy"]), {2}),
        (SearchQuery(text="珀莱雅红宝石", platforms=["xiaohongshu"]), {6}),
    ],
)
def test_filters(index: SearchIndex, query: SearchQuery, expected: set[int]) -> None:
    query.size = 100
    result = index.search(query)
    assert ids(result) == expected and result.total == len(expected)


def test_sort_by_date_puts_undated_last(index: SearchIndex) -> None:
    index.index([doc(7, title="无日期")])
    index.refresh()
    asc = [h.doc_id for h in index.search(SearchQuery(sort="published", size=100)).hits]
    desc = [h.doc_id for h in index.search(SearchQuery(sort="-published", size=100)).hits]
    assert asc == [4, 1, 5, 2, 3, 6, 7]
    assert desc == [6, 3, 2, 5, 1, 4, 7]


def test_aggregations(index: SearchIndex) -> None:
    result = index.search(
        SearchQuery(aggregations=list(AGGREGATIONS), size=1)
    )
    assert result.aggregations == {
        "standard": {"FC-9-3": 1, "FC-8-3": 2, "FC-9-1": 1, "AD-9-3": 1, "AD-14": 1},
        "sector": {"cosmetics": 2, "ordinary": 1},
        "grade": {"疑似": 3, "明显违反": 1, "提示": 1},
        "source": {"gd-gov": 2, "sz-gov": 2, "ads-douyin": 1, "ads-xhs": 1},
        "region": {"广东": 2, "深圳": 2},
        "platform": {"douyin": 1, "xiaohongshu": 1},
        "month": {"2023-12": 1, "2024-01": 1, "2024-02": 2, "2024-03": 2},
    }
    assert len(result.hits) == 1  # aggregations cover every page, not just this one


def test_aggregations_follow_query_and_filters(index: SearchIndex) -> None:
    result = index.search(SearchQuery(text="指定", aggregations=["standard", "region"]))
    assert result.aggregations == {
        "standard": {"FC-8-3": 2, "FC-9-1": 1},
        "region": {"广东": 1, "深圳": 1},
    }


@pytest.mark.parametrize("sort", ["relevance", "published", "-published"])
@pytest.mark.parametrize("text", ["", "企业"])
def test_cursor_pagination_visits_every_hit_once(index: SearchIndex, sort: str, text: str) -> None:
    everything = index.search(SearchQuery(text=text, sort=sort, size=100))
    seen: list[int] = []
    after = None
    for _ in range(10):
        page = index.search(SearchQuery(text=text, sort=sort, size=2, after=after))
        assert page.total == everything.total
        seen += [h.doc_id for h in page.hits]
        after = page.next_after
        if after is None:
            break
    assert seen == [h.doc_id for h in everything.hits]
    assert len(seen) == len(set(seen)) == everything.total


def test_last_page_has_no_cursor(index: SearchIndex) -> None:
    assert index.search(SearchQuery(size=len(CORPUS))).next_after is None
    assert index.search(SearchQuery(size=len(CORPUS) - 1)).next_after is not None


def test_reindexing_replaces_a_document(index: SearchIndex) -> None:
    index.index([doc(1, title="已修订", body="现已删除相关条款。")])
    index.refresh()
    assert ids(index.search(SearchQuery(text="本地企业"))) == set()
    assert ids(index.search(SearchQuery(text="相关条款"))) == {1}
    assert index.doc_ids() == {d.doc_id for d in CORPUS}
    assert index.search(SearchQuery(standards=["FC-9-3"])).total == 0


def test_delete(index: SearchIndex) -> None:
    index.delete([3, 6])
    index.refresh()
    assert index.doc_ids() == {1, 2, 4, 5}
    assert ids(index.search(SearchQuery(text="珀莱雅红宝石"))) == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (SearchQuery(sort="newest"), "sort"),
        (SearchQuery(size=0), "size"),
        (SearchQuery(aggregations=["colour"]), "aggregations"),
        (SearchQuery(grades=["严重"]), "grades"),
        (SearchQuery(date_from=date(2024, 2, 1), date_to=date(2024, 1, 1)), "date_from"),
        (SearchQuery(after="not-a-cursor"), "after"),
    ],
)
def test_bad_queries_name_the_field(index: SearchIndex, query: SearchQuery, field: str) -> None:
    with pytest.raises(InvalidQuery) as err:
        index.search(query)
    assert err.value.field == field


def test_cursor_of_another_sort_is_refused(index: SearchIndex) -> None:
    cursor = index.search(SearchQuery(sort="published", size=1)).next_after
    with pytest.raises(InvalidQuery, match="sort"):
        index.search(SearchQuery(sort="relevance", size=1, after=cursor))


def test_count_and_indexed_versions(index: SearchIndex) -> None:
    assert index.count() == len(CORPUS)
    assert index.indexed_versions() == {d.doc_id: d.version_id for d in CORPUS}


def test_rebuild_replaces_the_whole_index(index: SearchIndex) -> None:
    kept = [d for d in CORPUS if d.kind == "policy"]
    assert index.rebuild(iter(kept)) == len(kept)
    index.refresh()
    assert index.doc_ids() == {d.doc_id for d in kept}
    assert ids(index.search(SearchQuery(text="指定"))) == {2, 4}
    assert ids(index.search(SearchQuery(text="珀莱雅红宝石"))) == set()


def test_failed_rebuild_leaves_the_old_index(index: SearchIndex) -> None:
    def broken():
        yield CORPUS[0]
        raise RuntimeError("database went away while reading documents")

    with pytest.raises(RuntimeError, match="went away"):
        index.rebuild(broken())
    index.refresh()
    assert index.doc_ids() == {d.doc_id for d in CORPUS}
    assert ids(index.search(SearchQuery(text="最佳"))) == {3}
