'''The data-driven rule engine shared by the policy and ad analyzers.

Rule packs are YAML files; their format, validation and dataclasses are in
analyzers.rulepack (`load_pack`, re-exported here). `RuleEngine(pack)` applies a pack.

How a document is matched, in bounded memory (chunks of about 64K characters):

1. the chunk is normalised (analyzers.normalize) and split into clauses (analyzers.clauses);
2. pre-filter: one Aho-Corasick pass over the chunk with only the anchor terms (one role
   per rule: the role marked `anchor: true`, else the one with fewest one-character cues);
   clauses without an anchor hit cost nothing more;
3. a candidate clause gets a full Aho-Corasick pass over every cue of the pack; a rule is
   tried only when a term of each of its roles is present (one bit per role) and none of
   its `unless` cues is;
4. a rule matches when every role has a hit that is neither negated nor excluded (nor
   failing the jieba word check of `word: true` roles) and all roles fit in the window.

A clause yields at most one finding per standard (the strongest grade, then the first rule
in pack order). A legal-basis cue (rules with `legal_basis: downgrade`) or an exception cue
lowers the grade one step and is named in the explanation and in `Finding.exception`; an
exception cue together with an `exception_period` cue lowers it one step more. The finding
is never dropped. The numbered items under a prohibiting lead-in (`list_negations`) quote
banned conduct and yield no findings.
'''

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from itertools import pairwise
from operator import itemgetter, or_
from pathlib import Path
from typing import Any

import ahocorasick_rs

from analyzers.clauses import iter_chunks, iter_clause_spans
from analyzers.findings import GRADES, DocumentAnalysis, Finding, lower_grade
from analyzers.normalize import NUMBERING_RE, normalize
from analyzers.rulepack import CueRole, ExceptionCue, Rule, RulePack, load_pack

__all__ = ["CueRole", "ExceptionCue", "Rule", "RuleEngine", "RulePack", "load_pack"]

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- matching

Hit = tuple[int, int, int]  # (term id, start, end) in clause-local normalised offsets
_ARTICLE_RE = re.compile(r"第[一二三四五六七八九十百零〇\d]+[条章节]")
_first = itemgetter(0)
_rank_order = itemgetter(0, 1)


@dataclass
class _ListState:
    quoting: bool = False  # inside the items of a list introduced by a prohibiting lead-in


@dataclass
class _CompiledRole:
    role: CueRole
    ids: frozenset[int]
    exclude_ids: frozenset[int]
    negation_ids: frozenset[int]
    key: int = 0  # equal roles of different rules share a key: their hits are computed once


@dataclass
class _CompiledRule:
    rule: Rule
    index: int
    roles: list[_CompiledRole]
    unless_ids: frozenset[int]
    anchor_ids: frozenset[int] = field(default_factory=frozenset)
    rank: int = 0  # of the rule's grade: a match is never graded stronger (only lowered)


