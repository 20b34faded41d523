"""Every finding of the analyzers on every real and dev row, to prove a change kept them.

For each row of eval/real/*.jsonl and tests/eval/*.jsonl (policy files through the policy
analyzer, ad files through the ad analyzer, with the row's `sector`/`platform` hints) and
each whole document of eval/real/policy_documents.jsonl, it records the full finding list
of the analyzer with the learned stage on and of the rules alone: standard, rule, span,
grade, quote, explanation, exception, sector, and the model's confidence.

    python eval/findings_snapshot.py --write /tmp/before.jsonl     # on the old code
    python eval/findings_snapshot.py --compare /tmp/before.jsonl   # on the new code

`--compare` exits 1 and names the first rows that differ (confidence compared to 1e-9).
`--every N` keeps every Nth row (the regression test uses a sample); `--bench-mb M` adds
the documents of bench/analyze.py's corpus of M MB (long documents: the candidate path).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TOLERANCE = 1e-9


def corpora() -> list[Path]:
    return sorted((REPO / "eval" / "real").glob("*.jsonl")) + sorted(
        (REPO / "tests" / "eval").glob("*.jsonl"))


def iter_rows(every: int = 1, bench_mb: float = 0.0) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(kind, "file:id", row) for every row, every `every`th one when asked."""
    if bench_mb:
        sys.path.insert(0, str(REPO / "bench"))
        from analyze import build_corpus

        docs, _ = build_corpus(bench_mb, 7, 1)
        for n, doc in enumerate(docs):
            yield "policy", f"bench:{n}", {"text": doc}
    for path in corpora():
        kind = "ad" if path.name.startswith("ad") else "policy"
        lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        for n, line in enumerate(lines):
            if n % every:
                continue
            row = json.loads(line)
            yield kind, f"{path.parent.name}/{path.name}:{row.get('id', n)}", row


def snapshot_row(analyzers: dict[tuple[str, bool], Any], kind: str, key: str,
                 row: dict[str, Any]) -> dict[str, Any]:
    hints = {k: row[k] for k in ("sector", "platform") if row.get(k)}
    out: dict[str, Any] = {"key": key}
    for learned in (True, False):
        res = analyzers[(kind, learned)].analyze(row["text"], **hints)
        conf = res.confidence or [None] * len(res.findings)
        out["learned" if learned else "rules"] = [
            {**f.to_dict(), "confidence": c} for f, c in zip(res.findings, conf, strict=True)]
    return out


def build_analyzers() -> dict[tuple[str, bool], Any]:
    from analyzers import ad_law, fair_competition

    return {
        ("policy", True): fair_competition.create_analyzer(),
        ("policy", False): fair_competition.create_analyzer(learned=False),
        ("ad", True): ad_law.create_analyzer(),
        ("ad", False): ad_law.create_analyzer(learned=False),
    }


def snapshot(every: int = 1, bench_mb: float = 0.0) -> Iterator[dict[str, Any]]:
    analyzers = build_analyzers()
    t0 = time.monotonic()
    for n, (kind, key, row) in enumerate(iter_rows(every, bench_mb), 1):
        yield snapshot_row(analyzers, kind, key, row)
        if n % 1000 == 0:
            print(f"  {n} rows, {n / (time.monotonic() - t0):.0f} rows/s", file=sys.stderr)


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between two snapshot records of one row ([] when equal)."""
    out: list[str] = []
    for mode in ("learned", "rules"):
        a, b = old[mode], new[mode]
        if len(a) != len(b):
            out.append(f"{mode}: {len(a)} findings before, {len(b)} after")
            continue
        for i, (fa, fb) in enumerate(zip(a, b, strict=True)):
            ca, cb = fa.pop("confidence"), fb.pop("confidence")
            if fa != fb:
                keys = [k for k in fa if fa[k] != fb.get(k)]
                out.append(f"{mode}[{i}]: {', '.join(keys)} differ")
            if (ca is None) != (cb is None) or (ca is not None and abs(ca - cb) > TOLERANCE):
                out.append(f"{mode}[{i}]: confidence {ca} before, {cb} after")
    return out


def compare(path: Path, every: int, bench_mb: float) -> int:
    old = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        old[rec["key"]] = rec
    bad = 0
    seen = 0
    for rec in snapshot(every, bench_mb):
        seen += 1
        before = old.pop(rec["key"], None)
        diff = ["row missing before"] if before is None else differences(before, rec)
        if diff:
            bad += 1
            if bad <= 20:
                print(f"DIFF {rec['key']}: {'; '.join(diff)}")
    for key in list(old)[:20]:
        print(f"DIFF {key}: row missing after")
    bad += len(old)
    print(f"{seen} rows compared, {bad} differ")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the snapshot (JSON lines) here")
    group.add_argument("--compare", type=Path, help="compare with a snapshot written before")
    parser.add_argument("--every", type=int, default=1, help="keep every Nth row")
    parser.add_argument("--bench-mb", type=float, default=0.0,
                        help="also the documents of a bench/analyze.py corpus of this size")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(args.compare, args.every, args.bench_mb)
    with args.write.open("w", encoding="utf-8") as f:
        for rec in snapshot(args.every, args.bench_mb):
            f.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
