"""What an analyzer returns: `Finding` (one suspect clause) and `DocumentAnalysis`.

The field names are the cross-team contract (notes/apis.md) and the JSON produced by
`fairwatch analyze --jsonl`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["FLAGGING_GRADES", "GRADES", "DocumentAnalysis", "Finding", "grade_rank", "lower_grade"]

# Strongest first. A finding graded in FLAGGING_GRADES makes its document "flagged".
GRADES: tuple[str, ...] = ("明显违反", "疑似", "提示")
FLAGGING_GRADES: frozenset[str] = frozenset({"明显违反", "疑似"})


def grade_rank(grade: str) -> int:
    """0 for the strongest grade; raises ValueError for an unknown grade."""
    try:
        return GRADES.index(grade)
    except ValueError:
        raise ValueError(f"unknown grade {grade!r}: expected one of {', '.join(GRADES)}") from None


def lower_grade(grade: str, steps: int = 1) -> str:
    """The grade `steps` levels weaker, stopping at the weakest (提示)."""
    return GRADES[min(grade_rank(grade) + steps, len(GRADES) - 1)]


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One clause that may breach a standard.

    `start`/`end` are character offsets into the ORIGINAL text given to analyze();
    `quote` is exactly text[start:end].
    """

    standard: str
    rule: str
    grade: str
    start: int
    end: int
    quote: str
    citation: str
    explanation: str
    exception: str | None = None  # e.g. "FC-12 第十二条（三）：节约能源" when one may apply
    sector: str | None = None  # the sector the rule assumed (ad rules), None for policy

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def flagging(self) -> bool:
        return self.grade in FLAGGING_GRADES


@dataclass
class DocumentAnalysis:
    """All findings of one text, in text order, with the document-level summary."""

    findings: list[Finding] = field(default_factory=list)
    # per finding (same order), the analyzer's confidence that it is a breach, when it has one
    confidence: list[float] = field(default_factory=list)

    @property
    def grade(self) -> str | None:
        """The strongest grade among the findings, None when there are none."""
        if not self.findings:
            return None
        return min((f.grade for f in self.findings), key=grade_rank)

    @property
    def flagged(self) -> bool:
        """True exactly when some finding is graded 明显违反 or 疑似."""
        return any(f.flagging for f in self.findings)

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per standard id."""
        return dict(Counter(f.standard for f in self.findings))

    def primary(self) -> Finding | None:
        """The finding that best characterises the text: strongest grade, earliest."""
        if not self.findings:
            return None
        return min(self.findings, key=lambda f: (grade_rank(f.grade), f.start))

    def ranked(self) -> list[Finding]:
        """The findings a reviewer should read first first: strongest grade, then highest
        confidence, then text order."""
        conf = self.confidence if len(self.confidence) == len(self.findings) else []
        order = sorted(range(len(self.findings)), key=lambda i: (
            grade_rank(self.findings[i].grade), -(conf[i] if conf else 0.0),
            self.findings[i].start))
        return [self.findings[i] for i in order]

    def to_dict(self) -> dict[str, Any]:
        return {
            "flagged": self.flagged,
            "grade": self.grade,
            "counts": self.counts,
            "findings": [f.to_dict() for f in self.findings],
        }
