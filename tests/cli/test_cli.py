"""The commands in process (no crawl, so no reactor): exit codes, one-line errors, output."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from analyzers.registry import get_analyzer
from fairwatch.cli import main
from fairwatch.pipeline import DocumentPipeline
from storage.db import Database
from storage.records import DocumentRecord
from storage.search.fts import Fts5Index
from tests.site.content import document

REPO = Path(__file__).resolve().parents[2]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def populate(data_dir: Path) -> list[int]:
    db = Database(data_dir / "fairwatch.db")
    db.upgrade()
    index = Fts5Index(data_dir / "search.db")
    pipeline = DocumentPipeline(db, index=index, analyzer_for=get_analyzer)
    ids = []
    for i in (1, 3, 6):
        doc = document(i)
        result = pipeline.process(
            DocumentRecord(
                source_id="fixture-trs",
                url=f"http://x.gov.cn/t{i}.html",
                kind="policy",
                title=doc.title,
                body=doc.text,
                fetched_at=datetime.now(UTC),
                metadata={"doc_number": doc.doc_number, "published": doc.published},
            )
        )
        ids.append(result.doc_id)
    index.close()
    db.engine.dispose()
    return ids


def test_every_command_has_help() -> None:
    for name, command in main.commands.items():
        assert command.help, name
    result = invoke("crawl", "--help")
    assert result.exit_code == 0 and "--limit" in result.output


def test_config_check_passes_on_the_shipped_sources(cli_env: Path) -> None:
    result = invoke("config", "check")
    assert result.exit_code == 0, result.output
    assert "source(s) valid, 0 file(s) with 0 problem(s)" in result.output


def test_config_check_reports_every_problem_and_exits_2(cli_env: Path, tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "id: a-source\nname: n\nissuer: i\nregion: r\nstart_urls: [https://x.gov.cn/]\n",
        encoding="utf-8",
    )
    (folder / "b.yaml").write_text(
        "id: b-source\nname: n\nissuer: i\nregion: r\nstart_urls: [https://x.gov.cn/]\n"
        "robots: sometimes\nextra_key: 1\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["config", "check", "--sources-dir", str(folder)])
    assert result.exit_code == 2
    assert f"{folder / 'b.yaml'}:6: robots:" in result.output
    assert f"{folder / 'b.yaml'}:7: extra_key: unknown field" in result.output
    assert "ok   a.yaml: a-source" in result.output
    assert "1 source(s) valid, 1 file(s) with 2 problem(s)" in result.output


def test_crawl_of_an_unknown_source_is_a_usage_error(cli_env: Path) -> None:
    result = CliRunner().invoke(main, ["crawl", "no-such-source"])
    assert result.exit_code == 2
    assert "no source with id 'no-such-source'" in result.output
    assert "gov-cn-policy-library" in result.output  # lists what exists


def test_crawl_of_a_site_source_without_site_url_is_a_usage_error(
    cli_env: Path, monkeypatch
) -> None:
    monkeypatch.setenv("FAIRWATCH_CRAWL_SOURCES_DIR", str(REPO / "tests/site/sources"))
    result = CliRunner().invoke(main, ["crawl", "fixture-trs"])
    assert result.exit_code == 2
    assert "FAIRWATCH_CRAWL_SITE_URL" in result.output


def test_bad_settings_value_is_a_usage_error(cli_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAIRWATCH_CRAWL_PROGRESS_INTERVAL", "often")
    result = CliRunner().invoke(main, ["crawl", "fixture-trs"])
    assert result.exit_code == 2
    assert "crawl_progress_interval" in result.output


def test_documents_list_and_show(cli_env: Path) -> None:
    ids = populate(cli_env)
    listed = invoke("documents", "list")
    assert listed.exit_code == 0, listed.output
    assert "3 of 3 document(s)" in listed.output
    assert document(3).title in listed.output
    flagged = invoke("documents", "list", "--flagged")
    assert document(3).title in flagged.output and document(1).title not in flagged.output
    shown = invoke("documents", "show", str(ids[1]))
    assert shown.exit_code == 0, shown.output
    assert document(3).doc_number in shown.output
    assert "stage      analysis done" in shown.output
    assert "「" in shown.output  # a quoted finding


def test_documents_show_unknown_id_fails_with_one_line(cli_env: Path) -> None:
    populate(cli_env)
    result = CliRunner().invoke(main, ["documents", "show", "999"])
    assert result.exit_code == 1
    assert "999" in result.output and "Traceback" not in result.output


def test_search_through_the_embedded_index(cli_env: Path) -> None:
    populate(cli_env)
    result = invoke("search", "建材")
    assert result.exit_code == 0, result.output
    assert document(3).title in result.output
    assert "<em>" in result.output
    none = invoke("search", "建材", "--source", "other-source")
    assert "0 of 0 hit(s)" in none.output
