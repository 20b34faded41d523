"""The learned second opinion: a linear model over character 1-4-grams.

TF-IDF (sublinear tf, l2 norm) of the character n-grams of the normalised text, then
logistic regression. The model is plain data (config/models/<kind>.json: vocabulary, idf,
coefficients, thresholds and the real training rows that explain a verdict), so running it
needs neither scikit-learn nor a download; `fit` (scikit-learn) builds one and
eval/train.py writes the shipped files.

Inference is numpy over a batch of clauses (`probas`): the character n-grams of all the
clauses are packed into integer keys in one pass and looked up in the sorted keys of the
vocabulary, and the TF-IDF dot products are sums grouped by clause. The analyzers call it
only on the clauses a rule hit (veto) and on candidate clauses (rescue), a document's
clauses in one batch, see analyzers.second_opinion.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick_rs
import numpy as np

from analyzers.errors import AnalyzerError
from analyzers.normalize import MAPPED, normalize, squeezed

__all__ = ["MODELS_DIR", "CharModel", "Example", "default_model_path", "fit", "ngrams"]

MODELS_DIR = Path(__file__).resolve().parent.parent / "config" / "models"
NGRAM = (1, 4)
FORMAT = 1
NEAREST_TERMS = 40


_PLAIN_RE = re.compile(r"[\s" + re.escape("".join(MAPPED)) + "]")


def _model_text(text: str) -> str:
    """`squeezed(text)`, as the model was trained on (`ngrams`); a text without whitespace
    or characters to map is that already."""
    return squeezed(text) if _PLAIN_RE.search(text) else text


def default_model_path(kind: str) -> Path:
    return MODELS_DIR / f"{kind}.json"


def ngrams(text: str) -> list[str]:
    """Character n-grams (NGRAM range) of the normalised text, spaces squeezed."""
    t = squeezed(text)
    lo, hi = NGRAM
    out: list[str] = []
    n = len(t)
    for k in range(lo, hi + 1):
        out.extend(t[i : i + k] for i in range(n - k + 1))
    return out


@dataclass(frozen=True)
class Example:
    """A real training row, quoted to explain why the model thinks a clause resembles it."""

    id: str
    text: str
    label: bool
    standard: str | None
    source: str


@dataclass
class CharModel:
    vocab: dict[str, int]
    idf: list[float]
    coef: list[float]
    intercept: float
    veto: float = 0.2  # a weak rule hit whose clause scores below this is demoted
    rescue: float = 0.85  # a clause no rule flagged that scores at least this is 疑似
    examples: list[Example] = field(default_factory=list)
    _postings: dict[int, tuple[Any, Any]] | None = field(default=None, repr=False)
    _labels: Any = field(default=None, repr=False)
    _automaton: Any = field(default=None, repr=False)
    _keys: Any = field(default=None, repr=False)

    # -- scoring

    def _matcher(self) -> Any:
        # every vocabulary n-gram in one Aho-Corasick automaton: the plain count of
        # `_counts`, which the numpy lookups of `probas` and `vector` must equal
        if self._automaton is None:
            terms = sorted(self.vocab, key=self.vocab.__getitem__)  # pattern index = feature
            self._automaton = ahocorasick_rs.AhoCorasick(terms)
        return self._automaton

    def _counts(self, text: str) -> Counter[int]:
        t = " ".join(normalize(text).text.split())  # the plain formula, not `squeezed`
        if not t:
            return Counter()
        hits = self._matcher().find_matches_as_indexes(t, overlapping=True)
        return Counter(j for j, _, _ in hits)

    def vector(self, text: str) -> dict[int, float]:
        """The TF-IDF vector of `text`, its n-grams in order of first occurrence (by end,
        the longer first, as an Aho-Corasick scan over the vocabulary reports them)."""
        js, w = self._weights(text)
        return dict(zip(js.tolist(), w.tolist(), strict=True))

    def _weights(self, text: str) -> tuple[Any, Any]:
        """`vector` as arrays (features, weights), computed as the plain formula would be:
        math.log, the norm summed in order, so that every weight is the same float."""
        kt = self._key_tables()
        pos, length, feat = kt.hits(_model_text(text))
        if not len(feat):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        # first occurrences in scan order, and the count of each n-gram
        order = np.lexsort((-length, pos + length))
        js, first, counts = np.unique(feat[order], return_index=True, return_counts=True)
        by_first = np.argsort(first)
        js, counts = js[by_first], counts[by_first]
        seen, inv = np.unique(counts, return_inverse=True)
        tf = 1.0 + np.array([math.log(c) for c in seen.tolist()])[inv]
        v = tf * kt.idf[js]
        norm = math.sqrt(float(np.add.accumulate(v * v)[-1]))  # a running sum, in order
        if not norm:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return js, v / norm

    def prepare(self) -> CharModel:
        """Build the lookup tables now (else on first use): an analyzer built once then
        pays nothing more on its first documents."""
        self._key_tables()
        if self._postings is None:
            self._postings = self._build_postings()
        return self

    def _key_tables(self) -> _Keys:
        if self._keys is None:
            self._keys = _Keys(self)
        return self._keys

    def proba(self, text: str) -> float:
        """Probability that `text` is a violating clause."""
        return self.probas([text])[0]

    def probas(self, texts: Sequence[str]) -> list[float]:
        """`proba` of each of `texts`, computed as one batch."""
        if not texts:
            return []
        kt = self._key_tables()
        clause, feat = kt.lookup([_model_text(x) for x in texts])
        n = len(texts)
        dot = [0.0] * n
        sq = [0.0] * n
        if len(feat):
            # (clause, feature) pairs with their counts: sublinear tf, then the sums per clause
            pair, count = np.unique(clause * len(self.idf) + feat, return_counts=True)
            cl = pair // len(self.idf)
            j = pair % len(self.idf)
            tf = 1.0 + np.log(count)
            dot = np.bincount(cl, weights=kt.w[j] * tf, minlength=n).tolist()
            sq = np.bincount(cl, weights=kt.idf2[j] * (tf * tf), minlength=n).tolist()
        out: list[float] = []
        for d, s in zip(dot, sq, strict=True):
            if not s:  # no n-gram of the vocabulary
                out.append(1.0 / (1.0 + math.exp(-self.intercept)))
                continue
            z = self.intercept + d / math.sqrt(s)
            out.append(1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0)
        return out

    def nearest(self, text: str, *, k: int = 3, label: bool | None = True) -> list[
        tuple[float, Example]
    ]:
        """The k real training rows most similar to `text` (cosine), optionally of one label."""
        if self._postings is None:
            self._postings = self._build_postings()
        # the query's heaviest n-grams decide who is nearest; the light, common ones (long
        # postings) would only add small equal amounts to everyone
        js, w = self._weights(text)
        top = np.argsort(-w, kind="stable")[:NEAREST_TERMS]  # ties in order of occurrence
        post = self._postings
        parts = [(post[j], v) for j, v in zip(js[top].tolist(), w[top].tolist(), strict=True)
                 if j in post]
        if not parts:
            return []
        who = np.concatenate([p[0] for p, _ in parts])
        # bincount adds in input order, query term by query term, as a running sum would
        sims = np.bincount(who, weights=np.concatenate([v * p[1] for p, v in parts]),
                           minlength=len(self.examples))
        touched, first = np.unique(who, return_index=True)
        if label is not None:
            keep = self._labels[touched] == label
            touched, first = touched[keep], first[keep]
        # highest similarity first; ties in the order the examples were first reached
        order = np.lexsort((first, -sims[touched]))[:k]
        return [(float(sims[n]), self.examples[n]) for n in touched[order].tolist()]

    def _build_postings(self) -> dict[int, tuple[Any, Any]]:
        # an inverted index (feature -> (examples, weights)): a query touches only the
        # examples that share one of its n-grams
        post: dict[int, list[tuple[int, float]]] = {}
        for n, e in enumerate(self.examples):
            for j, v in self.vector(e.text).items():
                post.setdefault(j, []).append((n, v))
        # an n-gram shared by a large share of the examples tells none of them apart
        cap = max(20, len(self.examples) // 8)
        self._labels = np.array([e.label for e in self.examples], dtype=bool)
        return {j: (np.array([n for n, _ in ps], dtype=np.int64),
                    np.array([v for _, v in ps], dtype=np.float64))
                for j, ps in post.items() if len(ps) <= cap}

    # -- (de)serialisation

    def to_dict(self) -> dict[str, Any]:
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        return {
            "format": FORMAT, "ngram": list(NGRAM), "intercept": self.intercept,
            "veto": self.veto, "rescue": self.rescue,
            "features": [[t, round(self.idf[self.vocab[t]], 5), round(self.coef[self.vocab[t]], 5)]
                         for t in terms],
            "examples": [e.__dict__ for e in self.examples],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "model") -> CharModel:
        try:
            if data["format"] != FORMAT or tuple(data["ngram"]) != NGRAM:
                raise AnalyzerError(f"{where}: unsupported model format {data['format']!r}")
            feats = data["features"]
            return cls(
                vocab={t: i for i, (t, _, _) in enumerate(feats)},
                idf=[float(f[1]) for f in feats], coef=[float(f[2]) for f in feats],
                intercept=float(data["intercept"]), veto=float(data["veto"]),
                rescue=float(data["rescue"]),
                examples=[Example(**e) for e in data.get("examples", [])],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AnalyzerError(f"{where}: malformed model file ({exc!r})") from exc

    @classmethod
    def load(cls, path: str | Path) -> CharModel:
        p = Path(path)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise AnalyzerError(f"{p}: cannot read model: {exc.strerror or exc}") from exc
        except json.JSONDecodeError as exc:
            raise AnalyzerError(f"{p}: model is not valid JSON: {exc.msg}") from exc
        if not isinstance(data, dict):
            raise AnalyzerError(f"{p}: model must be a JSON object")
        return cls.from_dict(data, str(p))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")),
                              encoding="utf-8")


class _Keys:
    """The vocabulary as tables of integer keys. Each character of the vocabulary gets a
    dense id (1..), a character outside its alphabet is 0. A 1-gram or 2-gram is looked
    up directly (its id, or the pair of ids); a 3-gram or 4-gram packs its ids `bits`
    apiece into one key, searched in the sorted keys of its length, and only where its
    first two characters begin some 3-gram (4-gram) of the vocabulary."""

    def __init__(self, model: CharModel) -> None:
        chars = sorted({c for t in model.vocab for c in t})
        if NGRAM != (1, 4) or any(not 1 <= len(t) <= 4 for t in model.vocab):
            raise AnalyzerError(f"model n-grams are not of 1 to 4 characters: {NGRAM}")
        if 4 * len(chars).bit_length() > 62:
            raise AnalyzerError(f"model alphabet too large for 64-bit keys: {len(chars)}")
        # code point -> id, one gather; the last entry (0) stands for every larger code point
        self.ids = np.zeros(ord(chars[-1]) + 2, dtype=np.int64)
        self.ids[[ord(c) for c in chars]] = np.arange(1, len(chars) + 1)
        self.bits = len(chars).bit_length()
        self.width = len(chars) + 1
        cid = {c: i + 1 for i, c in enumerate(chars)}
        self.uni = np.full(self.width, -1, dtype=np.int64)
        self.pair = np.full(self.width * self.width, -1, dtype=np.int32)
        self.starts = np.zeros(self.width * self.width, dtype=np.int8)  # bit k-3: begins a k-gram
        longer: dict[int, list[tuple[int, int]]] = {3: [], 4: []}
        for t, j in model.vocab.items():
            ids = [cid[c] for c in t]
            if len(ids) == 1:
                self.uni[ids[0]] = j
            elif len(ids) == 2:
                self.pair[ids[0] * self.width + ids[1]] = j
            else:
                self.starts[ids[0] * self.width + ids[1]] |= 1 << (len(ids) - 3)
                key = 0
                for i in ids:
                    key = (key << self.bits) | i
                longer[len(ids)].append((key, j))
        self.keys: dict[int, tuple[Any, Any]] = {}
        for k, kj in longer.items():
            kj.sort()
            self.keys[k] = (np.array([x for x, _ in kj], dtype=np.int64),
                            np.array([j for _, j in kj], dtype=np.int64))
        idf = np.array(model.idf, dtype=np.float64)
        self.idf = idf
        self.w = np.array(model.coef, dtype=np.float64) * idf
        self.idf2 = idf * idf

    def lookup(self, texts: list[str]) -> tuple[Any, Any]:
        """(text index, feature) of every vocabulary n-gram occurrence in `texts`."""
        joined = "\x00".join(texts)  # \x00 is outside every alphabet: no n-gram spans texts
        text_of = np.repeat(np.arange(len(texts)), [len(t) + 1 for t in texts])
        where, _, feats = self.hits(joined)
        return text_of[where], feats

    def hits(self, text: str) -> tuple[Any, Any, Any]:
        """(start, length, feature) of every vocabulary n-gram occurrence in `text`, by
        length, then by start."""
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        ids = self.ids.take(cps, mode="clip")
        n = len(ids)
        f1 = self.uni[ids]
        at = [np.flatnonzero(f1 >= 0)]
        feats = [f1[at[0]]]
        ks = [1]
        if n >= 2:
            pairs = ids[:-1] * self.width + ids[1:]
            f2 = self.pair[pairs]
            at.append(np.flatnonzero(f2 >= 0))
            feats.append(f2[at[-1]].astype(np.int64))
            ks.append(2)
            flags = self.starts[pairs]
            for k in (3, 4):
                keys, kfeats = self.keys[k]
                pos = np.flatnonzero(flags[: n - k + 1] & (1 << (k - 3)))
                if not len(pos) or not len(keys):
                    continue
                key = ids[pos]
                for d in range(1, k):
                    key = (key << self.bits) | ids[pos + d]
                p = np.searchsorted(keys, key)
                p[p == len(keys)] = 0
                hit = keys[p] == key
                at.append(pos[hit])
                feats.append(kfeats[p[hit]])
                ks.append(k)
        where = np.concatenate(at)
        lengths = np.repeat(np.array(ks, dtype=np.int64), [len(a) for a in at])
        return where, lengths, np.concatenate(feats)


def fit(
    texts: Sequence[str], labels: Sequence[bool], *, weights: Sequence[float] | None = None,
    examples: Sequence[Example] = (), max_features: int = 12000, c: float = 4.0,
    veto: float = 0.2, rescue: float = 0.85,
) -> CharModel:
    """Train a CharModel with scikit-learn (needed only here, not to run the model)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True, min_df=2, max_features=max_features)
    x = vec.fit_transform(list(texts))
    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    clf.fit(x, [bool(y) for y in labels], sample_weight=None if weights is None else list(weights))
    vocab = {t: int(i) for t, i in vec.vocabulary_.items()}
    return CharModel(vocab=vocab, idf=[float(v) for v in vec.idf_],
                     coef=[float(v) for v in clf.coef_[0]], intercept=float(clf.intercept_[0]),
                     veto=veto, rescue=rescue, examples=list(examples))
