"""The Elasticsearch index design: template, analysers, mappings and document bodies.

Chinese is made searchable twice over, like the embedded index (storage.search.fts):

- `*_words` fields hold jieba words (search mode, with the project's dictionary) computed
  in Python by storage.search.tokens and joined by spaces; ES splits them on whitespace.
- `title`, `body` and `attachments_text` hold the original text, analysed into single
  characters plus overlapping character bigrams (the standard tokenizer emits one token
  per CJK character; a shingle filter joins neighbours). A phrase of bigrams finds any
  substring, including words jieba does not know; highlights are cut from these fields,
  so fragments show the original text.

Only analysis components built into the server are used (standard tokenizer, shingle and
lowercase filters, whitespace analyzer): the node of scripts/elasticsearch.sh has no
analysis-common module, and a production cluster needs no plugin either.
"""

from __future__ import annotations

from typing import Any

from storage.search.base import IndexedDocument
from storage.search.tokens import ChineseTokenizer

# Bump when the mappings, the analysis or the tokenisation change; an index of an older
# format still works but `fairwatch index rebuild` should be run (ensure() logs it).
FORMAT_VERSION = 2
TEXT_FIELDS = ("title", "body", "attachments_text")
WORD_FIELDS = {
    "title": "title_words",
    "body": "body_words",
    "attachments_text": "attachments_words",
}
KEYWORD_FIELDS = (
    "source_id",
    "kind",
    "url",
    "issuer",
    "region",
    "platform",
    "doc_number",
    "standards",
    "sectors",
    "grade",
    "review_status",
    "month",
)

_ANALYSIS = {
    "filter": {
        "fw_bigrams": {
            "type": "shingle",
            "min_shingle_size": 2,
            "max_shingle_size": 2,
            "output_unigrams": True,
            "token_separator": "",
        },
        # Queries use bigrams only (a phrase of them), single characters only when alone.
        "fw_query_bigrams": {
            "type": "shingle",
            "min_shingle_size": 2,
            "max_shingle_size": 2,
            "output_unigrams": False,
            "output_unigrams_if_no_shingles": True,
            "token_separator": "",
        },
    },
    "analyzer": {
        "fw_grams": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "fw_bigrams"],
        },
        "fw_grams_query": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "fw_query_bigrams"],
        },
    },
}


def _mappings() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "doc_id": {"type": "long"},
        "version_id": {"type": "long"},
        "published": {"type": "date", "format": "strict_date"},
        "fetched_at": {"type": "date", "format": "strict_date"},
        "search_date": {"type": "date", "format": "strict_date"},
        "flagged": {"type": "boolean"},
    }
    for name in KEYWORD_FIELDS:
        properties[name] = {"type": "keyword"}
    properties["url"] = {"type": "keyword", "index": False, "doc_values": False}
    for name, words in WORD_FIELDS.items():
        properties[name] = {
            "type": "text",
            "analyzer": "fw_grams",
            "search_analyzer": "fw_grams_query",
            "index_options": "offsets",  # highlights without re-analysing the text
        }
        properties[words] = {"type": "text", "analyzer": "whitespace"}
    return {
        "dynamic": "strict",
        "_meta": {"fairwatch_format": FORMAT_VERSION},
        # The word streams are derived: no need to keep them in _source.
        "_source": {"excludes": list(WORD_FIELDS.values())},
        "properties": properties,
    }


def index_template(prefix: str, *, shards: int, replicas: int) -> dict[str, Any]:
    """Composable template applied to every `<prefix>-v<N>` index."""
    return {
        "index_patterns": [f"{prefix}-v*"],
        "priority": 200,
        "_meta": {"fairwatch_format": FORMAT_VERSION},
        "template": {
            "settings": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "analysis": _ANALYSIS,
            },
            "mappings": _mappings(),
        },
    }


def document_source(doc: IndexedDocument, tokenizer: ChineseTokenizer) -> dict[str, Any]:
    """The `_source` of one document (its `_id` is the doc_id)."""
    day = doc.search_date
    source: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "version_id": doc.version_id,
        "source_id": doc.source_id,
        "kind": doc.kind,
        "url": doc.url,
        "title": doc.title,
        "body": doc.body,
        "attachments_text": doc.attachments_text or "",
        "issuer": doc.issuer,
        "region": doc.region,
        "platform": doc.platform,
        "doc_number": doc.doc_number,
        "published": doc.published.isoformat() if doc.published else None,
        "fetched_at": doc.fetched_at.isoformat() if doc.fetched_at else None,
        "search_date": day.isoformat() if day else None,
        "month": day.isoformat()[:7] if day else None,
        "standards": sorted(set(doc.standards)),
        "sectors": sorted(set(doc.sectors)),
        "grade": doc.grade,
        "flagged": doc.flagged,
        "review_status": doc.review_status,
    }
    for name, words in WORD_FIELDS.items():
        source[words] = " ".join(tokenizer.words(source[name])) if source[name] else ""
    return source
