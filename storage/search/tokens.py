"""Chinese text to index terms: jieba words plus character bigrams.

jieba (with the project dictionary of regulatory terms) gives word tokens; because a
product name or new coinage may be cut differently in a document and in a query, or be
unknown to the dictionary, every run of CJK characters is also indexed as overlapping
bigrams, so any substring of two or more characters can be found as a phrase of bigrams.
Both the embedded index and Elasticsearch use this module, so they tokenise alike.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import jieba

from storage.errors import TokenizerError

logger = logging.getLogger(__name__)

# storage/ may not import fairwatch, so the default dictionary is found from the repo root.
DEFAULT_DICTIONARY = (
    Path(__file__).resolve().parents[2] / "config" / "dictionary" / "regulatory_terms.txt"
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_SEGMENTS = re.compile(f"[{_CJK}]+|[^\\W_{_CJK}]+")  # CJK runs, or runs of other letters/digits
_HAS_WORD = re.compile(r"[^\W_]")

_tokenizers: dict[str, jieba.Tokenizer] = {}
_lock = threading.Lock()
jieba.setLogLevel(logging.WARNING)  # jieba logs its cache build to stderr at DEBUG


def _jieba_for(dictionary: Path | None) -> jieba.Tokenizer:
    """One initialised jieba tokenizer per user dictionary (initialising takes ~1 s)."""
    key = str(dictionary) if dictionary else ""
    with _lock:
        tokenizer = _tokenizers.get(key)
        if tokenizer is None:
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            if dictionary is not None:
                if not dictionary.is_file():
                    raise TokenizerError("segmentation dictionary not found", path=str(dictionary))
                try:
                    # A file object: jieba leaves a path's file open (ResourceWarning).
                    with dictionary.open("rb") as handle:
                        tokenizer.load_userdict(handle)
                except (ValueError, UnicodeDecodeError) as exc:
                    raise TokenizerError(
                        f"not a jieba user dictionary: {exc}", path=str(dictionary)
                    ) from exc
            _tokenizers[key] = tokenizer
        return tokenizer


@dataclass(frozen=True)
class QueryTerm:
    """One whitespace-separated term of a query, ready to match."""

    text: str  # lower-cased
    words: tuple[str, ...]  # jieba words of the term
    segments: tuple[tuple[str, tuple[str, ...]], ...]  # ("cjk", bigrams) | ("word", (token,))


class ChineseTokenizer:
    def __init__(self, dictionary: Path | str | None = DEFAULT_DICTIONARY) -> None:
        self.dictionary = Path(dictionary) if dictionary is not None else None
        self._jieba = _jieba_for(self.dictionary)

    def words(self, text: str) -> list[str]:
        """Search-mode jieba tokens (words and their sub-words), lower-cased."""
        return [
            t
            for t in (w.strip().lower() for w in self._jieba.cut_for_search(text))
            if t and _HAS_WORD.search(t)
        ]

    def precise_words(self, text: str) -> list[str]:
        return [
            t
            for t in (w.strip().lower() for w in self._jieba.cut(text))
            if t and _HAS_WORD.search(t)
        ]

    @staticmethod
    def grams(text: str) -> list[str]:
        """Overlapping bigrams of each CJK run; a one-character run is kept as is."""
        out: list[str] = []
        for run in _CJK_RUN.findall(text):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        return out

    def query_terms(self, text: str) -> list[QueryTerm]:
        terms = []
        for raw in text.lower().split():
            segments = []
            for seg in _SEGMENTS.findall(raw):
                if _CJK_RUN.fullmatch(seg):
                    segments.append(("cjk", tuple(self.grams(seg))))
                else:
                    segments.append(("word", (seg,)))
            words = tuple(self.precise_words(raw))
            if segments or words:
                terms.append(QueryTerm(text=raw, words=words, segments=tuple(segments)))
        return terms
