"""The ad development set (tests/eval/ad_dev.jsonl) and the precision/recall gate.

Scored by the shared module analyzers.evaluation, the same one `fairwatch eval ad` uses.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from analyzers.ad_law import AdLawAnalyzer, create_analyzer
from analyzers.evaluation import Case, Report, corpus_digest, evaluate, load_cases
from analyzers.findings import DocumentAnalysis
from analyzers.sectors import SECTORS

CORPUS = Path(__file__).resolve().parents[1] / "eval" / "ad_dev.jsonl"
FLOOR = 0.90


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases(CORPUS)


@pytest.fixture(scope="module")
def analyzer() -> AdLawAnalyzer:
    return create_analyzer()


@pytest.fixture(scope="module")
def report(analyzer: AdLawAnalyzer, cases: list[Case]) -> Report:
    # a hit rate counts real rows only; the authored rows are unit cases of the rules
    return evaluate(analyzer, [c for c in cases if c.real], corpus_sha256=corpus_digest(CORPUS))


def _ad_ids(shared_dir: Path) -> set[str]:
    text = (shared_dir / "STANDARDS.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| (AD-[0-9A-Za-z-]+) \|", text, re.MULTILINE))


def test_the_real_shared_lines_are_all_kept(shared_dir: Path, cases: list[Case]) -> None:
    ours = {c.id: c for c in cases}
    for line in (shared_dir / "eval" / "ad_dev.jsonl").read_text(encoding="utf-8").splitlines():
        real = json.loads(line)
        mine = ours.get(real["id"])
        assert mine is not None, f"shared line {real['id']} is missing"
        assert (mine.text, mine.label, mine.standard) == (
            real["text"], real["label"], real["standard"]
        ), real["id"]


def test_corpus_size_and_balance(shared_dir: Path, cases: list[Case]) -> None:
    assert len(cases) >= 300
    positives = Counter(c.standard for c in cases if c.label)
    negatives = Counter(c.near for c in cases if not c.label)
    assert sum(negatives.values()) >= sum(positives.values())
    for sid in sorted(_ad_ids(shared_dir)):
        assert positives[sid] >= 5, f"{sid}: only {positives[sid]} positive lines"
        assert negatives[sid] >= 5, f"{sid}: only {negatives[sid]} look-alike negatives"
    assert set(positives) <= _ad_ids(shared_dir), "a positive names an unknown standard"


def test_every_sector_is_exercised(analyzer: AdLawAnalyzer, cases: list[Case]) -> None:
    seen = Counter(
        c.sector or analyzer.sectors.detect(c.text).sector for c in cases
    )
    missing = [s for s in SECTORS if seen[s] < 5]
    assert not missing, f"sectors with fewer than 5 lines: {missing} ({dict(seen)})"


def test_dev_set_gate(report: Report) -> None:
    summary = report.format(details=True)
    assert not report.errors, summary
    assert report.precision >= FLOOR, summary
    assert report.recall >= FLOOR, summary


def test_the_gate_can_fail(cases: list[Case]) -> None:
    class FlagsNothing:
        def analyze(self, text: str, *, sector: str | None = None,
                    platform: str | None = None) -> DocumentAnalysis:
            return DocumentAnalysis()

    assert evaluate(FlagsNothing(), cases).recall < FLOOR


def test_hints_on_a_line_reach_the_analyzer(analyzer: AdLawAnalyzer, tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    lines = [
        {"id": "a", "text": "本品清热解毒，消炎止痛。", "label": True, "standard": "AD-17",
         "sector": "food"},
        {"id": "b", "text": "本品清热解毒，消炎止痛。", "label": False, "standard": None,
         "sector": "drug"},
        {"id": "c", "text": "这款面霜能治湿疹。", "label": True, "standard": "AD-LIVE",
         "platform": "livestream"},
    ]
    corpus.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    rep = evaluate(analyzer, load_cases(corpus))
    assert (rep.tp, rep.fp, rep.fn, rep.tn) == (2, 0, 0, 1)
    assert rep.rows["AD-LIVE"].named == 1


# Positives that need facts outside the text (STANDARDS.md, eval/README.md): a product sold
# as 婴儿辅食 that is plain noodles; a band-aid claimed to 消炎. Recorded, not forced.
KNOWN_MISSES = {
    "AD-0010": "创口贴 is a medical device; whether 消炎 is false needs its registration",
    "AD-0023": "宝宝营养辅食 is false only because the product was ordinary noodles",
}


def test_only_the_recorded_misses_remain(report: Report) -> None:
    missed = {o.case.id for o in report.misses()}
    assert missed <= set(KNOWN_MISSES), report.format(details=True)
