"""`fairwatch documents list|show`: what is stored, with findings and stage state."""

from __future__ import annotations

import click

from fairwatch.cli._common import domain_errors, settings_or_exit
from storage import repository


@click.group("documents")
def documents_group() -> None:
    """List and show stored documents."""


@documents_group.command("list")
@click.option("--source", "source_id", default=None, help="Only this source id.")
@click.option("--kind", type=click.Choice(["policy", "ad"]), default=None)
@click.option("--flagged/--not-flagged", default=None, help="Only flagged (or unflagged) ones.")
@click.option("--standard", default=None, help="Only documents with a finding of this id.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
def list_command(
    source_id: str | None,
    kind: str | None,
    flagged: bool | None,
    standard: str | None,
    limit: int,
    offset: int,
) -> None:
    """List stored documents, newest fetch first."""
    settings = settings_or_exit()
    with domain_errors():
        from fairwatch.app import open_database

        page = repository.list_documents(
            open_database(settings),
            source_id=source_id,
            kind=kind,
            flagged=flagged,
            standard=standard,
            limit=limit,
            offset=offset,
        )
    for doc in page.items:
        grade = doc.grade or "-"
        published = doc.published.isoformat() if doc.published else "----------"
        click.echo(
            f"{doc.id:>6}  {published}  {grade:<4}  {doc.findings:>2} findings  "
            f"{doc.source_id}  {doc.title}"
        )
    click.echo(f"{len(page.items)} of {page.total} document(s)")


@documents_group.command("show")
@click.argument("doc_id", type=int)
def show_command(doc_id: int) -> None:
    """Show one document: metadata, stage state, findings with quotes, attachments."""
    settings = settings_or_exit()
    with domain_errors():
        from fairwatch.app import open_database

        detail = repository.show_document(open_database(settings), doc_id)
    v = detail.latest
    click.echo(f"document {detail.id}  {v.title}")
    click.echo(f"  url        {detail.url}")
    click.echo(f"  source     {detail.source_id} ({detail.kind})")
    click.echo(f"  number     {v.doc_number or '-'}   issuer {v.issuer or '-'}")
    click.echo(f"  published  {v.published or '-'}   fetched {v.fetched_at:%Y-%m-%d %H:%M}")
    click.echo(f"  versions   {len(detail.versions)} (current: {v.number})")
    if detail.state != "current":
        seen = f" (seen {detail.state_seen_at:%Y-%m-%d})" if detail.state_seen_at else ""
        click.echo(f"  state      {detail.state}{seen}")
    for stage in v.stages.values():
        error = f": {stage.error}" if stage.error else ""
        click.echo(f"  stage      {stage.stage} {stage.status}{error}")
    for a in v.attachments:
        state = f"{len(a.text or '')} chars" if not a.error else f"failed: {a.error}"
        click.echo(f"  attachment {a.filename} [{a.file_type}] {state}")
    click.echo(f"  findings   {len(v.findings)}")
    for f in v.findings:
        withdrawn = f"  [obsolete: {f.obsolete}]" if f.obsolete else ""
        click.echo(
            f"    {f.grade} {f.standard} ({f.citation}) [{f.field} {f.start}-{f.end}]{withdrawn}"
        )
        click.echo(f"      「{f.quote}」")
        click.echo(f"      {f.explanation}")
    click.echo("")
    click.echo(v.body)
