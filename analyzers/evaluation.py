"""Scoring an analyzer against a labelled corpus: the one module used by the CLI
(`fairwatch eval`), the CI gate (tests/analyzers/test_eval_gate.py) and the published
figures, for both kinds (policy and ad).

Corpus: JSON lines with `id` (unique), `text`, `label` (true: should be flagged) and
`standard` (required for positives); optional `source`, `note`, `near` (for a negative:
the standard it resembles), `case` (the decision or document the row is quoted from: rows
sharing it are one group for cross-validation), `verified` (how the verbatim text was
seen), and for ads `sector` and `platform`, passed to analyze() as the same-named hints
(the `fairwatch analyze --jsonl` contract). Every line is validated; the first invalid one
raises EvaluationError naming the file, line and field.

Real and authored rows: a row whose `source` is "written" (or missing) was written here as
a unit case of a rule; every other row is exact text from a published source. Hit rates
are figures over real rows only (`Case.real`); authored rows are checked as unit cases.

Semantics: a positive counts as a true positive when the analyzer flags it (some finding
graded 明显违反 or 疑似), whatever standard it names; a flagged negative is a false
positive. Per standard, recall is the share of its positives flagged, `named` the share
of those flagged under the right standard, and precision the share of the texts flagged
under that standard (any flagging finding naming it) that are positives of it. A crash
counts as a miss and its first exception is reported.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzers.errors import EvaluationError
from analyzers.registry import Analyzer

__all__ = [
    "AUTHORED", "Case", "Outcome", "Report", "evaluate", "load_cases", "load_documents",
    "outcome", "score",
    "split_real",
]

_KEYS = {
    "id", "text", "label", "standard", "source", "note", "near", "sector", "platform", "case",
    "verified",
}
AUTHORED = "written"
NEGATIVE = "(negative)"
NONE = "(none)"


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    label: bool
    standard: str | None
    near: str | None = None
    sector: str | None = None  # analyze() hints, for ad corpora
    platform: str | None = None
    source: str | None = None
    group: str = ""  # the `case` key, else the source, else the id

    @property
    def real(self) -> bool:
        """Exact text of a published source (not a unit case written here)."""
        return bool(self.source) and self.source != AUTHORED


@dataclass(frozen=True)
class Outcome:
    case: Case
    flagged: bool
    standards: tuple[str, ...]  # standards of the flagging findings, primary first
    error: str | None = None

    @property
    def predicted(self) -> str:
        return self.standards[0] if self.standards else NONE


def _json_objects(p: Path, what: str, keys: set[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of each non-blank line of a JSON-lines file whose keys are all
    in `keys`; anything else raises EvaluationError naming the file, line and field."""
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvaluationError(p, 0, "(file)", f"cannot read {what}: {exc.strerror or exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationError(p, n, "(line)", f"not valid JSON: {exc.msg}") from exc
        if not isinstance(obj, dict):
            raise EvaluationError(p, n, "(line)", "expected a JSON object")
        unknown = set(obj) - keys
        if unknown:
            allowed = ", ".join(sorted(keys))
            raise EvaluationError(p, n, sorted(unknown)[0], f"unknown key (allowed: {allowed})")
        yield n, obj


def load_cases(path: str | Path) -> list[Case]:
    """Read and validate a corpus file."""
    p = Path(path)
    cases: list[Case] = []
    seen: set[str] = set()
    for n, obj in _json_objects(p, "corpus", _KEYS):
        cid, text, label = obj.get("id"), obj.get("text"), obj.get("label")
        std = obj.get("standard")
        if not isinstance(cid, str) or not cid:
            raise EvaluationError(p, n, "id", f"expected a non-empty string, got {cid!r}")
        if cid in seen:
            raise EvaluationError(p, n, "id", f"duplicate id {cid!r}")
        seen.add(cid)
        if not isinstance(text, str) or not text.strip():
            raise EvaluationError(p, n, "text", f"{cid}: expected non-empty text")
        if not isinstance(label, bool):
            raise EvaluationError(p, n, "label", f"{cid}: expected true or false, got {label!r}")
        if label and (not isinstance(std, str) or not std):
            raise EvaluationError(p, n, "standard", f"{cid}: a positive needs its standard id")
        if not label and std is not None:
            raise EvaluationError(p, n, "standard", f"{cid}: a negative has standard null")
        near = obj.get("near")
        if near is not None and not isinstance(near, str):
            raise EvaluationError(p, n, "near", f"{cid}: expected a standard id or null")
        hints: dict[str, str | None] = {}
        for key in ("sector", "platform", "source", "case"):
            value = obj.get(key)
            if value is not None and (not isinstance(value, str) or not value):
                raise EvaluationError(p, n, key, f"{cid}: expected a non-empty string or null")
            hints[key] = value
        group = hints.pop("case") or hints["source"] or cid
        if group == AUTHORED:
            group = cid
        cases.append(Case(cid, text, label, std, near, **hints, group=group))
    if not cases:
        raise EvaluationError(p, 0, "(file)", "corpus is empty")
    return cases


_DOC_KEYS = {"id", "text", "source", "case", "verified", "title", "issuer", "doc_number", "note",
             "sector", "platform"}


def load_documents(path: str | Path) -> list[Case]:
    """Whole compliant documents (JSON lines: `id`, `text`, `source`, optional `case`, `title`,
    `issuer`, `doc_number`, `verified`, `note`), as negative cases; invalid lines raise
    EvaluationError naming the file, line and field."""
    p = Path(path)
    docs: list[Case] = []
    for n, obj in _json_objects(p, "documents", _DOC_KEYS):
        for key in ("id", "text", "source"):
            if not isinstance(obj.get(key), str) or not obj[key].strip():
                raise EvaluationError(p, n, key, "expected a non-empty string")
        docs.append(Case(obj["id"], obj["text"], False, None, source=obj["source"],
                         sector=obj.get("sector"), platform=obj.get("platform"),
                         group=obj.get("case") or obj["source"]))
    if not docs:
        raise EvaluationError(p, 0, "(file)", "no documents")
    return docs


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class StandardRow:
    standard: str
    positives: int = 0
    flagged: int = 0  # positives of this standard flagged (any standard)
    named: int = 0  # ... flagged under this standard
    predicted: int = 0  # texts flagged under this standard

    @property
    def recall(self) -> float:
        return _ratio(self.flagged, self.positives)

    @property
    def precision(self) -> float:
        return _ratio(self.named, self.predicted)

    @property
    def named_share(self) -> float:
        return _ratio(self.named, self.flagged)


@dataclass
class Report:
    outcomes: list[Outcome]
    corpus_sha256: str = ""
    rows: dict[str, StandardRow] = field(default_factory=dict)

    @property
    def tp(self) -> int:
        return sum(1 for o in self.outcomes if o.case.label and o.flagged)

    @property
    def fn(self) -> int:
        return sum(1 for o in self.outcomes if o.case.label and not o.flagged)

    @property
    def fp(self) -> int:
        return sum(1 for o in self.outcomes if not o.case.label and o.flagged)

    @property
    def tn(self) -> int:
        return sum(1 for o in self.outcomes if not o.case.label and not o.flagged)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def fpr(self) -> float:
        """False flags per negative."""
        return _ratio(self.fp, self.fp + self.tn)

    @property
    def named_share(self) -> float:
        """Share of the flagged positives whose findings cite the right standard."""
        hits = [o for o in self.outcomes if o.case.label and o.flagged]
        return _ratio(sum(1 for o in hits if o.case.standard in o.standards), len(hits))

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]

    def confusion(self) -> dict[str, Counter[str]]:
        """Gold standard (or '(negative)') -> Counter of the primary predicted standard."""
        out: dict[str, Counter[str]] = defaultdict(Counter)
        for o in self.outcomes:
            out[o.case.standard or NEGATIVE][o.predicted] += 1
        return dict(out)

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.label and not o.flagged]

    def false_alarms(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.case.label and o.flagged]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": len(self.outcomes), "corpus_sha256": self.corpus_sha256,
            "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4), "fpr": round(self.fpr, 4),
            "named_share": round(self.named_share, 4),
            "standards": {
                s: {"positives": r.positives, "flagged": r.flagged, "named": r.named,
                    "predicted": r.predicted, "recall": round(r.recall, 4),
                    "precision": round(r.precision, 4), "named_share": round(r.named_share, 4)}
                for s, r in sorted(self.rows.items())
            },
            "confusion": {g: dict(c) for g, c in sorted(self.confusion().items())},
            "errors": [{"id": o.case.id, "error": o.error} for o in self.errors],
        }

    def format(self, *, details: bool = False) -> str:
        lines = [
            f"cases {len(self.outcomes)}  positives {self.tp + self.fn}  "
            f"negatives {self.fp + self.tn}  corpus sha256 {self.corpus_sha256[:12]}",
            f"overall  precision {self.precision:.3f}  recall {self.recall:.3f}  "
            f"F1 {self.f1:.3f}  FPR {self.fpr:.3f}  right standard {self.named_share:.3f}  "
            f"(TP {self.tp} FP {self.fp} FN {self.fn} TN {self.tn})",
            "",
            f"{'standard':<10}{'pos':>5}{'flagged':>9}{'recall':>8}{'named':>7}"
            f"{'pred':>6}{'prec':>7}{'F1':>7}",
        ]
        for s, r in sorted(self.rows.items()):
            p_named = r.precision
            r_named = _ratio(r.named, r.positives)
            lines.append(
                f"{s:<10}{r.positives:>5}{r.flagged:>9}{r.recall:>8.3f}{r.named:>7}"
                f"{r.predicted:>6}{p_named:>7.3f}{_f1(p_named, r_named):>7.3f}"
            )
        lines += ["", "confusion (gold -> primary predicted standard):"]
        for gold, counter in sorted(self.confusion().items()):
            cells = ", ".join(f"{k} {v}" for k, v in sorted(counter.items(), key=lambda kv: -kv[1]))
            lines.append(f"  {gold:<11} {cells}")
        for o in self.errors:
            lines.append(f"ERROR {o.case.id}: {o.error}")
        if details:
            lines += ["", "missed positives:"]
            lines += [
                f"  {o.case.id} [{o.case.standard}] {o.case.text[:80]}" for o in self.misses()
            ]
            lines += ["false alarms:"]
            lines += [
                f"  {o.case.id} -> {','.join(o.standards)} {o.case.text[:80]}"
                for o in self.false_alarms()
            ]
        return "\n".join(lines)


