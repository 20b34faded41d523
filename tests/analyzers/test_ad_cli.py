"""`fairwatch analyze --kind ad --jsonl` and `fairwatch eval ad FILE` on ad texts."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fairwatch.cli import main

DEV = Path(__file__).resolve().parents[1] / "eval" / "ad_dev.jsonl"


def test_analyze_ad_jsonl_with_sector_and_platform_hints() -> None:
    lines = [
        {"id": "food", "text": "本品清热解毒，消炎止痛。", "sector": "food"},
        {"id": "drug", "text": "本品清热解毒，消炎止痛。", "sector": "drug"},
        {"id": "live", "text": "这款面霜能治湿疹。", "platform": "livestream"},
        {"id": "bad-platform", "text": "全网最低价", "platform": "tv"},
        {"id": "no-text"},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n"
    result = CliRunner().invoke(main, ["analyze", "--kind", "ad", "--jsonl"], input=stdin)
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.output.splitlines()]
    assert [o["id"] for o in out] == ["food", "drug", "live", "bad-platform", "no-text", None]
    food, drug, live, bad, no_text, not_json = out
    assert food["flagged"] and food["grade"] == "明显违反"
    assert {f["standard"] for f in food["findings"]} == {"AD-17"}
    assert food["findings"][0]["sector"] == "food"
    assert drug == {"id": "drug", "flagged": False, "grade": None, "findings": []}
    assert {f["standard"] for f in live["findings"]} == {"AD-17", "AD-LIVE"}
    assert "unknown platform 'tv'" in bad["error"]
    assert "text" in no_text["error"] and "not valid JSON" in not_json["error"]


def test_eval_ad_prints_overall_and_per_standard_figures() -> None:
    result = CliRunner().invoke(
        main, ["eval", "ad", str(DEV), "--min-precision", "0.9", "--min-recall", "0.9"]
    )
    assert result.exit_code == 0, result.output
    assert "overall  precision" in result.output
    for sid in ("AD-9-3", "AD-14", "AD-17", "AD-LIVE"):
        assert f"\n{sid} " in result.output
