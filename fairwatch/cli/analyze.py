"""`fairwatch analyze`: run an analyzer over texts.

Two forms (the JSON-lines form is a contract other tools depend on):

- `fairwatch analyze --kind policy --jsonl` reads JSON lines on stdin, each
  `{"id": ..., "text": ...}` (optional `sector`, `platform` hints), and writes one JSON line
  per input line, in order: `{"id", "flagged", "grade", "findings": [{standard, rule, grade,
  start, end, quote, citation, explanation, exception, sector}]}`. `flagged` is true
  exactly when a finding is graded 明显违反 or 疑似. A line that is not valid JSON (or not
  UTF-8, or not an object) or has no string `text` yields `{"id": ..., "error": "..."}`
  and the run goes on. Blank lines are skipped.
  A line may give `"path"` (a file, read as below) instead of `"text"`.
- `fairwatch analyze FILE...` prints a readable report per file, the suspect clauses
  highlighted (.txt, .html/.htm, .pdf, .docx, .doc, .wps, .ofd; for --kind ad also images
  .png/.jpg/.jpeg/.webp, videos .mp4/.webm, captions .vtt/.srt).

Text from images and video (media/) is one line per OCR line, caption cue or transcript
segment; each finding on it carries `location`: the lines it touches, each with its image
and box `[x0, y0, x1, y1]` or its time range `start`/`end` in seconds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

import click

from analyzers.errors import AnalyzerError
from analyzers.findings import DocumentAnalysis, Finding
from analyzers.registry import Analyzer, get_analyzer, known_kinds
from crawlers.errors import AttachmentError, ExtractionError
from media import MediaError, TextLine, extract_media, get_engine, join_lines, media_type_of
from media.lines import locate

FINDING_KEYS = (
    "standard", "rule", "grade", "start", "end", "quote", "citation", "explanation",
    "exception", "sector",
)
_GRADE_COLOURS = {"明显违反": "red", "疑似": "yellow", "提示": "cyan"}
_CONTEXT = 24  # characters of surrounding text shown around a highlighted clause


def load_analyzer(kind: str, rules: str | None) -> Analyzer:
    """The analyzer of `kind`; bad kinds and rule packs are usage errors (exit 2)."""
    try:
        return get_analyzer(kind, rules)
    except AnalyzerError as exc:
        raise click.UsageError(str(exc)) from exc


class Read:
    """A file's text and, for media, the lines it was joined from (for locations)."""

    def __init__(self, text: str, lines: list[TextLine] | None = None) -> None:
        self.text = text
        self.lines = lines
        self.spans = join_lines(lines)[1] if lines is not None else None

    def location(self, f: Finding) -> list[dict[str, Any]] | None:
        if self.lines is None or self.spans is None:
            return None
        return locate(self.lines, self.spans, f.start, f.end)


def result_line(doc_id: Any, res: DocumentAnalysis, read: Read | None = None) -> dict[str, Any]:
    findings = []
    for f in res.findings:
        item = {k: getattr(f, k) for k in FINDING_KEYS}
        if read is not None and read.lines is not None:
            item["location"] = read.location(f)
        findings.append(item)
    return {"id": doc_id, "flagged": res.flagged, "grade": res.grade, "findings": findings}


