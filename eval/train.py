"""Rebuild the shipped models: `python eval/train.py [policy|ad ...]`.

Trains the character n-gram model of analyzers.learned on every row of the kind (the
authored unit cases of tests/eval and the real rows of eval/real, real rows weighted more)
and writes config/models/<kind>.json. The veto and rescue thresholds are chosen by grouped
cross-validation over the same rows (analyzers.crossval.choose_thresholds), the procedure
`fairwatch eval KIND --cv K` repeats inside each of its folds. Deterministic: the same rows
give the same file.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analyzers.crossval import train_with_thresholds  # noqa: E402
from analyzers.evaluation import split_real  # noqa: E402
from analyzers.learned import default_model_path  # noqa: E402
from analyzers.registry import get_analyzer  # noqa: E402
from analyzers.rows import corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kinds", nargs="*", default=["policy", "ad"])
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for kind in args.kinds:
        t0 = time.process_time()
        cases = corpus(kind)
        real, authored = split_real(cases)
        analyzer = get_analyzer(kind)
        base = getattr(analyzer, "base", analyzer)
        model, choice = train_with_thresholds(cases, base, base.pack,
                                              exception=getattr(analyzer, "exception", ""))
        path = default_model_path(kind)
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path)
        logging.info("%s: %d rows (%d real, %d authored), %d features, veto %.2f rescue %.2f "
                     "(grouped CV recall %.3f FPR %.3f), %.1fs -> %s", kind, len(cases),
                     len(real), len(authored), len(model.vocab), choice.veto, choice.rescue,
                     choice.recall, choice.fpr, time.process_time() - t0,
                     path.relative_to(REPO))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
