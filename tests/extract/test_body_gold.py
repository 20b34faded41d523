"""Gate: main-text extraction against the gold texts of fixtures/real/extraction.

Character-level F1 with LCS overlap after whitespace removal (see scoring.py). The
mean over all pages must reach 0.90; each page must reach 0.85 so that one page cannot
regress behind a good average. The per-page table is printed (pytest -s shows it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.extract import extract_page
from tests.extract.extract_scoring import char_f1, lcs_length

MEAN_FLOOR = 0.90
PAGE_FLOOR = 0.85


def _gold(real_dir: Path) -> dict[str, dict[str, str]]:
    gold = json.loads((real_dir / "extraction" / "gold.json").read_text(encoding="utf-8"))
    if not gold:
        pytest.fail("gold.json is empty")
    for key, entry in gold.items():
        if not (real_dir / "extraction" / f"{key}.html").is_file() or not entry.get("content"):
            pytest.fail(f"gold entry {key} has no page or no content")
    return gold


def test_lcs_length_is_exact() -> None:
    assert lcs_length("ABCBDAB", "BDCABA") == 4
    assert lcs_length("政策文件", "政府文件") == 3
    assert lcs_length("", "abc") == 0
    assert char_f1("甲乙丙", "甲乙丙").f1 == 1.0
    assert char_f1("丙乙甲", "甲乙丙").f1 < char_f1("丙乙甲", "甲乙丙", "bag").f1 == 1.0


def test_mean_char_f1_on_gold_pages(real_dir: Path) -> None:
    gold = _gold(real_dir)
    rows = []
    for key, entry in gold.items():
        html = (real_dir / "extraction" / f"{key}.html").read_text(encoding="utf-8")
        page = extract_page(html, entry["url"])
        strict = char_f1(page.text, entry["content"], "lcs")
        loose = char_f1(page.text, entry["content"], "bag")
        rows.append((key[:12], entry["url"][:48], strict, loose.f1))
    print(f"\n{'page':12}  {'url':48}  P      R      F1(lcs) F1(bag)")
    for key, url, s, bag in rows:
        print(f"{key}  {url:48}  {s.precision:.3f}  {s.recall:.3f}  {s.f1:.3f}   {bag:.3f}")
    mean = sum(r[2].f1 for r in rows) / len(rows)
    mean_bag = sum(r[3] for r in rows) / len(rows)
    print(f"mean char F1 over {len(rows)} pages: lcs {mean:.4f}, bag {mean_bag:.4f}")
    assert mean >= MEAN_FLOOR, f"mean LCS char F1 {mean:.4f} < {MEAN_FLOOR}"
    weak = [(r[0], round(r[2].f1, 3)) for r in rows if r[2].f1 < PAGE_FLOOR]
    assert not weak, f"pages under the {PAGE_FLOOR} floor: {weak}"
