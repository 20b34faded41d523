"""The precision/recall gate of the fair-competition analyzer on the development set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzers.errors import EvaluationError
from analyzers.evaluation import evaluate, load_cases, split_real
from analyzers.registry import get_analyzer
from fairwatch.cli import main

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "tests" / "eval" / "policy_dev.jsonl"
FC_IDS = [f"FC-8-{i}" for i in range(1, 6)] + [f"FC-9-{i}" for i in range(1, 7)] + [
    f"FC-10-{i}" for i in range(1, 5)] + [f"FC-11-{i}" for i in range(1, 5)]


def test_dev_set_composition(shared_dir: Path) -> None:
    cases = load_cases(DEV)
    assert len(cases) >= 300
    by_id = {c.id: c for c in cases}
    real_file = shared_dir / "eval" / "policy_dev.jsonl"
    real = [json.loads(x) for x in real_file.read_text(encoding="utf-8").splitlines()]
    assert len(real) == 88
    for r in real:  # every real clause is in, with its id and label
        c = by_id[r["id"]]
        assert (c.text, c.label, c.standard) == (r["text"], r["label"], r["standard"])
    pos = Counter(c.standard for c in cases if c.label)
    neg = Counter(c.near for c in cases if not c.label)
    for fc in FC_IDS:
        assert pos[fc] >= 5, f"{fc}: {pos[fc]} positives"
        assert neg[fc] >= 5, f"{fc}: {neg[fc]} similar negatives"
    assert sum(1 for c in cases if not c.label) >= sum(pos.values())


def test_gate_precision_and_recall_at_least_090() -> None:
    result = CliRunner().invoke(
        main, ["eval", "policy", str(DEV), "--min-precision", "0.90", "--min-recall", "0.90"]
    )
    assert result.exit_code == 0, result.output
    assert "overall  precision" in result.output and "confusion" in result.output
    for fc in FC_IDS:
        assert f"\n{fc} " in result.output


def test_scoring_semantics() -> None:
    real, _ = split_real(load_cases(DEV))  # a hit rate counts real rows only
    report = evaluate(get_analyzer("policy"), real)
    assert report.tp + report.fn == sum(1 for o in report.outcomes if o.case.label)
    assert report.precision >= 0.90 and report.recall >= 0.90
    row = report.rows["FC-9-3"]
    assert row.named <= row.flagged <= row.positives
    assert sum(sum(c.values()) for c in report.confusion().values()) == len(report.outcomes)


def test_gate_fails_with_weak_rules(tmp_path: Path) -> None:
    weak = tmp_path / "weak.yaml"
    weak.write_text(
        "pack: weak\nkind: policy\nrules:\n- id: only-local\n  standard: FC-9-3\n"
        "  citation: c\n  explanation: e\n  cues:\n  - {role: a, terms: [本地]}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["eval", "policy", str(DEV), "--rules", str(weak), "--min-recall", "0.9"]
    )
    assert result.exit_code == 1 and "below the floor" in result.output


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('{"id": "x", "text": "t", "label": "yes"}', "label"),
        ('{"id": "x", "text": "t", "label": true}', "standard"),
        ('{"id": "x", "text": "t", "label": false, "standard": null, "colour": 1}', "colour"),
        ("not json", "(line)"),
    ],
)
def test_invalid_corpus_names_line_and_field(tmp_path: Path, line: str, field: str) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "ok", "text": "t", "label": false, "standard": null}\n' + line + "\n",
                      encoding="utf-8")
    with pytest.raises(EvaluationError) as err:
        load_cases(corpus)
    assert err.value.line == 2 and err.value.field == field
    result = CliRunner().invoke(main, ["eval", "policy", str(corpus)])
    assert result.exit_code == 2 and "c.jsonl:2" in result.output