def analyze_line(analyzer: Analyzer, raw: bytes, n: int, hints: dict[str, str | None]) -> dict:
    """One output object for input line n (1-based); errors are returned, not raised."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return {"id": None, "error": f"line {n}: not UTF-8 ({exc.reason} at byte {exc.start})"}
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"line {n}: not valid JSON: {exc.msg} (column {exc.colno})"}
    if not isinstance(obj, dict):
        return {"id": None, "error": f"line {n}: expected a JSON object, got {type(obj).__name__}"}
    doc_id = obj.get("id")
    text = obj.get("text")
    read = None
    if text is None and isinstance(obj.get("path"), str):
        try:
            read = read_file(Path(obj["path"]), media=bool(hints.get("media")))
        except click.ClickException as exc:
            return {"id": doc_id, "error": f"line {n}: {exc.message}"}
        text = read.text
    if not isinstance(text, str):
        what = "missing" if text is None else f"a {type(text).__name__}, not a string"
        return {"id": doc_id, "error": f"line {n}: field \"text\" is {what} (or give \"path\")"}
    sector = obj.get("sector") if isinstance(obj.get("sector"), str) else hints["sector"]
    platform = obj.get("platform") if isinstance(obj.get("platform"), str) else hints["platform"]
    try:
        res = analyzer.analyze(text, sector=sector, platform=platform)
    except (AnalyzerError, ValueError, TypeError) as exc:
        return {"id": doc_id, "error": f"line {n}: analysis failed: {type(exc).__name__}: {exc}"}
    return result_line(doc_id, res, read)


def run_jsonl(analyzer: Analyzer, src: IO[bytes], out: IO[bytes], hints: dict) -> int:
    """Stream src -> out; returns the number of lines that were answered with an error."""
    errors = 0
    for n, raw in enumerate(src, 1):
        if not raw.strip():
            continue
        line = analyze_line(analyzer, raw, n, hints)
        errors += "error" in line
        out.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
        out.flush()  # a consumer reading the pipe gets each answer as soon as it is ready
    return errors


def read_file(path: Path, *, media: bool) -> Read:
    """Text (and media lines) of a file; media files only when `media` (the ad analyzer)."""
    media_type = media_type_of(path.name) if media else None
    if media_type is None or media_type == "live":
        return Read(read_document(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        got = extract_media(data, name=path.name, media_type=media_type, engine=get_engine())
    except MediaError as exc:
        raise click.ClickException(f"{path}: {exc.reason}: {exc}") from exc
    for warning in got.warnings:
        click.echo(f"warning: {path}: {warning}", err=True)
    return Read(got.text, got.lines)


def read_document(path: Path) -> str:
    """Text of a file by its extension; raises click.ClickException naming the file."""
    suffix = path.suffix.lower().lstrip(".")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        if suffix == "txt":
            for codec in ("utf-8-sig", "gb18030"):
                try:
                    return data.decode(codec)
                except UnicodeDecodeError:
                    continue
            raise click.ClickException(f"{path}: not UTF-8 or GB18030 text")
        if suffix in ("html", "htm"):
            from crawlers.extract import decode_html, extract_page

            html, _ = decode_html(data, None)
            page = extract_page(html, path.as_uri())
            return f"{page.title}\n{page.text}" if page.title else page.text
        if suffix in ("pdf", "docx", "doc", "wps", "ofd"):
            from crawlers.extract import extract_file_text

            return extract_file_text(data, suffix)
    except (AttachmentError, ExtractionError) as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    raise click.ClickException(
        f"{path}: unsupported file type {path.suffix or '(none)'}: "
        "use .txt, .html, .htm, .pdf, .docx, .doc, .wps or .ofd "
        "(and with --kind ad: .png, .jpg, .jpeg, .webp, .mp4, .webm, .vtt, .srt)"
    )


def _where(loc: dict[str, Any]) -> str:
    parts = [loc["origin"]]
    if "image" in loc:
        parts.append(loc["image"])
    if "box" in loc:
        parts.append("box " + ",".join(str(v) for v in loc["box"]))
    if "start" in loc:
        parts.append(f"{loc['start']:.2f}s-{loc.get('end', loc['start']):.2f}s")
    return " ".join(parts)


def format_finding(text: str, f: Finding, read: Read | None = None) -> str:
    before = text[max(0, f.start - _CONTEXT) : f.start].replace("\n", " ")
    after = text[f.end : f.end + _CONTEXT].replace("\n", " ")
    clause = click.style(f.quote.replace("\n", " "), fg=_GRADE_COLOURS.get(f.grade), bold=True)
    lines = [
        f"[{f.grade}] {f.standard}  {f.rule}  (characters {f.start}-{f.end})",
        f"    …{before}{clause}{after}…",
        f"    依据：{f.citation}",
        f"    理由：{f.explanation}",
    ]
    if f.exception:
        lines.append(f"    例外：{f.exception}")
    for loc in (read.location(f) if read is not None else None) or []:
        lines.append(f"    位置：{_where(loc)}")
    return "\n".join(lines)


def report(path: Path, text: str, res: DocumentAnalysis, read: Read | None = None) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in sorted(res.counts.items())) or "none"
    head = (
        f"== {path}  ({len(text)} characters)\n"
        f"   grade: {res.grade or '-'}  flagged: {'yes' if res.flagged else 'no'}  "
        f"findings per standard: {counts}"
    )
    return "\n".join([head, *(format_finding(text, f, read) for f in res.findings)])


@click.command("analyze")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(known_kinds()), default="policy", show_default=True,
              help="Which analyzer: policy (fair competition) or ad (advertising law).")
@click.option("--jsonl", is_flag=True,
              help='Read {"id","text"} (or {"id","path"}) JSON lines on stdin, write one '
                 'result line each.')
@click.option("--rules", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A rule pack to use instead of the default one in config/rules/.")
@click.option("--sector", default=None, help="Sector hint for ad analysis (e.g. food).")
@click.option("--platform", default=None, help="Platform hint for ad analysis.")
def analyze(
    files: tuple[Path, ...], kind: str, jsonl: bool, rules: str | None,
    sector: str | None, platform: str | None,
) -> None:
    """Flag clauses that may breach the fair competition review standards or ad law.

    With --jsonl, reads JSON lines on stdin and writes JSON lines; otherwise prints a
    report for each FILE. Exit status: 0 done (per-line errors are reported in the
    output), 1 a file could not be read, 2 bad usage or rule pack.
    """
    if jsonl and files:
        raise click.UsageError("give FILE arguments or --jsonl (stdin), not both")
    if not jsonl and not files:
        raise click.UsageError("give at least one FILE, or --jsonl to read JSON lines on stdin")
    analyzer = load_analyzer(kind, rules)
    hints = {"sector": sector, "platform": platform, "media": kind == "ad"}
    if jsonl:
        # bytes in and out: each line is decoded (and its errors reported) on its own
        run_jsonl(analyzer, sys.stdin.buffer, sys.stdout.buffer, hints)
        return
    failed: list[str] = []
    for path in files:
        try:
            read = read_file(path, media=kind == "ad")
        except click.ClickException as exc:
            click.echo(f"error: {exc.message}", err=True)
            failed.append(str(path))
            continue
        res = analyzer.analyze(read.text, sector=sector, platform=platform)
        click.echo(report(path, read.text, res, read))
    if failed:
        names = ", ".join(failed)
        raise click.ClickException(f"{len(failed)} file(s) could not be analyzed: {names}")
