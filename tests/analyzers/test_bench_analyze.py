"""Smoke test: bench/analyze.py runs end to end on a tiny corpus and prints its ratio."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_bench_runs_on_a_tiny_corpus() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "analyze.py"), "--mb", "0.05"],
        capture_output=True, text=True, timeout=240, cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "corpus: " in out and "MB/s" in out
    assert "ratio analyzer/jieba: " in out
