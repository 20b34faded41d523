"""Rules with a learned second opinion (analyzers.learned) on the clauses that matter.

- Veto: a weak rule hit (疑似) whose clause the model scores below `model.veto` looks like
  the lawful class; it is demoted to 提示 and says so. Strong hits (明显违反) stand.
- Rescue: a clause no rule flagged that the model scores at least `model.rescue` becomes a
  疑似 finding, explained by the nearest real training cases (ids and sources) and citing
  the article the rule pack cites for the standard of those cases.

The model runs only on the clauses of flagging rule hits and on candidate clauses (those
holding one of the model's strongest violation n-grams), so the analyzer stays fast. Then
one clause repeated in a document is one finding, and `DocumentAnalysis.ranked()` orders
the findings by confidence.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, replace
from itertools import accumulate
from operator import itemgetter
from typing import Any

import ahocorasick_rs
import numpy as np

from analyzers.findings import DocumentAnalysis, Finding
from analyzers.learned import CharModel
from analyzers.normalize import normalize
from analyzers.rulepack import RulePack

__all__ = ["LEARNED_RULE", "Parts", "SecondOpinion", "dedupe"]

LEARNED_RULE = "learned"
MIN_CLAUSE = 8
STRONG_VETO = 0.25  # a 明显违反 hit is demoted only below veto × this
WHOLE = 400  # texts up to this long are scored whole
MAX_SPAN = 300  # a candidate clause reaches at most this far either side of its trigger
TRIGGERS = 30  # strongest violation n-grams (2+ CJK characters) that make a clause a candidate
# code point -> is a clause bound; the last entry (False) stands for every larger one
_BOUNDS = "。！？!?；;\n|"
_IS_BOUND = np.zeros(max(map(ord, _BOUNDS)) + 2, dtype=bool)
_IS_BOUND[[ord(c) for c in _BOUNDS]] = True
_second = itemgetter(1)
_third = itemgetter(2)
_CJK_RE = re.compile(r"^[\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class Parts:
    """What decides whether the combined analyzer flags a text scored whole, for any pair of
    thresholds: the grade and model probability of each flagging rule hit, and the model
    probability of the whole text where a rescue could raise it (None: no rescue possible,
    e.g. no fitting standard among the nearest cases, or not commercial promotion)."""

    hits: tuple[tuple[str, float], ...]
    rescue: float | None

    def flagged(self, veto: float, rescue: float) -> bool:
        if any(p >= (veto if grade == "疑似" else veto * STRONG_VETO) for grade, p in self.hits):
            return True
        return self.rescue is not None and self.rescue >= rescue


class SecondOpinion:
    """analyze(text, sector=None, platform=None) like the analyzer it wraps."""

    def __init__(self, base: Any, model: CharModel, pack: RulePack, *, exception: str = ""):
        self.base = base
        self.model = model.prepare()  # its tables built now, not on the first documents
        self.pack = pack
        self.citations: dict[str, str] = {}
        # standard -> the sectors its rules apply to (None: any); a rescue must fit the sector
        self._sectors: dict[str, set[str] | None] = {}
        for rule in pack.rules:
            self.citations.setdefault(rule.standard, rule.citation)
            have = self._sectors.get(rule.standard, set())
            if rule.standard in self._sectors and have is None:
                continue
            self._sectors[rule.standard] = None if rule.sectors is None else (
                (have or set()) | set(rule.sectors))
        self.exception = exception
        self.no_rescue = frozenset(map(str, pack.extensions.get("no_rescue") or ()))
        self.requires = tuple(map(str, pack.extensions.get("rescue_requires") or ()))
        # any of the cues as a substring: one regex search instead of one `in` per cue
        self._requires_re = re.compile("|".join(map(re.escape, self.requires)))
        # standard -> (sectors, cues): in an ad of those sectors the model raises the standard
        # only on a clause that says what it forbids (a drug ad may state its indications)
        self.cues = {
            str(std): (frozenset(map(str, spec["sectors"])),
                       re.compile("|".join(map(str, spec["cues"]))))
            for std, spec in (pack.extensions.get("rescue_cues") or {}).items()
        }
        inv = sorted(model.vocab, key=lambda t: -model.coef[model.vocab[t]])
        strong = [t for t in inv
                  if len(t) >= 2 and _CJK_RE.match(t) and model.coef[model.vocab[t]] > 0][:TRIGGERS]
        self._triggers = ahocorasick_rs.AhoCorasick(strong) if strong else None
        self._has_triggers = bool(strong)

    def __getattr__(self, name: str) -> Any:
        # the wrapped analyzer's attributes (its pack, sector detector, ...) stay reachable
        base = self.__dict__.get("base")
        if base is None:
            raise AttributeError(name)
        return getattr(base, name)

    def analyze(
        self, text: str, *, sector: str | None = None, platform: str | None = None,
    ) -> DocumentAnalysis:
        hints = {k: v for k, v in (("sector", sector), ("platform", platform)) if v}
        res = self.base.analyze(text, **hints)
        findings: list[Finding] = []
        conf: dict[int, float] = {}  # id(finding) -> model probability
        scores: dict[str, float] = {}  # clause text -> probability: a clause with findings
        # under several standards, or repeated in the document, is scored once
        flagged_spans: list[tuple[int, int]] = []
        rescuing = self._may_rescue(text, platform)
        whole = len(text.strip()) <= WHOLE
        eligible = self._eligible(
            text, whole, [(0, len(text))] if whole else self._candidates(text)
        ) if rescuing else []
        # One batch for the model: the flagged quotes, and the candidates clear of every
        # flagging hit (a veto below can only clear more of them: those are scored after)
        self._score(scores, [f.quote for f in res.findings
                             if f.flagging and f.rule != LEARNED_RULE] + [
            q for _, _, q in self._clear(eligible,
                                         [(f.start, f.end) for f in res.findings if f.flagging])])
        for f in res.findings:
            p = None
            if f.flagging and f.rule != LEARNED_RULE:
                p = scores[f.quote]
                # weak hits yield to the model below `veto`; strong ones only when it is sure
                limit = self.model.veto if f.grade == "疑似" else self.model.veto * STRONG_VETO
                if p < limit:
                    f = replace(f, grade="提示", explanation=(
                        f"{f.explanation}；学习模型认为此句更像合规条文"
                        f"（违规概率 {p:.2f}），已降为提示"))
            if f.flagging:
                flagged_spans.append((f.start, f.end))
            if p is not None:
                conf[id(f)] = p
            findings.append(f)
        if rescuing:
            picked = self._clear(eligible, flagged_spans)
            for f, p in self._rescues(picked, self._sector(text, sector), scores):
                conf[id(f)] = p
                findings.append(f)
        findings.sort(key=lambda f: (f.start, f.standard))
        kept = dedupe(findings)
        return DocumentAnalysis(kept, [conf.get(id(f), 0.0) for f in kept])

    def parts(
        self, text: str, *, sector: str | None = None, platform: str | None = None,
        rules: DocumentAnalysis | None = None,
    ) -> Parts | None:
        """The Parts of a text short enough to be scored whole (None for a longer one), so
        thresholds can be chosen without analysing the text once per candidate pair; `rules`
        is the wrapped analyzer's result for the same text and hints, when already known."""
        if len(text.strip()) > WHOLE:
            return None
        hints = {k: v for k, v in (("sector", sector), ("platform", platform)) if v}
        res = rules if rules is not None else self.base.analyze(text, **hints)
        hits = [f for f in res.findings if f.flagging and f.rule != LEARNED_RULE]
        scores: dict[str, float] = {}
        self._score(scores, [f.quote for f in hits])
        rescue = None
        if self._may_rescue(text, platform):
            picked = self._eligible(text, True, [(0, len(text))])
            found = self._rescues(picked, self._sector(text, sector), scores, threshold=0.0)
            rescue = found[0][1] if found else None
        return Parts(tuple((f.grade, scores[f.quote]) for f in hits), rescue)

    def _may_rescue(self, text: str, platform: str | None) -> bool:
        promoting = getattr(self.base, "is_promotion", None)
        if platform is None and promoting is not None and not promoting(normalize(text).text):
            return False  # not commercial promotion: the Advertising Law is not applied (ad_law)
        return self._has_triggers

    def _score(self, scores: dict[str, float], quotes: list[str]) -> None:
        """Model probabilities of the quotes not scored yet, as one batch."""
        todo = [q for q in dict.fromkeys(quotes) if q not in scores]
        scores.update(zip(todo, self.model.probas(todo), strict=True))

    def _candidates(self, text: str) -> list[tuple[int, int]]:
        """Clauses (original offsets) holding a trigger n-gram: one C-level pass over the text
        for the triggers; the clause bounds around every trigger found in numpy at once."""
        hits = self._triggers.find_matches_as_indexes(text, overlapping=True)
        if not hits:
            return []
        n = len(text)
        starts = np.fromiter(map(_second, hits), dtype=np.int64, count=len(hits))
        ends = np.fromiter(map(_third, hits), dtype=np.int64, count=len(hits))  # past the end
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        bounds = np.flatnonzero(_IS_BOUND.take(cps, mode="clip"))
        # bounds with a sentinel at either end: never within MAX_SPAN of a trigger
        padded = np.concatenate(([-n - MAX_SPAN - 1], bounds, [2 * n + MAX_SPAN + 1]))
        # the last bound in [start - MAX_SPAN, start), else the start of the text
        before = padded[np.searchsorted(bounds, starts, "left")]
        s_arr = np.where(before >= starts - MAX_SPAN, before + 1, 0)
        # the first bound in [end, end + MAX_SPAN), included, else MAX_SPAN on
        after = padded[np.searchsorted(bounds, ends, "left") + 1]
        e_arr = np.where(after < ends + MAX_SPAN, after + 1, np.minimum(n, ends + MAX_SPAN))
        spans: list[tuple[int, int]] = []
        last_end = -1
        for i, s, e in zip(starts.tolist(), s_arr.tolist(), e_arr.tolist(), strict=True):
            if i < last_end:  # inside the clause of an earlier trigger
                continue
            while s < e and text[s] in " \t\r,，、":
                s += 1
            spans.append((s, e))
            last_end = e
        return spans

    def _sector(self, text: str, hint: str | None) -> str | None:
        """The sector a caller gave (ad analyzers resolve names); a detected one is only a
        guess, and real-estate investment claims read as finance, so it narrows nothing."""
        detector = getattr(self.base, "sectors", None)
        if detector is None or not hint:
            return None
        try:
            return detector.detect(text, hint=hint).sector
        except ValueError:
            return None

    def _fits(self, standard: str, sector: str | None) -> bool:
        allowed = self._sectors.get(standard)
        return allowed is None or sector is None or sector in allowed

    def _eligible(
        self, text: str, whole: bool, spans: list[tuple[int, int]],
    ) -> list[tuple[int, int, str]]:
        """(start, end, quote) of the candidate spans a rescue may come from: in a document,
        those long enough and stating a measure."""
        out: list[tuple[int, int, str]] = []
        for start, end in spans:
            if not whole and end - start < MIN_CLAUSE:
                continue
            quote = text[start:end]
            # in a document, only a measure (not its reports or news) can breach a standard; a
            # short text given alone was already picked out as the measure to judge
            if not whole and self.requires and not self._requires_re.search(quote):
                continue
            out.append((start, end, quote))
        return out

    @staticmethod
    def _clear(
        eligible: list[tuple[int, int, str]], flagged: list[tuple[int, int]],
    ) -> list[tuple[int, int, str]]:
        """The eligible spans that overlap none of the `flagged` spans."""
        flagged = sorted(flagged)
        starts = [s for s, _ in flagged]
        reach = list(accumulate((e for _, e in flagged), max))  # furthest end so far
        picked: list[tuple[int, int, str]] = []
        for span in eligible:
            k = bisect_left(starts, span[1])  # flagged spans starting before this one ends
            if not (k and reach[k - 1] > span[0]):
                picked.append(span)
        return picked

    def _rescues(
        self, picked: list[tuple[int, int, str]], sector: str | None, scores: dict[str, float],
        threshold: float | None = None,
    ) -> list[tuple[Finding, float]]:
        """Findings for the picked spans scoring at least `threshold` (default:
        model.rescue). A short text (one ad, one quoted clause) is scored whole, as the model
        was trained; a document only on its candidate clauses."""
        rescue = self.model.rescue if threshold is None else threshold
        out: list[tuple[Finding, float]] = []
        self._score(scores, [q for _, _, q in picked])
        for start, end, quote in picked:
            p = scores[quote]
            if p < rescue:
                continue
            near = [(sim, e) for sim, e in self.model.nearest(quote, k=3) if e.standard]
            if not near:
                continue
            fitting = [e.standard for _, e in near if self._fits(e.standard, sector)]
            fitting = [s for s in fitting if s not in self.no_rescue]
            if not fitting:
                continue  # e.g. treatment claims in a drug ad: not what the cases were about
            std = Counter(fitting).most_common(1)[0][0]
            if std not in self.citations:
                continue
            if std in self.cues:
                sectors, cues = self.cues[std]
                if sector in sectors and not cues.search(quote):
                    continue
            cases = "；".join(
                f"{e.id}（{e.standard}，相似度 {sim:.2f}，{e.source}）" for sim, e in near)
            out.append((Finding(
                standard=std, rule=LEARNED_RULE, grade="疑似", start=start, end=end,
                quote=quote, citation=self.citations[std],
                explanation=(f"没有规则命中，但学习模型判断此句与已查处的违规条文相似"
                             f"（违规概率 {p:.2f}），须人工核实；最相近的真实案例：{cases}"),
                exception=self.exception or None,
            ), p))
        return out


def dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (standard, clause text): a clause repeated in a document is one finding
    (the first occurrence, with the strongest grade seen)."""
    from analyzers.findings import grade_rank

    best: dict[tuple[str, str], Finding] = {}
    order: list[tuple[str, str]] = []
    for f in findings:
        key = (f.standard, "".join(f.quote.split()))
        prev = best.get(key)
        if prev is None:
            best[key] = f
            order.append(key)
        elif grade_rank(f.grade) < grade_rank(prev.grade):
            best[key] = replace(f, start=prev.start, end=prev.end, quote=prev.quote)
    return [best[k] for k in order]
