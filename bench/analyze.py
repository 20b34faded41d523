"""Benchmark: fair-competition analyzer throughput against full jieba segmentation.

Builds a corpus of policy text (default 20 MB of UTF-8): real regulatory prose from
shared/fixtures/laws/ mixed with the labelled clauses of tests/eval/policy_dev.jsonl and
shared/eval/policy_dev.jsonl (each once per shuffle: about a sixth of the bytes, a density
of suspect-looking clauses well above that of published policy documents; raise
--clause-weight to stress the candidate path), shuffled with a fixed seed into documents
of about 60 KB. Then, in the same run, it times

- the analyzer: `get_analyzer("policy").analyze(doc)` over every document, and
- the baseline: `jieba.cut(doc)` (default mode, HMM on, the project dictionary loaded),
  consumed to the end,

and prints both throughputs in MB/s (of CPU time) and their ratio. The two are timed
document by document, interleaved, in process CPU time, so that other load on the machine
does not skew the ratio. The target is a ratio >= 5.

    .venv/bin/python bench/analyze.py [--mb 20] [--seed 7] [--clause-weight 1] [--rules-only]

`--rules-only` times the rule engine without the learned second opinion. `--profile N`
also runs the analyzer calls under cProfile and prints the N functions with the most own
time (the profiler slows Python calls, so its ratio is not the one to report).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import pstats
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))

from analyzers.registry import get_analyzer  # noqa: E402


def load_units(clause_weight: int) -> tuple[list[str], dict[str, int]]:
    laws = [
        line.strip()
        for path in sorted((SHARED / "fixtures" / "laws").glob("*.md"))
        if path.name != "SOURCES.md"
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    clauses = []
    corpora = (REPO / "tests" / "eval" / "policy_dev.jsonl", SHARED / "eval" / "policy_dev.jsonl")
    for path in corpora:
        clauses += [json.loads(x)["text"] for x in path.read_text(encoding="utf-8").splitlines()]
    units = laws + clauses * clause_weight
    sizes = {
        "law paragraphs": sum(len(u.encode()) for u in laws),
        "labelled clauses": sum(len(u.encode()) for u in clauses) * clause_weight,
    }
    return units, sizes


def build_corpus(mb: float, seed: int, clause_weight: int) -> tuple[list[str], dict[str, int]]:
    units, sizes = load_units(clause_weight)
    rng = random.Random(seed)
    target = int(mb * 1_000_000)
    docs: list[str] = []
    total = 0
    doc: list[str] = []
    doc_bytes = 0
    while total < target:
        rng.shuffle(units)
        for unit in units:
            doc.append(unit)
            doc_bytes += len(unit.encode()) + 1
            if doc_bytes >= 60_000 or total + doc_bytes >= target:
                docs.append("\n".join(doc))
                total += doc_bytes
                doc, doc_bytes = [], 0
                if total >= target:
                    break
    return docs, sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size in MB (UTF-8)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--clause-weight",
        type=int,
        default=1,
        help="how many times each labelled clause is repeated per shuffle",
    )
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="the rules alone, without the learned second opinion",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile the analyzer calls and print the N functions with the most own time",
    )
    args = parser.parse_args(argv)

    import jieba

    jieba.setLogLevel(logging.WARNING)
    docs, sizes = build_corpus(args.mb, args.seed, args.clause_weight)
    mb = sum(len(d.encode()) for d in docs) / 1_000_000
    share = sizes["labelled clauses"] / sum(sizes.values())
    print(f"corpus: {len(docs)} documents, {mb:.1f} MB, labelled clauses {share:.0%} of the bytes")

    if args.rules_only:
        from analyzers.fair_competition import create_analyzer

        analyzer = create_analyzer(learned=False)
    else:
        analyzer = get_analyzer("policy")  # built (and jieba loaded) before timing
    analyzer.analyze(docs[0])
    jieba.initialize()
    jieba.load_userdict(str(REPO / "config" / "dictionary" / "regulatory_terms.txt"))

    # CPU time of this process, interleaved document by document: other processes on a
    # shared machine then neither inflate one measurement nor favour the other.
    t_analyzer = t_jieba = 0.0
    findings = tokens = 0
    profiler = cProfile.Profile() if args.profile else None
    for d in docs:
        t0 = time.process_time()
        if profiler is not None:
            profiler.enable()
        findings += len(analyzer.analyze(d).findings)
        if profiler is not None:
            profiler.disable()
        t1 = time.process_time()
        tokens += sum(1 for _ in jieba.cut(d))
        t2 = time.process_time()
        t_analyzer += t1 - t0
        t_jieba += t2 - t1

    print(f"analyzer ({'rules only' if args.rules_only else 'rules + learned stage'})")
    print(f"analyzer: {mb / t_analyzer:8.2f} MB/s  ({t_analyzer:.1f} s, {findings} findings)")
    print(f"jieba.cut:{mb / t_jieba:8.2f} MB/s  ({t_jieba:.1f} s, {tokens} tokens)")
    print(f"ratio analyzer/jieba: {t_jieba / t_analyzer:.1f}x (target >= 5x)")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
