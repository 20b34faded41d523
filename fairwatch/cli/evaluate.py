"""`fairwatch eval KIND [FILE...]`: how well an analyzer does on real labelled rows.

The scoring lives in analyzers/evaluation.py (the same code as the CI gate). The headline
is over REAL rows only (exact text of published sources): recall, false-positive rate,
precision, the share of hits citing the right standard, and the per-standard table.
Authored rows (source "written") are unit cases of rules: they are checked and reported
apart, never in a hit rate. Without FILE the kind's whole row set is used (eval/real and
tests/eval).

--cv adds grouped cross-validation (rows of one case never in both parts) of the rules
alone, the learned model alone and the two combined; --documents scores whole compliant
documents (false flags per document). With --min-precision/--min-recall it fails (exit 1)
below the floors (applied to the cross-validated combined figures with --cv, else to the
real-row figures of the analyzer as shipped).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click

from analyzers.errors import EvaluationError
from analyzers.evaluation import (
    Case,
    Report,
    corpus_digest,
    evaluate,
    load_documents,
    split_real,
)
from analyzers.registry import known_kinds
from fairwatch.cli.analyze import load_analyzer


def _load(files: tuple[Path, ...], kind: str) -> tuple[list[Case], str]:
    from analyzers.rows import corpus, row_files

    paths = list(files) or [p for p in row_files(kind) if p.exists()]
    try:
        cases = corpus(kind, paths)
    except EvaluationError as exc:
        raise click.UsageError(str(exc)) from exc
    digest = corpus_digest(paths[0]) if len(paths) == 1 else ""
    return cases, digest


def _in_training(analyzer: Any, cases: list[Case]) -> int:
    model = getattr(analyzer, "model", None)
    if model is None:
        return 0
    seen = {"".join(e.text.split()) for e in model.examples}
    return sum(1 for c in cases if "".join(c.text.split()) in seen)


@click.command("eval")
@click.argument("kind", type=click.Choice(known_kinds()))
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rules", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A rule pack to use instead of the default one.")
@click.option("--cv", "folds", type=click.IntRange(2, 20), default=None, metavar="K",
              help="Also K-fold grouped cross-validation: rules, model, combined.")
@click.option("--documents", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="JSON lines of whole compliant documents: false flags each.")
@click.option("--min-precision", type=click.FloatRange(0, 1), default=None,
              help="Fail (exit 1) when precision on real rows is below this.")
@click.option("--min-recall", type=click.FloatRange(0, 1), default=None,
              help="Fail (exit 1) when recall on real rows is below this.")
@click.option("--details", is_flag=True, help="Also list missed positives and false alarms.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def eval_command(
    kind: str, files: tuple[Path, ...], rules: str | None, folds: int | None,
    documents: Path | None, min_precision: float | None, min_recall: float | None,
    details: bool, as_json: bool,
) -> None:
    """Score the KIND analyzer (policy or ad) on FILEs, JSON-lines labelled corpora.

    Exit status: 0 done (and above any floors given), 1 below a floor, 2 bad usage or an
    invalid corpus line (the message names the file, line and field).
    """
    cases, digest = _load(files, kind)
    real, authored = split_real(cases)
    analyzer = load_analyzer(kind, rules)
    out: dict[str, Any] = {}
    text: list[str] = []
    headline: Report | None = None
    if real:
        headline = evaluate(analyzer, real, corpus_sha256=digest)
        seen = _in_training(analyzer, real)
        out.update(headline.to_dict())
        out["in_training"] = seen
        note = f"; {seen} of them are training rows of its model (in-sample)" if seen else ""
        text += [f"REAL rows (exact published text), analyzer as shipped{note}:",
                 headline.format(details=details)]
    else:
        text.append("no real rows: no hit rate (authored rows are unit cases only)")
    if authored:
        unit = evaluate(analyzer, authored)
        out["authored"] = {"cases": len(authored), "passed": unit.tp + unit.tn,
                           "tp": unit.tp, "fp": unit.fp, "fn": unit.fn, "tn": unit.tn}
        text += ["", f"AUTHORED unit cases (not a hit rate): {unit.tp + unit.tn}/{len(authored)} "
                 "pass", unit.format(details=details)]
    base = getattr(analyzer, "base", analyzer)
    pack = base.pack
    exception = getattr(analyzer, "exception", "")
    if folds and real:
        from analyzers.crossval import cross_validate

        logging.basicConfig(level=logging.INFO, format="%(message)s")
        cv = cross_validate(cases, base, pack, folds=folds, exception=exception,
                            progress=lambda m: click.echo(m, err=True))
        out["cv"] = cv.to_dict()
        text += ["", cv.format()]
        headline = cv.combined
    if documents is not None:
        from analyzers.crossval import document_flags

        try:
            docs = load_documents(documents)
        except EvaluationError as exc:
            raise click.UsageError(str(exc)) from exc
        res = document_flags(docs, cases, base, pack, exception=exception)
        out["documents"] = res.to_dict()
        text += ["", res.format()]
    click.echo(json.dumps(out, ensure_ascii=False, indent=1) if as_json else "\n".join(text))
    low = []
    if headline is not None and min_precision is not None and headline.precision < min_precision:
        low.append(f"precision {headline.precision:.3f} < {min_precision}")
    if headline is not None and min_recall is not None and headline.recall < min_recall:
        low.append(f"recall {headline.recall:.3f} < {min_recall}")
    if (min_precision is not None or min_recall is not None) and headline is None:
        low.append("no real rows to measure")
    if low:
        where = ", ".join(map(str, files)) or f"the {kind} rows"
        raise click.ClickException(f"{kind} analyzer below the floor on {where}: {'; '.join(low)}")