def outcome(analyzer: Analyzer, case: Case) -> Outcome:
    """Run `analyzer` on one case; a crash is a miss carrying its first exception."""
    try:
        hints = {k: v for k, v in (("sector", case.sector), ("platform", case.platform)) if v}
        res = analyzer.analyze(case.text, **hints)
    except Exception as exc:
        return Outcome(case, False, (), f"{type(exc).__name__}: {exc}")
    flagging = [f for f in res.findings if f.flagging]
    primary = res.primary() if flagging else None
    if primary is not None and not primary.flagging:
        primary = flagging[0]
    stds = [primary.standard] if primary else []
    stds += [f.standard for f in flagging if f.standard not in stds]
    return Outcome(case, bool(flagging), tuple(stds))


def split_real(cases: list[Case]) -> tuple[list[Case], list[Case]]:
    """(real rows, authored unit cases)."""
    return [c for c in cases if c.real], [c for c in cases if not c.real]


def evaluate(analyzer: Analyzer, cases: list[Case], *, corpus_sha256: str = "") -> Report:
    """Run `analyzer` over `cases` and score it (see the module docstring)."""
    return score([outcome(analyzer, c) for c in cases], corpus_sha256=corpus_sha256)


def score(outcomes: list[Outcome], *, corpus_sha256: str = "") -> Report:
    """The report of outcomes gathered elsewhere (e.g. the folds of a cross-validation)."""
    report = Report(outcomes, corpus_sha256)
    rows: dict[str, StandardRow] = {}
    for o in outcomes:
        if o.case.label and o.case.standard:
            row = rows.setdefault(o.case.standard, StandardRow(o.case.standard))
            row.positives += 1
            row.flagged += o.flagged
            row.named += o.case.standard in o.standards
        for s in o.standards:
            rows.setdefault(s, StandardRow(s)).predicted += 1
    report.rows = rows
    return report


def corpus_digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
