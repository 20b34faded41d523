"""The fast paths of the analyzers give exactly the findings of the plain ones.

- A sample of the eval rows (every 7th row of eval/real/*.jsonl and tests/eval/*.jsonl,
  whole policy documents among them) against tests/analyzers/data/findings_sample.jsonl,
  the full finding lists (standard, rule, span, grade, quote, explanation, model score to
  1e-9) recorded by eval/findings_snapshot.py. After an intended change of rules or model,
  rewrite it: `python eval/findings_snapshot.py --every 7 --write SAMPLE` (this file's SAMPLE).
- The batched numpy n-gram scoring against the plain formula over Aho-Corasick counts.
- The replacing normaliser against str.translate with the table.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from analyzers import normalize as norm_mod
from analyzers.learned import CharModel, default_model_path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "analyzers" / "data" / "findings_sample.jsonl"
sys.path.insert(0, str(REPO / "eval"))

import findings_snapshot  # noqa: E402


def test_sample_rows_have_the_recorded_findings() -> None:
    recorded = {}
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        recorded[rec["key"]] = rec
    analyzers = findings_snapshot.build_analyzers()
    seen = 0
    learned_findings = 0
    for kind, key, row in findings_snapshot.iter_rows(every=7):
        assert key in recorded, f"{key}: no recorded findings (a new row? rewrite the sample)"
        now = findings_snapshot.snapshot_row(analyzers, kind, key, row)
        assert findings_snapshot.differences(recorded.pop(key), now) == [], key
        seen += 1
        learned_findings += sum(1 for f in now["learned"] if f["rule"] == "learned")
    assert not recorded, f"recorded rows no longer in the corpora: {sorted(recorded)[:5]}"
    assert seen > 500 and learned_findings > 20  # the sample reaches the model's rescues


def test_differences_notice_a_changed_score_and_span() -> None:
    rec = {"key": "k", "learned": [{"start": 0, "end": 5, "grade": "疑似", "confidence": 0.5}],
           "rules": []}
    moved = json.loads(json.dumps(rec))
    moved["learned"][0]["end"] = 6
    moved["learned"][0]["confidence"] = 0.5 + 1e-6
    diff = findings_snapshot.differences(json.loads(json.dumps(rec)), moved)
    assert len(diff) == 2 and "end" in diff[0] and "confidence" in diff[1]


def _plain_proba(model: CharModel, text: str) -> float:
    counts = model._counts(text)  # Aho-Corasick over the vocabulary
    if not counts:
        return 1.0 / (1.0 + math.exp(-model.intercept))
    dot = sq = 0.0
    for j, c in counts.items():
        tf = 1.0 + math.log(c)
        dot += model.coef[j] * model.idf[j] * tf
        sq += (model.idf[j] * tf) ** 2
    z = model.intercept + dot / math.sqrt(sq)
    return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0


@pytest.mark.parametrize("kind", ["policy", "ad"])
def test_batched_scores_equal_the_plain_formula(kind: str) -> None:
    model = CharModel.load(default_model_path(kind))
    rows = (REPO / "eval" / "real" / f"{kind}_dev.jsonl").read_text(encoding="utf-8")
    texts = [json.loads(x)["text"] for x in rows.splitlines()]
    # texts without a vocabulary n-gram, repeated n-grams, full-width and mixed scripts
    texts += ["", "   ", "☃☃", "本地本地本地企业优先", "ＡＢＣ１２３企业，优先！", "a b c d e"]
    batch = model.probas(texts)
    assert len(batch) == len(texts)
    for text, p in zip(texts, batch, strict=True):
        assert abs(p - _plain_proba(model, text)) < 1e-12, text
        assert model.proba(text) == p
    assert model.probas([]) == []


def test_translate_equals_the_table() -> None:
    table = norm_mod._TABLE
    samples = ["ＡＢＣ，；：（）１２３\u3000〔2024〕【注】“引号”‘单’\u00a0\u200b\ufeff\r\n",
               "plain ascii ABC xyz", "全部是中文没有要换的字"]
    for path in sorted((REPO / "eval" / "real").glob("*.jsonl")):
        samples += [json.loads(x)["text"] for x in
                    path.read_text(encoding="utf-8").splitlines()[:50]]
    for s in samples:
        assert norm_mod._translate(s) == s.translate(table)
