"""The README documents every distributed-crawling setting and command."""

from __future__ import annotations

from pathlib import Path

from fairwatch.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def test_every_distributed_setting_and_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    keys = [k for k in Settings.model_fields if k.startswith(("redis_", "worker_"))]
    keys.append("crawl_distributed")
    assert len(keys) == 6
    assert [k for k in keys if f"`{k}`" not in readme] == []
    assert "`fairwatch worker" in readme
    assert "`fairwatch crawl --distributed" in readme
    assert "## Distributed crawling" in readme
