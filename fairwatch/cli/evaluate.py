"""`fairwatch eval KIND FILE`: precision, recall and F1 of an analyzer on a labelled corpus.

The scoring lives in analyzers/evaluation.py (the same code as the CI gate). Prints the
overall figures, the per-standard table and the confusion between standards; with
--min-precision/--min-recall it fails (exit 1) below the floors.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from analyzers.errors import EvaluationError
from analyzers.evaluation import corpus_digest, evaluate, load_cases
from analyzers.registry import known_kinds
from fairwatch.cli.analyze import load_analyzer


@click.command("eval")
@click.argument("kind", type=click.Choice(known_kinds()))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rules", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A rule pack to use instead of the default one.")
@click.option("--min-precision", type=click.FloatRange(0, 1), default=None,
              help="Fail (exit 1) when overall precision is below this.")
@click.option("--min-recall", type=click.FloatRange(0, 1), default=None,
              help="Fail (exit 1) when overall recall is below this.")
@click.option("--details", is_flag=True, help="Also list missed positives and false alarms.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def eval_command(
    kind: str, file: Path, rules: str | None, min_precision: float | None,
    min_recall: float | None, details: bool, as_json: bool,
) -> None:
    """Score the KIND analyzer (policy or ad) on FILE, a JSON-lines labelled corpus.

    Exit status: 0 done (and above any floors given), 1 below a floor, 2 bad usage or an
    invalid corpus line (the message names the file, line and field).
    """
    try:
        cases = load_cases(file)
    except EvaluationError as exc:
        raise click.UsageError(str(exc)) from exc
    report = evaluate(load_analyzer(kind, rules), cases, corpus_sha256=corpus_digest(file))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(report.format(details=details))
    low = []
    if min_precision is not None and report.precision < min_precision:
        low.append(f"precision {report.precision:.3f} < {min_precision}")
    if min_recall is not None and report.recall < min_recall:
        low.append(f"recall {report.recall:.3f} < {min_recall}")
    if low:
        raise click.ClickException(f"{kind} analyzer below the floor on {file}: {'; '.join(low)}")
