"""Honest figures for what is learned: grouped cross-validation on real rows.

The rows of one case (`Case.group`: one decision, case or policy document) are never in
both the training and the test part of a fold (sklearn GroupKFold). Each fold's model is
trained on the authored unit cases plus the real rows of the other folds, and three
analyzers are scored on the held-out real rows: the rules alone, the model alone (the
whole text scored, flagged at 0.5) and the rules with the model's second opinion.
Whole compliant documents are scored with a model trained without their own case.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from analyzers.evaluation import Case, Outcome, Report, outcome, score, split_real
from analyzers.learned import CharModel, Example, fit
from analyzers.second_opinion import SecondOpinion

__all__ = ["REAL_WEIGHT", "CvResult", "DocResult", "cross_validate", "document_flags",
           "train_model"]

logger = logging.getLogger(__name__)
REAL_WEIGHT = 3.0  # a real row counts as much as three authored ones in training
# (veto, rescue) per kind, chosen on the grouped cross-validation of eval/HISTORY.md
# (2026-12-04): the lowest-FPR pair with recall >= 0.85 where one exists.
THRESHOLDS = {"policy": (0.3, 0.7), "ad": (0.5, 0.5)}


def train_model(cases: Sequence[Case], kind: str, **kw: Any) -> CharModel:
    """A model over `cases` (real and authored); real rows are its explaining examples."""
    examples = [Example(c.id, c.text, c.label, c.standard, c.source or "") for c in cases if c.real]
    veto, rescue = THRESHOLDS.get(kind, (0.2, 0.85))
    return fit([c.text for c in cases], [c.label for c in cases],
               weights=[REAL_WEIGHT if c.real else 1.0 for c in cases], examples=examples,
               veto=veto, rescue=rescue, **kw)


class _ModelAlone:
    """The model as an analyzer of its own: the whole text scored."""

    def __init__(self, model: CharModel) -> None:
        self.model = model

    def outcome(self, case: Case) -> Outcome:
        p = self.model.proba(case.text)
        if p < 0.5:
            return Outcome(case, False, ())
        near = [e for _, e in self.model.nearest(case.text, k=3) if e.standard]
        stds = tuple(dict.fromkeys(e.standard for e in near if e.standard))
        return Outcome(case, True, stds or ("(model)",))


@dataclass
class CvResult:
    rules: Report
    model: Report
    combined: Report
    folds: int
    groups: int

    def to_dict(self) -> dict[str, Any]:
        return {"folds": self.folds, "groups": self.groups,
                **{k: _brief(getattr(self, k)) for k in ("rules", "model", "combined")}}

    def format(self) -> str:
        lines = [f"grouped cross-validation: {self.folds} folds over {self.groups} cases "
                 f"(rows of one case never in both parts)"]
        for name in ("rules", "model", "combined"):
            r: Report = getattr(self, name)
            lines.append(f"  {name:<9} recall {r.recall:.3f}  FPR {r.fpr:.3f}  precision "
                         f"{r.precision:.3f}  right standard {r.named_share:.3f}  "
                         f"(TP {r.tp} FP {r.fp} FN {r.fn} TN {r.tn})")
        return "\n".join(lines)


def _brief(r: Report) -> dict[str, Any]:
    return {"recall": round(r.recall, 4), "fpr": round(r.fpr, 4),
            "precision": round(r.precision, 4), "named_share": round(r.named_share, 4),
            "tp": r.tp, "fp": r.fp, "fn": r.fn, "tn": r.tn}


def cross_validate(
    cases: Sequence[Case], base: Any, pack: Any, *, folds: int = 5, exception: str = "",
    progress: Callable[[str], None] = logger.info,
) -> CvResult:
    """Rules, model and combined under GroupKFold over the real rows of `cases`."""
    from sklearn.model_selection import GroupKFold

    real, authored = split_real(list(cases))
    groups = [c.group for c in real]
    n_groups = len(set(groups))
    k = max(2, min(folds, n_groups))
    outs: dict[str, list[Outcome]] = {"rules": [], "model": [], "combined": []}
    for i, (tr, te) in enumerate(GroupKFold(n_splits=k).split(real, groups=groups), 1):
        model = train_model(authored + [real[j] for j in tr], pack.kind)
        combined = SecondOpinion(base, model, pack, exception=exception)
        alone = _ModelAlone(model)
        for j in te:
            c = real[j]
            outs["rules"].append(outcome(base, c))
            outs["model"].append(alone.outcome(c))
            outs["combined"].append(outcome(combined, c))
        progress(f"fold {i}/{k}: trained on {len(authored) + len(tr)} rows, "
                 f"tested on {len(te)} real rows")
    return CvResult(score(outs["rules"]), score(outs["model"]), score(outs["combined"]),
                    k, n_groups)


@dataclass
class DocResult:
    documents: int
    flags: dict[str, int]  # document id -> flagging findings (rules and model combined)
    rule_flags: dict[str, int]

    @property
    def per_document(self) -> float:
        return sum(self.flags.values()) / self.documents if self.documents else 0.0

    @property
    def rules_per_document(self) -> float:
        return sum(self.rule_flags.values()) / self.documents if self.documents else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "false_flags": sum(self.flags.values()),
                "per_document": round(self.per_document, 4),
                "rules_per_document": round(self.rules_per_document, 4), "by_document": self.flags}

    def format(self) -> str:
        return (f"whole compliant documents: {self.documents}, false flags "
                f"{sum(self.flags.values())} ({self.per_document:.3f} per document; rules alone "
                f"{self.rules_per_document:.3f})")


def document_flags(
    documents: Sequence[Case], cases: Sequence[Case], base: Any, pack: Any, *, folds: int = 5,
    exception: str = "",
) -> DocResult:
    """False flags of whole compliant documents; the documents are split into grouped folds
    and each fold is scored by a model trained on `cases` without the rows of its cases."""
    from sklearn.model_selection import GroupKFold

    flags: dict[str, int] = {}
    rule_flags: dict[str, int] = {}
    docs = list(documents)
    groups = [d.group for d in docs]
    k = min(folds, len(set(groups)))
    splits = GroupKFold(n_splits=k).split(docs, groups=groups) if k >= 2 else [
        ([], list(range(len(docs))))]
    for _, te in splits:
        held = {docs[j].group for j in te}
        model = train_model([c for c in cases if c.group not in held], pack.kind)
        combined = SecondOpinion(base, model, pack, exception=exception)
        for j in te:
            d = docs[j]
            hints = {k: v for k, v in (("sector", d.sector), ("platform", d.platform)) if v}
            flags[d.id] = sum(1 for f in combined.analyze(d.text, **hints).findings if f.flagging)
            rule_flags[d.id] = sum(1 for f in base.analyze(d.text, **hints).findings if f.flagging)
    return DocResult(len(docs), flags, rule_flags)