class RuleEngine:
    """Applies one RulePack to text. Deterministic, no I/O after construction.

    `analyze(text, sector=..., platform=...)` returns a DocumentAnalysis;
    `iter_findings(...)` yields findings clause by clause (bounded memory).
    """

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack
        self._term_ids: dict[str, int] = {}
        self._terms: list[str] = []
        self._rules: list[_CompiledRule] = []
        self._anchor_rules: dict[int, list[int]] = {}
        role_keys: dict[tuple[CueRole, int], int] = {}
        for i, rule in enumerate(pack.rules):
            roles = [
                _CompiledRole(
                    r, self._ids(r.terms), self._ids(r.exclude), self._ids(r.negations),
                    role_keys.setdefault((r, rule.negation_window), len(role_keys)),
                )
                for r in rule.roles
            ]
            cr = _CompiledRule(
                rule, i, roles, self._ids(rule.unless), rank=GRADES.index(rule.grade))
            anchor = next((r for r in roles if r.role.anchor and r.ids), None)
            if anchor is None:
                anchor = min((r for r in roles if r.ids), key=_selectivity)
            cr.anchor_ids = anchor.ids
            for tid in anchor.ids:
                self._anchor_rules.setdefault(tid, []).append(i)
            self._rules.append(cr)
        # One bit per role with terms (over all rules): a term sets the bits of its roles,
        # a rule's mask has the bits of all its roles.
        self._role_masks: list[int] = []
        bits: dict[int, int] = {}
        k = 0
        for cr in self._rules:
            mask = 0
            for role in cr.roles:
                if not role.ids:
                    continue
                mask |= 1 << k
                for tid in role.ids:
                    bits[tid] = bits.get(tid, 0) | (1 << k)
                k += 1
            self._role_masks.append(mask)
        self._legal_ids = self._ids(pack.legal_basis)
        self._period_ids = self._ids(pack.exception_period)
        self._list_neg_ids = self._ids(pack.list_negations)
        self._exc_by_term: dict[str, ExceptionCue] = {}
        for exc in pack.exceptions:
            for term in exc.cues:
                self._exc_by_term.setdefault(term, exc)
        self._exc_ids = self._ids(tuple(self._exc_by_term))
        # Everything the candidate test needs of a term, in one integer, so that a clause's
        # terms are OR-ed once: the bits of its roles, then (shifted) the rules it anchors,
        # the rules it vetoes as an `unless` cue, and whether it is a list negation.
        self._nroles = k
        self._rule_shift = k
        self._unless_shift = k + len(self._rules)
        self._listneg_bit = 1 << (k + 2 * len(self._rules))
        self._rules_all = (1 << len(self._rules)) - 1
        info = [bits.get(tid, 0) for tid in range(len(self._terms))]
        for tid, ris in self._anchor_rules.items():
            for ri in ris:
                info[tid] |= 1 << (self._rule_shift + ri)
        for ri, cr in enumerate(self._rules):
            for tid in cr.unless_ids:
                info[tid] |= 1 << (self._unless_shift + ri)
        for tid in self._list_neg_ids:
            info[tid] |= self._listneg_bit
        self._term_info = info
        # pattern index = term id. ahocorasick-rs: its automaton does one transition
        # lookup per character whatever the number of cues (pyahocorasick scans a trie
        # node's children, slow with the 1,300 distinct first characters of a pack with a
        # gazetteer), and returns all matches of a clause in one call
        self._automaton = _automaton(self._terms)
        # The pre-filter: only the anchor terms, scanned over whole chunks. A clause without
        # an anchor hit costs nothing more; one with a hit gets the full scan.
        self._anchor_automaton = _automaton([self._terms[t] for t in self._anchor_rules])
        self._tokenizer = None
        if any(r.word for rule in pack.rules for r in rule.roles):
            self._tokenizer = _make_tokenizer(pack.dictionary)

    def _ids(self, terms: tuple[str, ...]) -> frozenset[int]:
        out = set()
        for t in terms:
            if t not in self._term_ids:
                self._term_ids[t] = len(self._terms)
                self._terms.append(t)
            out.add(self._term_ids[t])
        return frozenset(out)

    # -- public API

    def analyze(
        self, text: str, *, sector: str | None = None, platform: str | None = None
    ) -> DocumentAnalysis:
        """Findings for `text`, in text order; offsets point into `text`."""
        if not isinstance(text, str):
            raise TypeError(f"analyze() needs str text, got {type(text).__name__}")
        return DocumentAnalysis(list(self.iter_findings(text, sector=sector, platform=platform)))

    def iter_findings(
        self, text: str, *, sector: str | None = None, platform: str | None = None
    ) -> Iterator[Finding]:
        """Findings clause by clause; the text is processed in chunks (bounded memory)."""
        state = _ListState()
        for offset, chunk in iter_chunks(text):
            yield from self._analyze_chunk(text, offset, chunk, sector, platform, state)

    # -- internals

    def _analyze_chunk(
        self, text: str, offset: int, chunk: str, sector: str | None, platform: str | None,
        state: _ListState,
    ) -> Iterator[Finding]:
        if self._automaton is None:  # a pack without cues (and so without rules) finds nothing
            return
        norm = normalize(chunk)
        ntext = norm.text
        if self._anchor_automaton is not None:
            anchors = sorted([s for _, s, _ in self._anchor_automaton.find_matches_as_indexes(
                ntext, overlapping=True)])
        else:
            anchors = []
        ai = 0
        na = len(anchors)
        has_list_neg = bool(self._list_neg_ids)
        find = self._automaton.find_matches_as_indexes
        term_info = self._term_info
        role_masks = self._role_masks
        roles_all = (1 << self._nroles) - 1
        rule_shift, unless_shift = self._rule_shift, self._unless_shift
        rules_all, listneg_bit = self._rules_all, self._listneg_bit
        for cs, ce in iter_clause_spans(ntext):
            if state.quoting:
                # Items under a prohibiting lead-in quote the banned conduct; the list ends
                # at an article heading or at a new line that is not an item.
                starts_line = cs == 0 or ntext[cs - 1] == "\n"
                if _ARTICLE_RE.match(ntext, cs) or (
                    starts_line and not NUMBERING_RE.match(ntext, cs)
                ):
                    state.quoting = False
            lead_in = has_list_neg and ntext[ce - 1] == ":"
            while ai < na and anchors[ai] < cs:
                ai += 1
            if not lead_in and (state.quoting or ai >= na or anchors[ai] >= ce):
                continue
            clause = ntext[cs:ce]
            found_terms = find(clause, overlapping=True)
            # the roles, anchored rules, vetoing `unless` cues and list negations of the
            # clause's terms, OR-ed in one C-level pass
            info = reduce(or_, map(term_info.__getitem__, map(_first, found_terms)), 0)
            if lead_in and info & listneg_bit:
                state.quoting = True
                continue
            if state.quoting:
                continue
            # A rule is a candidate when one of its anchor terms and a term of every other
            # role with terms occur (one bit per role), and none of its `unless` cues.
            anchored = (info >> rule_shift) & ~(info >> unless_shift) & rules_all
            if not anchored:
                continue
            roles_present = info & roles_all
            candidates = []
            while anchored:
                low = anchored & -anchored
                ri = low.bit_length() - 1  # rules in pack order
                anchored ^= low
                if roles_present & role_masks[ri] == role_masks[ri]:
                    candidates.append(ri)
            if not candidates:
                continue
            ctx = _ClauseContext(clause, found_terms, self._terms)
            # standard -> (grade rank, rule index, finding): the strongest, then earliest rule
            best: dict[str, tuple[int, int, Finding]] = {}
            for ri in candidates:
                cr = self._rules[ri]
                prev = best.get(cr.rule.standard)
                if prev is not None and prev[0] <= cr.rank:
                    continue  # a finding of this standard at least as strong as the rule can give
                found = self._apply(cr, ctx, sector, platform)
                if found is None:
                    continue
                rule, explanation, grade, exc = found
                rank = GRADES.index(grade)
                prev = best.get(rule.standard)
                if prev is None or rank < prev[0]:
                    os_, oe = norm.span_to_original(cs, ce)
                    start, end = offset + os_, offset + oe
                    best[rule.standard] = (rank, ri, Finding(
                        standard=rule.standard, rule=rule.id, grade=grade, start=start, end=end,
                        quote=text[start:end], citation=rule.citation, explanation=explanation,
                        exception=exc, sector=sector if rule.sectors else None,
                    ))
            if len(best) == 1:
                yield next(iter(best.values()))[2]
                continue
            for _, _, finding in sorted(best.values(), key=_rank_order):
                yield finding

    def _apply(
        self, cr: _CompiledRule, ctx: _ClauseContext, sector: str | None, platform: str | None,
    ) -> tuple[Rule, str, str, str | None] | None:
        rule = cr.rule
        if rule.sectors is not None and sector not in rule.sectors:
            return None
        if rule.platforms is not None and platform not in rule.platforms:
            return None
        per_role: list[list[tuple[int, int]]] = []
        for role in cr.roles:
            found = ctx.cache.get(role.key)
            if found is None:
                found = ctx.cache[role.key] = self._role_hits(role, ctx, rule.negation_window)
            if not found:
                return None
            per_role.append(found)
        if all(len(hits) == 1 for hits in per_role):
            match = _only_window([hits[0] for hits in per_role], rule.window, rule.ordered)
        else:
            index = None
            if len(per_role) > 1:  # roles shared by rules share their index within the clause
                index = []
                for role, hits in zip(cr.roles, per_role, strict=True):
                    idx = ctx.earliest.get(role.key)
                    if idx is None:
                        idx = ctx.earliest[role.key] = _Earliest(hits)
                    index.append(idx)
            match = _best_window(per_role, rule.window, rule.ordered, index)
        if match is None:
            return None
        clause = ctx.text
        matched = {
            role.role.name: clause[s:e] for role, (s, e) in zip(cr.roles, match, strict=True)
        }
        grade = rule.grade
        notes: list[str] = []
        exception: str | None = None
        if rule.legal_basis and not self._legal_ids.isdisjoint(ctx.present):
            cue = ctx.first(self._legal_ids)
            grade = lower_grade(grade)
            notes.append(f"条文援引了依据（「{cue}」），须核实是否为法律、行政法规或国务院批准，已降低等级")
        if rule.exceptions and not self._exc_ids.isdisjoint(ctx.present):
            cue = ctx.first(self._exc_ids)
            exc = self._exc_by_term[cue]
            exception = f"{exc.id} {exc.item}：{exc.label}（「{cue}」）"
            if not self._period_ids.isdisjoint(ctx.present):
                grade = lower_grade(grade, 2)
                notes.append(
                    f"可能适用{exc.item}例外（{exc.label}），且写明了期限或终止条件"
                    f"（「{ctx.first(self._period_ids)}」），须核实无对竞争影响更小的替代方案，已降低等级"
                )
            else:
                grade = lower_grade(grade)
                notes.append(
                    f"可能适用{exc.item}例外（{exc.label}），须核实无替代方案且有实施期限，已降低等级"
                )
        try:
            explanation = rule.explanation.format_map(matched)
        except (KeyError, ValueError, IndexError):  # validated at load; keep the raw text
            explanation = rule.explanation
        cues = "、".join(f"「{v}」" for v in dict.fromkeys(matched.values()))
        explanation = f"{explanation}（命中线索：{cues}）"
        if notes:
            explanation += "；" + "；".join(notes)
        return rule, explanation, grade, exception

    def _role_hits(
        self, role: _CompiledRole, ctx: _ClauseContext, negw: int
    ) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        if role.ids:
            excluders = ctx.spans(role.exclude_ids) if role.exclude_ids else ()
            negators = ctx.spans(role.negation_ids) if role.negation_ids else ()
            for s, e in ctx.spans(role.ids):
                if excluders and any(xs <= s and e <= xe for xs, xe in excluders):
                    continue
                if negators and _negated(s, ctx.text, negators, negw):
                    continue
                if role.role.word and not ctx.starts_token(s, self._starts_token):
                    continue
                out.append((s, e))
        if role.role.pattern is not None:
            spans = [m.span() for m in role.role.pattern.finditer(ctx.text)]
            if role.ids:  # terms and pattern: the term hit must lie inside a pattern match
                out = [(s, e) for s, e in out if any(ps <= s and e <= pe for ps, pe in spans)]
            else:
                out = spans
        return out

    def _starts_token(self, clause: str, s: int) -> bool:
        lo = max(0, s - 8)
        sub = clause[lo : s + 8]
        assert self._tokenizer is not None
        return any(a == s - lo for _, a, _ in self._tokenizer.tokenize(sub, HMM=False))


