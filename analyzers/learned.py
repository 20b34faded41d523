"""The learned second opinion: a linear model over character 1-4-grams.

TF-IDF (sublinear tf, l2 norm) of the character n-grams of the normalised text, then
logistic regression. The model is plain data (config/models/<kind>.json: vocabulary, idf,
coefficients, thresholds and the real training rows that explain a verdict), so running it
needs neither scikit-learn nor a download; `fit` (scikit-learn) builds one and
eval/train.py writes the shipped files.

Inference is pure Python over one clause at a time: the analyzers call it only on the
clauses a rule hit (veto) and on candidate clauses (rescue), see analyzers.second_opinion.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick

from analyzers.errors import AnalyzerError
from analyzers.normalize import normalize

__all__ = ["MODELS_DIR", "CharModel", "Example", "default_model_path", "fit", "ngrams"]

MODELS_DIR = Path(__file__).resolve().parent.parent / "config" / "models"
NGRAM = (1, 4)
FORMAT = 1
NEAREST_TERMS = 40


def default_model_path(kind: str) -> Path:
    return MODELS_DIR / f"{kind}.json"


def ngrams(text: str) -> list[str]:
    """Character n-grams (NGRAM range) of the normalised text, spaces squeezed."""
    t = " ".join(normalize(text).text.split())
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
    _postings: dict[int, list[tuple[int, float]]] | None = field(default=None, repr=False)
    _automaton: Any = field(default=None, repr=False)
    _w: list[float] = field(default_factory=list, repr=False)
    _idf2: list[float] = field(default_factory=list, repr=False)

    # -- scoring

    def _matcher(self) -> Any:
        # every vocabulary n-gram in one Aho-Corasick automaton: counting a clause's
        # n-grams is one C-level pass instead of a dictionary probe per n-gram
        if self._automaton is None:
            a = ahocorasick.Automaton()
            for t, j in self.vocab.items():
                a.add_word(t, j)
            a.make_automaton()
            self._automaton = a
            self._w = [c * i for c, i in zip(self.coef, self.idf, strict=True)]
            self._idf2 = [i * i for i in self.idf]
        return self._automaton

    def _counts(self, text: str) -> Counter[int]:
        t = " ".join(normalize(text).text.split())
        return Counter(j for _, j in self._matcher().iter(t)) if t else Counter()

    def vector(self, text: str) -> dict[int, float]:
        vec = {j: (1.0 + math.log(c)) * self.idf[j] for j, c in self._counts(text).items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {j: v / norm for j, v in vec.items()} if norm else {}

    def proba(self, text: str) -> float:
        """Probability that `text` is a violating clause."""
        counts = self._counts(text)
        if not counts:
            return 1.0 / (1.0 + math.exp(-self.intercept))
        ones = [j for j, c in counts.items() if c == 1]
        dot = sum(map(self._w.__getitem__, ones))
        sq = sum(map(self._idf2.__getitem__, ones))
        for j, c in counts.items():
            if c > 1:
                tf = 1.0 + math.log(c)
                dot += self._w[j] * tf
                sq += self._idf2[j] * tf * tf
        z = self.intercept + dot / math.sqrt(sq)
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0

    def nearest(self, text: str, *, k: int = 3, label: bool | None = True) -> list[
        tuple[float, Example]
    ]:
        """The k real training rows most similar to `text` (cosine), optionally of one label."""
        if self._postings is None:
            # an inverted index (feature -> (example, weight)): a query touches only the
            # examples that share one of its n-grams
            post: dict[int, list[tuple[int, float]]] = {}
            for n, e in enumerate(self.examples):
                for j, v in self.vector(e.text).items():
                    post.setdefault(j, []).append((n, v))
            # an n-gram shared by a large share of the examples tells none of them apart
            cap = max(20, len(self.examples) // 8)
            self._postings = {j: ps for j, ps in post.items() if len(ps) <= cap}
        sims: dict[int, float] = {}
        # the query's heaviest n-grams decide who is nearest; the light, common ones (long
        # postings) would only add small equal amounts to everyone
        query = sorted(self.vector(text).items(), key=lambda jv: -jv[1])[:NEAREST_TERMS]
        for j, v in query:
            for n, w in self._postings.get(j, ()):
                sims[n] = sims.get(n, 0.0) + v * w
        scored = [(sim, self.examples[n]) for n, sim in sims.items()
                  if label is None or self.examples[n].label == label]
        scored.sort(key=lambda se: -se[0])
        return scored[:k]

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
