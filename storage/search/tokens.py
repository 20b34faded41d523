"""Chinese text to index terms: jieba words plus character bigrams.

jieba (with the project dictionary of regulatory terms) gives word tokens; because a
product name or new coinage may be cut differently in a document and in a query, or be
unknown to the dictionary, every run of CJK characters is also indexed as overlapping
bigrams, so any substring of two or more characters can be found as a phrase of bigrams.
Both the embedded index and Elasticsearch use this module, so they tokenise alike.

Segmentation runs in jieba-rs (the `rjieba` binding), a compiled port of jieba with the
same dictionary and HMM model; segmenting in pure-Python jieba made indexing several times
slower. Two steps stay here so the words equal pure-Python jieba 0.42's (a test compares
them on the law texts): non-CJK tokens holding punctuation (`2021-04-29`, `www.gov.cn`)
are split into letter/digit runs as jieba's HMM step does, and search mode is jieba's own
rule (each precise word, preceded by its 2- and 3-character sub-words found in the
dictionary), because jieba-rs's search mode differs on mixed-script text.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import rjieba

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
# jieba's own patterns: the characters its HMM treats as Chinese, and the letter/digit
# runs (a decimal, a percentage) it keeps whole inside other non-Chinese text.
_JIEBA_HAN = re.compile("[\u4e00-\u9fd5]")
_JIEBA_SKIP = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?")
# A user dictionary line is `word [freq] [tag]`, the last two told apart as jieba does.
_FREQ = re.compile(r"[0-9]+")
_TAG = re.compile(r"[a-z]+")

_FORMS_CACHE = 200_000  # distinct cut words remembered per tokenizer (a few tens of MB at most)

_segmenters: dict[str, rjieba.Jieba] = {}
_lock = threading.Lock()


def _load_userdict(segmenter: rjieba.Jieba, dictionary: Path) -> None:
    """Add each `word [freq] [tag]` line, read as jieba's `load_userdict` reads it."""
    if not dictionary.is_file():
        raise TokenizerError("segmentation dictionary not found", path=str(dictionary))
    try:
        text = dictionary.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TokenizerError(
            f"not a UTF-8 jieba user dictionary: {exc}", path=str(dictionary)
        ) from exc
    for raw in text.removeprefix("\ufeff").splitlines():
        parts = raw.strip().split(" ")
        tag = parts.pop() if len(parts) > 1 and _TAG.fullmatch(parts[-1]) else None
        freq = int(parts.pop()) if len(parts) > 1 and _FREQ.fullmatch(parts[-1]) else None
        word = " ".join(parts).strip()
        if word:
            segmenter.add_word(word, freq, tag)


def _segmenter_for(dictionary: Path | None) -> rjieba.Jieba:
    """One segmenter per user dictionary (loading jieba's dictionary takes ~0.3 s)."""
    key = str(dictionary) if dictionary else ""
    with _lock:
        segmenter = _segmenters.get(key)
        if segmenter is None:
            segmenter = rjieba.Jieba()
            if dictionary is not None:
                _load_userdict(segmenter, dictionary)
            _segmenters[key] = segmenter
        return segmenter


@dataclass(frozen=True)
class QueryTerm:
    """One whitespace-separated term of a query, ready to match."""

    text: str  # lower-cased
    words: tuple[str, ...]  # jieba words of the term
    segments: tuple[tuple[str, tuple[str, ...]], ...]  # ("cjk", bigrams) | ("word", (token,))


class ChineseTokenizer:
    def __init__(self, dictionary: Path | str | None = DEFAULT_DICTIONARY) -> None:
        self.dictionary = Path(dictionary) if dictionary is not None else None
        self._seg = _segmenter_for(self.dictionary)
        # What one cut word becomes in search mode depends on the word alone (the dictionary
        # is fixed once loaded), and words repeat: indexing spent most of its tokenising time
        # re-deriving the same sub-words with a dictionary lookup each, so they are remembered.
        self._search_forms = functools.lru_cache(maxsize=_FORMS_CACHE)(self._search_forms_of)

    def _cut_words(self, word: str) -> list[str]:
        """One word of jieba's cut as precise-mode words: split, stripped or dropped."""
        if word.isalnum():  # the common case (a CJK word, a number) skips all this
            return [word]
        # jieba's HMM splits unknown non-Chinese runs; dictionary words (C++) stay.
        if _JIEBA_HAN.search(word) is None and not self._seg.has_word(word):
            parts = _JIEBA_SKIP.findall(word)
            if parts:
                return parts
        word = word.strip()
        if not word or not _HAS_WORD.search(word):
            return []
        return [word]

    def _precise(self, text: str) -> list[str]:
        """jieba's precise-mode words in their original case, without blanks or punctuation."""
        return [w for cut in self._seg.cut(text) for w in self._cut_words(cut)]

    def _search_forms_of(self, cut: str) -> tuple[str, ...]:
        """jieba's search mode for one cut word: each precise word after its sub-words."""
        known = self._seg.has_word
        out: list[str] = []
        for word in self._cut_words(cut):
            n = len(word)
            if n > 2:
                subs = [word[i : i + 2] for i in range(n - 1)]
                if n > 3:
                    subs += [word[i : i + 3] for i in range(n - 2)]
                out.extend(s.lower() for s in subs if known(s) and _HAS_WORD.search(s))
            out.append(word.lower())
        return tuple(out)

    def words(self, text: str) -> list[str]:
        """Search-mode jieba tokens (words and their sub-words), lower-cased."""
        forms = self._search_forms
        return [w for cut in self._seg.cut(text) for w in forms(cut)]

    def precise_words(self, text: str) -> list[str]:
        return [w.lower() for w in self._precise(text)]

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