class _ClauseContext:
    """One candidate clause: its text and cue hits, indexed by term id."""

    __slots__ = ("by_tid", "cache", "earliest", "present", "terms", "text", "tokens")

    def __init__(self, text: str, hits: list[Hit], terms: list[str]) -> None:
        self.text = text
        self.terms = terms
        self.by_tid: dict[int, list[tuple[int, int]]] = {}
        for t, s, e in hits:
            self.by_tid.setdefault(t, []).append((s, e))
        self.present = self.by_tid.keys()
        self.cache: dict[int, list[tuple[int, int]]] = {}
        self.earliest: dict[int, _Earliest] = {}
        self.tokens: dict[int, bool] | None = None  # offset -> starts a jieba token

    def starts_token(self, s: int, check: Callable[[str, int], bool]) -> bool:
        """check(text, s), once per offset of the clause (roles of several rules ask)."""
        if self.tokens is None:
            self.tokens = {}
        found = self.tokens.get(s)
        if found is None:
            found = self.tokens[s] = check(self.text, s)
        return found

    def spans(self, ids: frozenset[int]) -> list[tuple[int, int]]:
        """Spans of the terms of `ids` in the clause, sorted (shared: not to be changed)."""
        # the clause's few terms looked up in `ids`, never the other way round: a role of the
        # gazetteer has thousands of ids
        by_tid = self.by_tid
        found = [t for t in by_tid if t in ids]
        if not found:
            return []
        if len(found) == 1:
            return by_tid[found[0]]
        return sorted([span for t in found for span in by_tid[t]])

    def first(self, ids: frozenset[int]) -> str:
        """The cue of `ids` that occurs first in the clause."""
        t = min([t for t in self.by_tid if t in ids], key=lambda t: self.by_tid[t][0])
        return self.terms[t]


