"""`fairwatch analyze`: the --jsonl contract (per-line errors, order) and file reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fairwatch.cli import main

BREACH = "本项目仅限本市注册的企业参加投标。"
CLEAN = "鼓励各类市场主体平等参与政府采购。"


def run_jsonl(stdin: bytes, *args: str):
    return CliRunner().invoke(main, ["analyze", "--kind", "policy", "--jsonl", *args], input=stdin)


def test_jsonl_contract_one_line_per_input_in_order() -> None:
    lines = [
        json.dumps({"id": "a", "text": BREACH}, ensure_ascii=False),
        "this is not json",
        json.dumps({"id": 7}),
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"id": "b", "text": CLEAN}, ensure_ascii=False),
        json.dumps({"id": "c", "text": 12}),
    ]
    result = run_jsonl(("\n".join(lines) + "\n").encode("utf-8"))
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.output.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, 7, None, "b", "c"]
    a, bad_json, no_text, not_obj, b, c = out
    assert a["flagged"] is True and a["grade"] == "明显违反"
    f = a["findings"][0]
    assert f["standard"] == "FC-9-3" and f["quote"] == BREACH
    assert (f["start"], f["end"]) == (0, len(BREACH))
    keys = {"standard", "rule", "grade", "start", "end", "quote", "citation", "explanation"}
    assert keys <= set(f)
    assert "not valid JSON" in bad_json["error"] and "line 2" in bad_json["error"]
    assert no_text["error"] == 'line 3: field "text" is missing (or give "path")'
    assert "expected a JSON object" in not_obj["error"]
    assert b == {"id": "b", "flagged": False, "grade": None, "findings": []}
    assert "not a string" in c["error"]


def test_jsonl_flagged_only_for_strong_grades() -> None:
    # the exception of article 12 with an end condition lowers the finding to 提示
    text = "为保障救灾需要，各单位须从名录库中选择供应商，灾情结束后自动终止。"
    out = json.loads(run_jsonl(json.dumps({"id": 1, "text": text}).encode()).output)
    assert out["findings"] and out["findings"][0]["grade"] == "提示"
    assert out["flagged"] is False and out["grade"] == "提示"
    assert out["findings"][0]["exception"].startswith("FC-12")


def test_jsonl_bad_utf8_is_a_line_error() -> None:
    good = json.dumps({"id": "ok", "text": CLEAN}).encode()
    result = run_jsonl(b'{"id": "x", "text": "\xff\xfe"}\n' + good + b"\n")
    out = [json.loads(x) for x in result.output.splitlines()]
    assert "not UTF-8" in out[0]["error"] and out[1]["id"] == "ok"


def test_kind_ad_dispatches_through_the_registry() -> None:
    text = "这款面霜是全网最好的产品，能治疗湿疹。"
    result = CliRunner().invoke(
        main, ["analyze", "--kind", "ad", "--jsonl"],
        input=json.dumps({"id": "ad1", "text": text}, ensure_ascii=False).encode(),
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["id"] == "ad1" and set(out) == {"id", "flagged", "grade", "findings"}


def test_usage_errors() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["analyze"]).exit_code == 2
    both = runner.invoke(main, ["analyze", "--jsonl", "x.txt"])
    assert both.exit_code == 2 and "not both" in both.output
    bad_kind = runner.invoke(main, ["analyze", "--kind", "video", "--jsonl"], input=b"")
    assert bad_kind.exit_code == 2


def test_bad_rule_pack_is_a_usage_error(tmp_path: Path) -> None:
    pack = tmp_path / "broken.yaml"
    pack.write_text("pack: x\nkind: policy\nrules: [{id: r}]\n", encoding="utf-8")
    result = run_jsonl(b"", "--rules", str(pack))
    assert result.exit_code == 2 and "broken.yaml" in result.output


@pytest.fixture()
def documents(tmp_path: Path) -> dict[str, Path]:
    import docx

    body = f"关于促进产业发展的若干措施\n一、{CLEAN}\n二、{BREACH}\n"
    txt = tmp_path / "policy.txt"
    txt.write_text(body, encoding="utf-8")
    gbk = tmp_path / "policy_gbk.txt"
    gbk.write_bytes(body.encode("gb18030"))
    html = tmp_path / "policy.html"
    html.write_text(
        "<html><head><meta charset='utf-8'><title>若干措施</title></head><body>"
        f"<div class='content'><p>{CLEAN}</p><p>{BREACH}</p></div></body></html>",
        encoding="utf-8",
    )
    document = docx.Document()
    for line in body.splitlines():
        document.add_paragraph(line)
    word = tmp_path / "policy.docx"
    document.save(word)
    return {"txt": txt, "gbk": gbk, "html": html, "docx": word}


@pytest.mark.parametrize("kind", ["txt", "gbk", "html", "docx"])
def test_file_report_highlights_the_clause(documents: dict[str, Path], kind: str) -> None:
    result = CliRunner().invoke(main, ["analyze", str(documents[kind])])
    assert result.exit_code == 0, result.output
    assert "[明显违反] FC-9-3" in result.output
    assert BREACH in result.output
    assert "依据：《公平竞争审查条例》第九条（三）" in result.output
    assert "flagged: yes" in result.output


def test_unreadable_files_are_named_and_others_still_reported(
    documents: dict[str, Path], tmp_path: Path
) -> None:
    odd = tmp_path / "notes.xyz"
    odd.write_text("x", encoding="utf-8")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not a real pdf")
    result = CliRunner().invoke(
        main, ["analyze", str(odd), str(documents["txt"]), str(broken), str(tmp_path / "gone.txt")]
    )
    assert result.exit_code == 1
    assert "unsupported file type .xyz" in result.output
    assert "broken.pdf" in result.output and "gone.txt" in result.output
    assert "[明显违反] FC-9-3" in result.output  # the readable file is still reported
