"""eval/novelty.py: a check set shares no source, case or text with the other sets.

The committed unseen set must stay unseen: if its rows are copied into a training or
development set, the first test fails. The others pin what counts as shared text.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import opencc

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "eval"))

import novelty  # noqa: E402


def _rows(name: str) -> list[dict]:
    text = (REPO / "eval" / "real" / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _write(path: Path, rows: list[dict]) -> str:
    lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in rows]
    path.write_text("".join(lines), encoding="utf-8")
    return str(path)


def test_the_unseen_set_shares_nothing_with_the_other_sets(capsys) -> None:
    files = [str(REPO / "eval" / "unseen" / f"{kind}.jsonl") for kind in ("policy", "ad")]
    assert novelty.check(files) == 0, capsys.readouterr().out


def test_a_traditional_copy_of_a_used_row_collides(tmp_path, capsys) -> None:
    s2t = opencc.OpenCC("s2t")
    texts = (r["text"] for r in _rows("ad_violations.jsonl"))
    used = next(t for t in texts if s2t.convert(t) != t)
    row = {"id": "x-1", "text": s2t.convert(used), "label": True,
           "source": "https://example.invalid/new", "case": "new"}
    assert novelty.check([_write(tmp_path / "c.jsonl", [row])]) == 1
    assert "x-1: text" in capsys.readouterr().out


def test_used_source_or_case_collides_but_a_shared_legal_phrase_does_not(tmp_path, capsys) -> None:
    used = _rows("policy_violations.jsonl")[0]
    rows = [
        {"id": "y-1", "text": "本办法由县人民政府办公室负责解释,自印发之日起施行。", "label": False,
         "source": used["source"], "case": "another document"},
        {"id": "y-2", "text": "各级市场监管部门开展专项行动,查处滥用行政权力排除、限制竞争案件。",
         "label": False, "source": "https://example.invalid/a", "case": used["case"]},
        {"id": "y-3", "label": False, "source": "https://example.invalid/b", "case": "a new page",
         "text": "新闻:本年度共查处滥用行政权力排除、限制竞争行为案件十二件,均已整改。"},
    ]
    assert novelty.check([_write(tmp_path / "c.jsonl", rows)]) == 1
    out = capsys.readouterr().out
    assert "2 rows collide" in out
    assert "y-1: source" in out and "y-2: case" in out and "y-3" not in out


def test_normalise_folds_script_width_and_punctuation() -> None:
    traditional = novelty.normalise("廣告法 第十七條，「治療」")
    assert traditional == novelty.normalise("广告法第十七条“治疗”")