def _negated(s: int, clause: str, negators: list[tuple[int, int]], negw: int) -> bool:
    """A negation cue ends at most `negw` characters before s, with no , or ; between."""
    for ns, ne in negators:
        if ne <= s and s - ne <= negw and ns < s:
            between = clause[ne:s]
            if "," not in between and ";" not in between:
                return True
    return False


def _selectivity(role: _CompiledRole) -> tuple[int, int]:
    """Lower is a better pre-filter: few one-character cues, then few cues."""
    terms = [t for t in role.role.terms]
    return (sum(1 for t in terms if len(t) == 1), len(terms))


def _best_window(
    per_role: list[list[tuple[int, int]]], window: int, ordered: bool,
    index: list[_Earliest] | None = None,
) -> list[tuple[int, int]] | None:
    """One hit per role, all within `window` characters; the tightest such choice.

    For each role, `_Earliest` answers "the hit starting at or after x that ends first" in
    O(log n), so the search is O(hits x roles x log hits).
    """
    best: list[tuple[int, int]] | None = None
    best_span = window + 1
    if len(per_role) == 1:
        h = min(per_role[0], key=lambda h: h[1] - h[0])
        return [h] if h[1] - h[0] <= window else None
    if index is None:
        index = [_Earliest(hits) for hits in per_role]
    if ordered:
        for first in per_role[0]:
            chosen = [first]
            for idx in index[1:]:
                nxt = idx.after(chosen[-1][1])
                if nxt is None:
                    break
                chosen.append(nxt)
            else:
                span = chosen[-1][1] - first[0]
                if span < best_span:
                    best, best_span = chosen, span
        return best
    for left in sorted({h[0] for hits in per_role for h in hits}):
        chosen = []
        for idx in index:
            nxt = idx.after(left)
            if nxt is None:
                return best
            chosen.append(nxt)
        span = max(h[1] for h in chosen) - left
        if span < best_span:
            best, best_span = chosen, span
    return best


