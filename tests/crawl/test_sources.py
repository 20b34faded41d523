"""Source files: validation names file, line and field; one bad file never hides the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.sources import (
    MissingPlaceholderError,
    SourceConfigError,
    UnknownSourceError,
    load_source_file,
    load_sources,
)
from crawlers.sources.schema import JsonPagination, TemplatePagination
from crawlers.sources.yamlnodes import load_with_lines

REPO = Path(__file__).resolve().parents[2]

GOOD = """\
id: good-one
name: 示例
issuer: 示例市人民政府
region: 示例市
start_urls:
  - https://www.example.gov.cn/zwgk/
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list:
    with pytest.raises(SourceConfigError) as info:
        load_source_file(path)
    assert info.value.file == path
    return info.value.problems


def test_minimal_source_gets_documented_defaults(tmp_path: Path) -> None:
    source = load_source_file(write(tmp_path, "good.yaml", GOOD))
    assert source.kind == "policy"
    assert source.robots == "obey"
    assert source.list.items == "auto" and source.detail == "auto"
    assert source.politeness.concurrency == 2 and source.politeness.delay == 1.0
    assert "pdf" in source.attachments.extensions
    assert source.verified is False and source.browser is False


def test_every_problem_is_reported_with_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.yaml",
        GOOD.replace("https://www.example.gov.cn/zwgk/", "ftp://x")
        + "politeness:\n  delay: fast\n  concurency: 3\nschedule: every day\n",
    )
    problems = problems_of(path)
    by_field = {p.field: p for p in problems}
    assert set(by_field) == {
        "start_urls.0",
        "politeness.delay",
        "politeness.concurency",
        "schedule",
    }
    assert by_field["start_urls.0"].line == 6
    assert by_field["politeness.delay"].line == 8
    assert "valid number" in by_field["politeness.delay"].message
    assert "'fast'" in by_field["politeness.delay"].message  # the value received
    assert by_field["politeness.concurency"].line == 9
    assert "unknown field" in by_field["politeness.concurency"].message
    assert by_field["schedule"].line == 10
    assert str(by_field["schedule"]).startswith(f"{path}:10: schedule: expected a 5-field cron")


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", GOOD + "list:\n  items: [unclosed\n")
    (problem,) = problems_of(path)
    assert problem.line == 8
    assert "not valid YAML" in problem.message


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        ("? [a, b]\n: 1\n", "a mapping key must be a plain name"),
        ("{x: 1}: 2\n", "a mapping key must be a plain name"),
        ("hook: !!python/object:os.system echo\n", "could not determine a constructor"),
        ("retries: !!int many\n", "not valid YAML"),
    ],
)
def test_yaml_the_safe_loader_refuses_names_the_line(
    tmp_path: Path, tail: str, message: str
) -> None:
    path = write(tmp_path, "odd.yaml", GOOD + tail)
    (problem,) = problems_of(path)
    assert problem.line == GOOD.count("\n") + 1
    assert message in problem.message


def test_missing_required_fields_and_wrong_document_shape(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "x.yaml", "id: only-id\n"))
    assert {p.field for p in problems} >= {"name", "issuer", "region", "start_urls"}
    assert all(p.message == "required field is missing" for p in problems)
    (problem,) = problems_of(write(tmp_path, "list.yaml", "- a\n- b\n"))
    assert "expected a mapping" in problem.message and "list" in problem.message


def test_pagination_styles_are_validated_by_their_own_fields(tmp_path: Path) -> None:
    template = load_source_file(
        write(
            tmp_path,
            "t.yaml",
            GOOD + "list:\n  pagination:\n    style: template\n    template: index_{n}.html\n"
            "    first: 1\n    last: 3\n",
        )
    )
    assert isinstance(template.list.pagination, TemplatePagination)
    bad = problems_of(
        write(
            tmp_path,
            "t2.yaml",
            GOOD + "list:\n  pagination:\n    style: template\n    template: index.html\n",
        )
    )
    assert bad[0].field == "list.pagination.template" and "{n}" in bad[0].message
    assert bad[0].line == 10
    json_source = load_source_file(
        write(
            tmp_path,
            "j.yaml",
            GOOD + "list:\n  pagination:\n    style: json\n    url: https://x.gov.cn/api?p={n}\n"
            "    items: data.list\n    fields:\n      url: link\n",
        )
    )
    assert isinstance(json_source.list.pagination, JsonPagination)
    unknown_style = problems_of(
        write(tmp_path, "u.yaml", GOOD + "list:\n  pagination:\n    style: scroll\n")
    )
    assert unknown_style[0].field == "list.pagination" and "scroll" in unknown_style[0].message


def test_ad_sources_need_a_platform_and_policy_sources_must_not_have_one(tmp_path: Path) -> None:
    ad = GOOD.replace("id: good-one", "id: ad-one") + "kind: ad\nbrowser: true\n"
    problems = problems_of(write(tmp_path, "ad.yaml", ad))
    assert "requires platform" in problems[0].message
    problems = problems_of(write(tmp_path, "p.yaml", GOOD + "platform: livestream\n"))
    assert "only valid for kind: ad" in problems[0].message
    problems = problems_of(write(tmp_path, "b.yaml", GOOD + "browser: maybe\n"))
    assert problems[0].field == "browser" and problems[0].line == 7


def test_a_bad_file_is_reported_and_the_others_still_load(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD.replace("good-one", "good-two") + "politness: {}\n")
    write(tmp_path, "c.yaml", GOOD.replace("good-one", "good-three"))
    found = load_sources(tmp_path)
    assert sorted(found.sources) == ["good-one", "good-three"]
    assert found.broken_files == [tmp_path / "b.yaml"]
    assert found.problems[0].field == "politness"
    with pytest.raises(UnknownSourceError, match="b.yaml"):
        found.get("good-two")


def test_duplicate_ids_are_a_problem_of_the_second_file(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD)
    found = load_sources(tmp_path)
    assert list(found.sources) == ["good-one"]
    assert found.problems[0].file == tmp_path / "b.yaml"
    assert "duplicate id" in found.problems[0].message


def test_site_placeholder_is_filled_or_refused(tmp_path: Path) -> None:
    write(tmp_path, "s.yaml", GOOD.replace("https://www.example.gov.cn/zwgk/", "'{site}/trs/'"))
    found = load_sources(tmp_path)
    with pytest.raises(MissingPlaceholderError, match="FAIRWATCH_CRAWL_SITE_URL"):
        found.get("good-one")
    filled = found.get("good-one", site="http://127.0.0.1:8000/")
    assert filled.start_urls == ("http://127.0.0.1:8000/trs/",)


def test_line_map_covers_nested_keys() -> None:
    data, lines = load_with_lines("a:\n  b:\n    - c: 1\n      d: 2\n")
    assert data == {"a": {"b": [{"c": 1, "d": 2}]}}
    assert lines[("a", "b", 0, "d")] == 4


@pytest.mark.parametrize("folder", ["config/sources", "tests/site/sources"])
def test_shipped_source_files_are_valid(folder: str) -> None:
    found = load_sources(REPO / folder)
    assert found.problems == []
    assert len(found.sources) >= 7


def test_real_site_sources_are_marked_unverified() -> None:
    found = load_sources(REPO / "config/sources")
    assert {"gov-cn-policy-library", "samr-policy"} <= set(found.sources)
    policy = [s for s in found.sources.values() if s.kind == "policy"]
    assert len(policy) >= 7
    assert all(not s.verified for s in policy)
