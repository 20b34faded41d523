"""Which sector an ad belongs to, because the same words are lawful in one and not another.

广告法 第十六条 (医疗、药品、医疗器械), 第十七条 (everything else may not claim to treat
disease), 第十八条 (保健食品), 第二十三条 (酒类), 第二十四条 (教育、培训), 第二十五条
(投资), 第二十六条 (房地产): an ad rule applies only in the sectors it names, so every
ad finding records the sector it assumed.

The cues are data: `extensions.sectors` of the ad rule pack (config/rules/ad_law.yaml),
one entry per sector with weighted regular expressions over normalised text (see
`analyzers.normalize`). Cues name what is sold (胶囊, 楼盘, 课程), never the claims made
about it (治疗, 保本), so that a claim cannot move its own ad into the sector where it
would be lawful. An explicit sector hint (a source's configuration or an input line's
"sector") always wins over the text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from analyzers.errors import AnalyzerError, RulePackError
from analyzers.normalize import normalize

__all__ = [
    "DEFAULT_SECTOR",
    "SECTORS",
    "SECTOR_LABELS",
    "SectorCue",
    "SectorDetector",
    "SectorGuess",
    "UnknownSectorError",
    "resolve_sector",
]

logger = logging.getLogger(__name__)

# Stable ids (used in findings, source configuration and evaluation lines) and their names.
SECTOR_LABELS: dict[str, str] = {
    "ordinary": "普通商品",
    "food": "食品",
    "health_food": "保健食品",
    "cosmetics": "化妆品",
    "drug": "药品",
    "medical_device": "医疗器械",
    "medical_service": "医疗服务",
    "education": "教育培训",
    "finance": "投资理财",
    "real_estate": "房地产",
    "alcohol": "酒类",
}
SECTORS: tuple[str, ...] = tuple(SECTOR_LABELS)
# With no cue at all the ad is taken as selling ordinary goods: the sector where 第十七条
# forbids any medical claim, which is the safe default for an unknown product.
DEFAULT_SECTOR = "ordinary"
_BY_LABEL = {label: sid for sid, label in SECTOR_LABELS.items()}
_ALIASES = {
    "general": "ordinary",
    "goods": "ordinary",
    "普通食品": "food",
    "保健品": "health_food",
    "medical": "medical_service",
    "医疗": "medical_service",
    "医美": "medical_service",
    "education_training": "education",
    "教育": "education",
    "培训": "education",
    "investment": "finance",
    "金融": "finance",
    "招商": "finance",
    "房产": "real_estate",
    "realestate": "real_estate",
    "酒": "alcohol",
    "device": "medical_device",
    "医疗器械类": "medical_device",
    "器械": "medical_device",
    "医疗美容": "medical_service",
    "医疗机构": "medical_service",
    "医院": "medical_service",
    "药": "drug",
    "药物": "drug",
    "medicine": "drug",
    "cosmetic": "cosmetics",
    "美妆": "cosmetics",
    "护肤品": "cosmetics",
    "healthfood": "health_food",
    "dietary_supplement": "health_food",
    "supplement": "health_food",
    "理财": "finance",
    "投资": "finance",
    "投资理财": "finance",
    "招商加盟": "finance",
    "楼盘": "real_estate",
    "property": "real_estate",
    "白酒": "alcohol",
    "liquor": "alcohol",
    "wine": "alcohol",
    "教育、培训": "education",
    "training": "education",
    "日用品": "ordinary",
    "other": "ordinary",
    "其他": "ordinary",
}


_SECTOR_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("health_food", ("保健", "health_food", "healthfood", "supplement")),
    ("medical_device", ("器械", "device")),
    ("drug", ("药", "drug", "pharma", "medicine")),
    ("medical_service", ("医", "medical", "hospital", "clinic")),
    ("cosmetics", ("妆", "护肤", "cosmetic", "skin")),
    ("alcohol", ("酒", "alcohol", "liquor", "wine", "beer")),
    ("education", ("教育", "培训", "课程", "educat", "training", "course", "tutor")),
    ("finance", ("理财", "投资", "金融", "基金", "招商", "加盟", "financ", "invest", "fund")),
    ("real_estate", ("房", "楼", "real_estate", "property", "housing")),
    ("food", ("食", "food", "snack", "drink", "beverage")),
    ("ordinary", ("普通", "日用", "ordinary", "general", "goods", "retail")),
)


class UnknownSectorError(AnalyzerError, ValueError):
    """A sector hint that names no known sector."""

    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(
            f"unknown sector {value!r}: expected one of {', '.join(SECTORS)} "
            f"(or their Chinese names {', '.join(SECTOR_LABELS.values())})"
        )


def resolve_sector(value: str) -> str:
    """The sector id named by `value` (an id, its Chinese name or a common alias)."""
    key = value.strip()
    low = key.lower().replace("-", "_").replace(" ", "_")
    if low in SECTOR_LABELS:
        return low
    if key in _BY_LABEL:
        return _BY_LABEL[key]
    if low in _ALIASES:
        return _ALIASES[low]
    # Compound names (保健食品类, medical_device_class_ii, food_snack): the first sector whose
    # words they contain, most specific first.
    for sector, words in _SECTOR_WORDS:
        if any(w in low for w in words):
            return sector
    raise UnknownSectorError(value)


@dataclass(frozen=True)
class SectorCue:
    pattern: re.Pattern[str]
    weight: int


@dataclass(frozen=True)
class SectorGuess:
    """The sector assumed for a text, how it was decided and the cues that decided it."""

    sector: str
    source: str  # "hint" | "text" | "default" | "claim" (inferred from a sector-specific claim)
    cues: tuple[str, ...] = ()
    score: int = 0

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self.sector]

    def describe(self) -> str:
        """Human-readable reason, used in finding explanations."""
        if self.source == "hint":
            return f"行业：{self.label}（来源指定）"
        if self.source == "default":
            return f"行业：{self.label}（文本未显示特定行业，按普通商品处理）"
        return f"行业：{self.label}（依据：{'、'.join(self.cues[:4])}）"


class SectorDetector:
    """Scores each sector by its weighted cues; the highest score wins.

    Ties go to the sector listed first in the table, so the table lists the more specific
    sectors (保健食品 before 食品, 药品 before 化妆品) first.
    """

    def __init__(self, cues: Mapping[str, list[SectorCue]], *, min_score: int = 2) -> None:
        unknown = [s for s in cues if s not in SECTOR_LABELS]
        if unknown:
            raise UnknownSectorError(unknown[0])
        self._cues = dict(cues)
        self._order = list(cues)
        self.min_score = min_score

    @classmethod
    def from_mapping(cls, data: object, *, path: object = "<sectors>") -> SectorDetector:
        """Build from the pack's `sectors:` table: {sector: {weight: [regex, ...]}}."""
        if not isinstance(data, Mapping):
            raise RulePackError(path, "sectors", f"expected a mapping, got {type(data).__name__}")
        cues: dict[str, list[SectorCue]] = {}
        for sector, table in data.items():
            where = f"sectors.{sector}"
            if sector not in SECTOR_LABELS:
                expected = ", ".join(SECTORS)
                raise RulePackError(path, where, f"unknown sector; expected one of {expected}")
            if not isinstance(table, Mapping):
                raise RulePackError(path, where, "expected a mapping of weight -> list of patterns")
            entries: list[SectorCue] = []
            for weight, patterns in table.items():
                at = f"{where}.{weight}"
                if not isinstance(weight, int) or isinstance(weight, bool) or weight <= 0:
                    raise RulePackError(path, at, "weight must be a positive integer")
                if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
                    raise RulePackError(path, at, "expected a list of regex strings")
                for p in patterns:
                    try:
                        entries.append(SectorCue(re.compile(p), weight))
                    except re.error as exc:
                        raise RulePackError(path, at, f"bad regex {p!r}: {exc}") from exc
            cues[sector] = entries
        return cls(cues)

    @property
    def sectors(self) -> tuple[str, ...]:
        """The sectors that have cues, in tie-break order."""
        return tuple(self._order)

    def scores(self, norm_text: str) -> dict[str, tuple[int, list[str]]]:
        """Score and matched cue words per sector for already-normalised text."""
        out: dict[str, tuple[int, list[str]]] = {}
        for sector in self._order:
            total = 0
            words: list[str] = []
            for cue in self._cues[sector]:
                found = cue.pattern.findall(norm_text)
                if found:
                    # A cue counts at most twice: a word repeated ten times is one signal.
                    total += cue.weight * min(len(found), 2)
                    first = found[0] if isinstance(found[0], str) else "".join(found[0])
                    words.append(first)
            if total:
                out[sector] = (total, words)
        return out

    def detect(
        self, text: str, *, hint: str | None = None, product: str | None = None
    ) -> SectorGuess:
        """The sector of an ad: the hint if given, else the best-scoring sector of the text.

        `product` (product card names, titles) is read with double weight: it says what is
        sold more reliably than the running text.
        """
        if hint:
            return SectorGuess(resolve_sector(hint), "hint")
        norm = normalize(text).text
        scored = self.scores(norm)
        if product:
            for sector, (score, words) in self.scores(normalize(product).text).items():
                base, seen = scored.get(sector, (0, []))
                scored[sector] = (base + 2 * score, seen + words)
        best: tuple[int, int, str] | None = None
        for rank, sector in enumerate(self._order):
            if sector not in scored:
                continue
            key = (scored[sector][0], -rank, sector)
            if best is None or key > best:
                best = key
        if best is None or best[0] < self.min_score:
            return SectorGuess(DEFAULT_SECTOR, "default")
        sector = best[2]
        score, words = scored[sector]
        return SectorGuess(sector, "text", tuple(dict.fromkeys(words)), score)

