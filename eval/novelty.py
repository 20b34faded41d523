"""Check that a new evaluation file shares no source, case or text with the existing sets.

A check set is only a test of generalisation if nothing in it was seen before. Each row of
the candidate file is compared with every row of the reference files by `source` URL, by
`case`, and by text: both sides are converted to simplified characters (OpenCC t2s),
stripped of whitespace and punctuation, and compared as 8-character shingles (a row collides
when 30% of its shingles, or 20 of them, occur in an earlier row). Rows of the
candidate file are also checked against each other for repeated text.

    python eval/novelty.py eval/unseen/policy.jsonl eval/unseen/ad.jsonl

Exit status 1 when any row collides; each collision is printed with the row id and what
it shares (the id and file of the earlier row), never the row text.
"""

from __future__ import annotations

import glob
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_GLOBS = (
    "eval/real/*.jsonl",
    "eval/holdout/*.jsonl",
    "eval/unseen/*.jsonl",
    "tests/eval/*.jsonl",
    "/work/shared/eval/*.jsonl",
)
SHINGLE = 8
# Common legal phrases (滥用行政权力排除…) are 8 characters long, so one shared shingle means
# nothing; a row collides when a large part of it, or a long passage, is shared.
SHARED_RATIO = 0.3
SHARED_MIN = 20
_T2S = opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Simplified characters, no whitespace or punctuation, full-width folded (NFKC)."""
    text = unicodedata.normalize("NFKC", _T2S.convert(text))
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch)[0] in "PZS"))


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    norm = normalise(text)
    if len(norm) < size:
        return {norm} if norm else set()
    return {norm[i : i + size] for i in range(len(norm) - size + 1)}


def too_much(shared: int, total: int) -> bool:
    return shared > 0 and (shared >= SHARED_MIN or shared >= SHARED_RATIO * total)


def norm_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", (url or "").strip()).rstrip("/")


def read_rows(path: str) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                row = json.loads(line)
                row.setdefault("id", f"{path}:{n}")
                yield row


def reference_files(exclude: Iterable[str]) -> list[str]:
    skip = {str(Path(p).resolve()) for p in exclude}
    found: list[str] = []
    for pattern in REFERENCE_GLOBS:
        base = pattern if pattern.startswith("/") else str(ROOT / pattern)
        found += [p for p in sorted(glob.glob(base)) if str(Path(p).resolve()) not in skip]
    return found


def check(candidates: list[str]) -> int:
    urls: dict[str, str] = {}
    cases: dict[str, str] = {}
    index: dict[str, str] = {}
    for path in reference_files(candidates):
        inside = path.startswith(str(ROOT))
        name = str(Path(path).relative_to(ROOT)) if inside else Path(path).name
        for row in read_rows(path):
            label = f"{name}:{row['id']}"
            # Rows written here have no published source to collide with.
            if row.get("source") and row.get("source") != "written":
                urls.setdefault(norm_url(row["source"]), label)
            if row.get("case"):
                cases.setdefault(row["case"].strip(), label)
            for sh in shingles(row.get("text", "")):
                index.setdefault(sh, label)
    problems = 0
    seen_here: dict[str, str] = {}
    for path in candidates:
        rows = list(read_rows(path))
        for row in rows:
            hits = []
            if norm_url(row.get("source", "")) in urls:
                hits.append(f"source as {urls[norm_url(row['source'])]}")
            if (row.get("case") or "").strip() in cases:
                hits.append(f"case as {cases[row['case'].strip()]}")
            mine = shingles(row.get("text", ""))
            shared = [index[s] for s in mine if s in index]
            if too_much(len(shared), len(mine)):
                where = sorted(set(shared))[:3]
                hits.append(f"text ({len(shared)}/{len(mine)} shingles) as {where}")
            twins = [seen_here[s] for s in mine if s in seen_here and seen_here[s] != row["id"]]
            if too_much(len(twins), len(mine)):
                hits.append(f"text repeats {sorted(set(twins))[:3]} of the same set")
            for s in mine:
                seen_here.setdefault(s, row["id"])
            if hits:
                problems += 1
                print(f"{path}:{row['id']}: " + "; ".join(hits))
        print(f"{path}: {len(rows)} rows checked")
    print(f"{problems} rows collide")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(check(sys.argv[1:]))