def _only_window(hits: list[tuple[int, int]], window: int, ordered: bool) -> list[
    tuple[int, int]
] | None:
    """`_best_window` when every role has one hit: that choice, if it fits."""
    if ordered:
        for prev, nxt in pairwise(hits):
            if nxt[0] < prev[1]:
                return None
        span = hits[-1][1] - hits[0][0]
    else:
        span = max(h[1] for h in hits) - min(h[0] for h in hits)
    return hits if span <= window else None


class _Earliest:
    """Hits sorted by start, with the earliest-ending hit of every suffix."""

    __slots__ = ("best", "starts")

    def __init__(self, hits: list[tuple[int, int]]) -> None:
        hits = sorted(hits)
        self.starts = [h[0] for h in hits]
        self.best: list[tuple[int, int]] = hits[:]
        for i in range(len(hits) - 2, -1, -1):
            if self.best[i + 1][1] < self.best[i][1]:
                self.best[i] = self.best[i + 1]

    def after(self, x: int) -> tuple[int, int] | None:
        i = bisect_left(self.starts, x)
        return self.best[i] if i < len(self.best) else None


def _automaton(terms: list[str]) -> Any:
    """All occurrences of `terms` (overlapping, by end then longest first); None for none."""
    if not terms:
        return None
    return ahocorasick_rs.AhoCorasick(terms)


def _make_tokenizer(dictionary: Path | None) -> Any:
    import jieba  # imported here: only packs with `word: true` roles pay for it

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    if dictionary is not None:
        with open(dictionary, "rb") as f:  # jieba leaves a path it opened itself unclosed
            tok.load_userdict(f)
    return tok
