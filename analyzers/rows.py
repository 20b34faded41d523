"""The labelled rows of a kind: the unit cases of tests/eval and the real rows of eval/real.

One row set for training (eval/train.py) and for `fairwatch eval --cv`; a text that occurs
in more than one file is kept once (the real copy first).
"""

from __future__ import annotations

from pathlib import Path

from analyzers.evaluation import Case, load_cases

__all__ = ["REPO", "corpus", "documents_file", "row_files"]

REPO = Path(__file__).resolve().parent.parent


def row_files(kind: str) -> list[Path]:
    real = sorted(p for p in (REPO / "eval" / "real").glob(f"{kind}_*.jsonl")
                  if not p.stem.endswith("_documents"))
    return real + [REPO / "tests" / "eval" / f"{kind}_dev.jsonl"]


def documents_file(kind: str) -> Path:
    return REPO / "eval" / "real" / f"{kind}_documents.jsonl"


def corpus(kind: str, files: list[Path] | None = None) -> list[Case]:
    seen: set[str] = set()
    out: list[Case] = []
    for path in files or row_files(kind):
        if not path.exists():
            continue
        for c in load_cases(path):
            key = "".join(c.text.split())
            if key in seen:
                continue
            seen.add(key)
            out.append(c)
    return out
