"""The learned second opinion: the shipped model, veto and rescue, whole documents, and the
honest measurement around it (real/authored split, grouped cross-validation)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzers.crossval import (
    FPR_CAP,
    RESCUE_GRID,
    VETO_GRID,
    choose_thresholds,
    cross_validate,
    train_model,
)
from analyzers.errors import AnalyzerError, EvaluationError
from analyzers.evaluation import Case, load_cases, load_documents, split_real
from analyzers.fair_competition import create_analyzer, exception_note
from analyzers.findings import Finding
from analyzers.learned import CharModel, default_model_path
from analyzers.rows import corpus
from analyzers.second_opinion import LEARNED_RULE, SecondOpinion, dedupe
from fairwatch.cli import main

LAWS = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "laws"


@pytest.fixture(scope="module")
def policy() -> SecondOpinion:
    a = create_analyzer()
    assert isinstance(a, SecondOpinion)
    return a


def test_shipped_model_loads_and_scores(policy: SecondOpinion) -> None:
    m = policy.model
    assert len(m.vocab) > 1000 and m.examples
    assert all(e.source and e.source != "written" for e in m.examples)  # explained by real rows
    bad = m.proba("对在本县注册并纳税的企业，按其缴纳税收地方留成部分的50%给予奖励。")
    good = m.proba("本办法自印发之日起施行，有效期五年。")
    assert bad > 0.5 > good


def test_rescue_names_standard_article_cases_and_exception(policy: SecondOpinion) -> None:
    rescued = []
    for c in split_real(corpus("policy"))[0]:
        if c.label and not policy.base.analyze(c.text).flagged:
            rescued += [f for f in policy.analyze(c.text).findings if f.rule == LEARNED_RULE]
        if len(rescued) >= 5:
            break
    assert rescued, "the model rescues none of the real clauses the rules miss"
    for f in rescued:
        assert f.grade == "疑似" and f.standard.startswith("FC-")
        assert f.citation == policy.citations[f.standard]  # the article the rules cite
        assert "最相近的真实案例" in f.explanation and "http" in f.explanation
        assert f.exception and "第十二条" in f.exception


def test_veto_demotes_a_weak_hit_the_model_finds_lawful() -> None:
    base = create_analyzer(learned=False)
    text = "政府采购优先选择本地供应商。"
    found = [f for f in base.analyze(text).findings if f.flagging]
    assert found
    cases = [Case("n1", text, False, None, source="https://example.org/a", group="a")] * 3 + [
        Case("p1", "外地企业须在本地设立分公司方可投标。", True, "FC-9-2",
             source="https://example.org/b", group="b")] * 3
    model = train_model(cases, "policy")
    model.veto, model.rescue = 0.99, 1.01
    res = SecondOpinion(base, model, base.pack).analyze(text)
    assert any(f.grade == "提示" and "学习模型" in f.explanation for f in res.findings)
    assert all(f.grade != "疑似" for f in res.findings)  # every weak hit yielded


def test_one_clause_repeated_is_one_finding_and_ranked_by_confidence(
        policy: SecondOpinion) -> None:
    clause = "本地企业参加政府采购的，评标时给予加分。"
    res = policy.analyze("\n".join([clause, "本办法由市财政局负责解释。", clause]))
    assert len([f for f in res.findings if f.flagging]) == 1
    ranked = res.ranked()
    assert ranked and ranked[0].flagging
    f = Finding(standard="X", rule="r", grade="疑似", start=0, end=3, quote="abc", citation="c",
                explanation="e")
    g = Finding(standard="X", rule="r", grade="明显违反", start=9, end=12, quote="a b c",
                citation="c", explanation="e")
    assert [x.grade for x in dedupe([f, g])] == ["明显违反"]


def test_malformed_model_file_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "m.json"
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(AnalyzerError, match="not valid JSON"):
        CharModel.load(p)
    p.write_text(json.dumps({"format": 1, "ngram": [1, 4]}), encoding="utf-8")
    with pytest.raises(AnalyzerError, match="malformed model"):
        CharModel.load(p)
    with pytest.raises(AnalyzerError, match="cannot read"):
        CharModel.load(tmp_path / "missing.json")


def test_saved_model_scores_like_the_trained_one(tmp_path: Path) -> None:
    cases = corpus("policy")[:200]
    model = train_model(cases, "policy")
    model.save(tmp_path / "m.json")
    again = CharModel.load(tmp_path / "m.json")
    for c in cases[:20]:
        assert abs(model.proba(c.text) - again.proba(c.text)) < 1e-3


def test_real_and_authored_rows_are_split() -> None:
    cases = corpus("policy")
    real, authored = split_real(cases)
    assert len(real) >= 600 and authored
    assert all(c.source == "written" for c in authored)
    assert all(c.source and c.source.startswith("http") for c in real)


def test_grouped_cv_never_splits_a_case() -> None:
    from sklearn.model_selection import GroupKFold

    real, _ = split_real(corpus("policy"))
    groups = [c.group for c in real]
    for tr, te in GroupKFold(n_splits=5).split(real, groups=groups):
        assert not {groups[i] for i in tr} & {groups[i] for i in te}


def test_cross_validation_reports_three_analyzers_on_real_rows() -> None:
    base = create_analyzer(learned=False)
    cases = [c for c in corpus("policy") if not c.real][:300] + split_real(
        corpus("policy"))[0][::4]
    cv = cross_validate(cases, base, base.pack, folds=3, exception=exception_note(base.pack))
    n_real = len(split_real(cases)[0])
    for r in (cv.rules, cv.model, cv.combined):
        assert len(r.outcomes) == n_real and 0.0 <= r.fpr <= 1.0
    assert "combined" in cv.format()


def test_documents_load_with_their_own_keys_and_bad_lines_are_named(tmp_path: Path) -> None:
    docs = load_documents(Path(__file__).resolve().parents[2] / "eval" / "real" /
                          "policy_documents.jsonl")
    assert len(docs) >= 20 and all(not d.label and d.group for d in docs)
    p = tmp_path / "d.jsonl"
    p.write_text('{"id": "d", "text": "t", "source": "s"}\n{"id": "e", "text": ""}\n', "utf-8")
    with pytest.raises(EvaluationError) as err:
        load_documents(p)
    assert err.value.line == 2


def test_case_and_verified_keys_are_accepted(tmp_path: Path) -> None:
    p = tmp_path / "c.jsonl"
    p.write_text(json.dumps({"id": "a", "text": "t", "label": False, "standard": None,
                             "source": "https://x", "case": "k", "verified": "v"}) + "\n", "utf-8")
    (c,) = load_cases(p)
    assert c.real and c.group == "k"


def test_cli_headline_is_real_rows_and_cv_lists_three_lines(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "eval" / "real" / "policy_violations.jsonl"
    rows = src.read_text(encoding="utf-8").splitlines()[:40]
    lawful = (src.parent / "policy_lawful.jsonl").read_text(encoding="utf-8").splitlines()[:40]
    f = tmp_path / "b.jsonl"
    f.write_text("\n".join(rows + lawful) + "\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["eval", "policy", str(f), "--cv", "3", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output[out.output.index("{"):])
    assert data["cases"] == 80 and "fpr" in data and "named_share" in data
    assert set(data["cv"]) >= {"rules", "model", "combined"}


def test_model_file_is_small() -> None:
    for kind in ("policy", "ad"):
        assert default_model_path(kind).stat().st_size < 2_000_000


def test_parts_decide_like_the_combined_analyzer_for_every_threshold_pair() -> None:
    """Thresholds are chosen from Parts; they must flag exactly what analyze() flags."""
    from analyzers.ad_law import RESCUE_EXCEPTION
    from analyzers.ad_law import create_analyzer as create_ad
    from analyzers.evaluation import outcome

    for kind, base, exc in (("policy", create_analyzer(learned=False), ""),
                            ("ad", create_ad(learned=False), RESCUE_EXCEPTION)):
        cases = corpus(kind)
        real = split_real(cases)[0]
        test = real[::12]
        held = {c.id for c in test}
        model = train_model([c for c in cases if c.id not in held], kind)
        so = SecondOpinion(base, model, base.pack, exception=exc)
        parts = [(c, so.parts(c.text, sector=c.sector, platform=c.platform)) for c in test]
        assert all(p is not None for _, p in parts)
        flips = set()
        for veto, rescue in ((0.1, 0.5), (0.3, 0.7), (0.6, 0.95)):
            model.veto, model.rescue = veto, rescue
            for c, p in parts:
                assert p is not None
                assert p.flagged(veto, rescue) == outcome(so, c).flagged, (kind, c.id)
                flips.add((c.id, p.flagged(veto, rescue)))
        assert len(flips) > len(test)  # some row changes its verdict with the thresholds


def test_thresholds_are_chosen_on_training_rows_only() -> None:
    base = create_analyzer(learned=False)
    cases = corpus("policy")
    real, authored = split_real(cases)
    part = authored[:300] + real[::3]
    choice = choose_thresholds(part, base, base.pack, folds=3)
    assert choice.chosen_by_cv and choice.rows == len(split_real(part)[0])
    assert choice.veto in VETO_GRID and choice.rescue in RESCUE_GRID
    assert choice.fpr <= FPR_CAP and choice.recall > 0.5
    # rows outside the training part cannot move the choice
    extra = [Case(f"x{i}", c.text, not c.label, c.standard if not c.label else None,
                  source="https://x", group=f"g{i}") for i, c in enumerate(real[1::3][:80])]
    assert choose_thresholds(part, base, base.pack, folds=3) == choice
    assert choose_thresholds(part + extra, base, base.pack, folds=3).rows == choice.rows + 80
