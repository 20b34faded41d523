"""Rebuild the shipped models: `python eval/train.py [policy|ad ...]`.

Trains the character n-gram model of analyzers.learned on every row of the kind (the
authored unit cases of tests/eval and the real rows of eval/real, real rows weighted more)
and writes config/models/<kind>.json. Deterministic: the same rows give the same file.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analyzers.crossval import train_model  # noqa: E402
from analyzers.evaluation import split_real  # noqa: E402
from analyzers.learned import default_model_path  # noqa: E402
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
        model = train_model(cases, kind)
        path = default_model_path(kind)
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path)
        logging.info("%s: %d rows (%d real, %d authored), %d features, %.1fs -> %s", kind,
                     len(cases), len(real), len(authored), len(model.vocab),
                     time.process_time() - t0, path.relative_to(REPO))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
