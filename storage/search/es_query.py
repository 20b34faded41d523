"""SearchQuery to an Elasticsearch request body, and the response back to a SearchResult.

Matching follows the contract in storage.search.base, like the embedded index: each
whitespace-separated term is required; it matches when all its jieba words occur in the
`*_words` fields, or when each of its segments occurs (a CJK run as a phrase of bigrams
in the original-text fields, any other run of letters or digits as a word).
"""

from __future__ import annotations

from typing import Any

from storage.errors import InvalidQuery
from storage.search.base import SearchHit, SearchQuery, SearchResult, decode_cursor, encode_cursor
from storage.search.es_schema import TEXT_FIELDS, WORD_FIELDS
from storage.search.tokens import QueryTerm

# A title match counts most, attachments least (the same weights as the embedded index).
_BOOSTS = {"title": 3.0, "body": 1.0, "attachments_text": 0.5}
_AGG_FIELDS = {
    "standard": "standards",
    "sector": "sectors",
    "grade": "grade",
    "source": "source_id",
    "region": "region",
    "platform": "platform",
    "month": "month",
}
AGG_SIZE = 1000  # buckets per aggregation: more standards, sources or months than ever seen
FRAGMENT_CHARS = 80
MAX_FRAGMENTS = 3


def _words_clause(words: tuple[str, ...]) -> dict[str, Any]:
    # cross_fields + and: every word must occur, each in any of the three fields.
    return {
        "multi_match": {
            "query": " ".join(words),
            "type": "cross_fields",
            "operator": "and",
            "fields": [f"{WORD_FIELDS[f]}^{_BOOSTS[f]}" for f in TEXT_FIELDS],
        }
    }


def _phrase_anywhere(text: str) -> dict[str, Any]:
    return {
        "bool": {
            "should": [
                {"match_phrase": {field: {"query": text, "boost": _BOOSTS[field]}}}
                for field in TEXT_FIELDS
            ],
            "minimum_should_match": 1,
        }
    }


def _term_clause(term: QueryTerm) -> dict[str, Any]:
    options = []
    if term.words:
        options.append(_words_clause(term.words))
    parts = []
    for kind, tokens in term.segments:
        if kind == "word":
            parts.append(_words_clause(tokens))
        else:
            parts.append(_phrase_anywhere("".join(_unigrams(tokens))))
    if parts:
        options.append({"bool": {"must": parts}})
    return {"bool": {"should": options, "minimum_should_match": 1}}


def _unigrams(bigrams: tuple[str, ...]) -> list[str]:
    """The CJK run back from its bigrams (the query analyser re-derives them)."""
    if len(bigrams) == 1:
        return [bigrams[0]]
    return [bigrams[0]] + [b[-1] for b in bigrams[1:]]


def _filters(query: SearchQuery) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    for field, values in (
        ("source_id", query.source_ids),
        ("kind", query.kinds),
        ("platform", query.platforms),
        ("region", query.regions),
        ("standards", query.standards),
        ("sectors", query.sectors),
        ("grade", query.grades),
    ):
        if values:
            filters.append({"terms": {field: list(values)}})
    if query.flagged is not None:
        filters.append({"term": {"flagged": query.flagged}})
    if query.date_from is not None or query.date_to is not None:
        bounds = {}
        if query.date_from is not None:
            bounds["gte"] = query.date_from.isoformat()
        if query.date_to is not None:
            bounds["lte"] = query.date_to.isoformat()
        filters.append({"range": {"search_date": bounds}})
    return filters


def _sort(sort: str) -> list[dict[str, Any]]:
    if sort == "relevance":
        return [{"_score": {"order": "desc"}}, {"doc_id": {"order": "asc"}}]
    order = "asc" if sort == "published" else "desc"
    return [
        {"search_date": {"order": order, "missing": "_last"}},
        {"doc_id": {"order": "asc"}},
    ]


def _after(token: str, sort: str) -> list[Any]:
    values = decode_cursor(token, sort)
    if (
        len(values) != 2
        or not isinstance(values[1], int)
        or not isinstance(values[0], (int, float))
        or isinstance(values[0], bool)
    ):
        raise InvalidQuery("cursor does not belong to this index", field="after", value=token)
    return values


def _highlight(terms: list[QueryTerm]) -> dict[str, Any] | None:
    needles = [t.text for t in terms] + [w for t in terms for w in t.words if len(w) > 1]
    if not needles:
        return None
    fields = {}
    for field in TEXT_FIELDS:
        fields[field] = {
            "highlight_query": {
                "bool": {"should": [{"match_phrase": {field: n}} for n in dict.fromkeys(needles)]}
            },
            # The whole title; up to three fragments elsewhere.
            "number_of_fragments": 0 if field == "title" else MAX_FRAGMENTS,
            "fragment_size": FRAGMENT_CHARS,
        }
    return {
        "type": "unified",
        "encoder": "html",  # crawled text is hostile: fragments are HTML-escaped
        "pre_tags": ["<em>"],
        "post_tags": ["</em>"],
        "fields": fields,
    }


def build_request(query: SearchQuery, terms: list[QueryTerm]) -> dict[str, Any]:
    """The search body (validated query in, one request out)."""
    must = [_term_clause(t) for t in terms]
    body: dict[str, Any] = {
        "query": {
            "bool": {
                "must": must or [{"match_all": {}}],
                "filter": _filters(query),
            }
        },
        "sort": _sort(query.sort),
        "size": query.size + 1,  # one more tells whether a next page exists
        "track_total_hits": True,
        "_source": ["doc_id", "title", "url", "source_id"],
    }
    if query.after:
        body["search_after"] = _after(query.after, query.sort)
    highlight = _highlight(terms)
    if highlight:
        body["highlight"] = highlight
    if query.aggregations:
        body["aggs"] = {
            name: {"terms": {"field": _AGG_FIELDS[name], "size": AGG_SIZE}}
            for name in query.aggregations
        }
    return body


def parse_response(response: dict[str, Any], query: SearchQuery) -> SearchResult:
    raw_hits = response["hits"]["hits"]
    page = raw_hits[: query.size]
    hits = []
    for raw in page:
        source = raw["_source"]
        found = raw.get("highlight", {})
        fragments = [f for field in TEXT_FIELDS for f in found.get(field, [])]
        hits.append(
            SearchHit(
                doc_id=int(source["doc_id"]),
                title=source["title"],
                url=source["url"],
                source_id=source["source_id"],
                score=float(raw["_score"] or 0.0) if raw.get("_score") is not None else 0.0,
                highlights=fragments[:MAX_FRAGMENTS],
            )
        )
    next_after = None
    if len(raw_hits) > query.size:
        next_after = encode_cursor(query.sort, list(page[-1]["sort"]))
    aggregations = {
        name: {str(b["key"]): int(b["doc_count"]) for b in buckets["buckets"]}
        for name, buckets in ((n, response["aggregations"][n]) for n in query.aggregations)
    }
    return SearchResult(
        total=int(response["hits"]["total"]["value"]),
        hits=hits,
        next_after=next_after,
        aggregations=aggregations,
    )
