"""Media parts of ad versions (images, video, captions, live-room files) and the findings
on the text read from them (field `media:<position>`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, select, update

from storage.db import Database
from storage.errors import VersionNotFound
from storage.models import STAGE_STATUSES, DocumentVersion, Finding, MediaPart, Review, utcnow
from storage.repository._common import check_choice, check_json, strip_nul
from storage.repository.findings import AfterFindings, FindingLike, _finding_rows
from storage.repository.stages import _set_stage

MEDIA_FIELD = "media:"  # findings on media text: field "media:<position>"


@dataclass(frozen=True)
class MediaPartView:
    id: int
    version_id: int
    position: int
    media_type: str
    url: str
    status: str
    size: int | None
    sha256: str | None
    text: str | None
    lines: list[dict[str, Any]] | None
    engine: str | None
    reason: str | None
    error: str | None
    seconds: float | None
    data: bytes | None = None  # only from parts_to_read

    @property
    def field(self) -> str:
        return f"{MEDIA_FIELD}{self.position}"


def _view(row: MediaPart, data: bytes | None = None) -> MediaPartView:
    return MediaPartView(
        id=row.id, version_id=row.version_id, position=row.position, media_type=row.media_type,
        url=row.url, status=row.status, size=row.size, sha256=row.sha256, text=row.text,
        lines=row.lines, engine=row.engine, reason=row.reason, error=row.error,
        seconds=row.seconds, data=data,
    )


def media_parts(db: Database, version_id: int) -> list[MediaPartView]:
    """Every media part of a version, in order, without the bytes."""
    with db.session(context=f"read media of version {version_id}") as session:
        rows = session.scalars(
            select(MediaPart).where(MediaPart.version_id == version_id)
            .order_by(MediaPart.position)
        ).all()
        return [_view(r) for r in rows]


def parts_to_read(db: Database, version_id: int) -> list[MediaPartView]:
    """The pending parts with their bytes (the screenshot's from its version)."""
    with db.session(context=f"read pending media of version {version_id}") as session:
        rows = session.scalars(
            select(MediaPart).where(MediaPart.version_id == version_id,
                                    MediaPart.status == "pending")
            .order_by(MediaPart.position)
        ).all()
        out = []
        for row in rows:
            data = row.data
            if row.url == "screenshot" and data is None:
                data = session.scalar(select(DocumentVersion.screenshot_png)
                                      .where(DocumentVersion.id == version_id))
            out.append(_view(row, data))
        return out


def save_part(
    db: Database,
    part_id: int,
    status: str,
    *,
    text: str | None = None,
    lines: list[dict[str, Any]] | None = None,
    engine: str | None = None,
    reason: str | None = None,
    error: str | None = None,
    seconds: float | None = None,
    sha256: str | None = None,
    size: int | None = None,
) -> None:
    """Record what was read from a part (done) or why nothing could be (failed, reason)."""
    check_choice(status, STAGE_STATUSES, field="status")
    values: dict[str, Any] = {
        "status": status, "text": strip_nul(text), "lines": check_json(lines, field="lines"),
        "engine": engine, "reason": reason, "error": strip_nul(error), "seconds": seconds,
        "updated_at": utcnow(),
    }
    if sha256 is not None:
        values |= {"sha256": sha256, "size": size}
    with db.session(context=f"save media part {part_id}", write=True) as session:
        session.execute(update(MediaPart).where(MediaPart.id == part_id).values(**values))


def save_media_findings(
    db: Database,
    version_id: int,
    findings: Iterable[FindingLike],
    *,
    after: AfterFindings | None = None,
) -> list[int]:
    """Replace the unreviewed findings on a version's media text, mark its media stage done
    and its index stage pending, in one transaction (findings on the body stay as they are)."""
    rows = _finding_rows(findings)
    table = Finding.__table__
    with db.session(context=f"save media findings of version {version_id}",
                    write=True) as session:
        conn = session.connection()
        if conn.scalar(select(DocumentVersion.id).where(DocumentVersion.id == version_id)) is None:
            raise VersionNotFound(version_id)
        _set_stage(conn, [version_id], "media", "done")
        _set_stage(conn, [version_id], "index", "pending")
        reviewed = exists().where(Review.__table__.c.finding_id == table.c.id)
        conn.execute(delete(table).where(table.c.version_id == version_id,
                                         table.c.field.startswith(MEDIA_FIELD), ~reviewed))
        kept = {(r.standard, r.rule, r.field, r.start, r.end) for r in conn.execute(
            select(table).where(table.c.version_id == version_id,
                                table.c.field.startswith(MEDIA_FIELD)))}
        fresh = [{**r, "version_id": version_id, "created_at": utcnow()} for r in rows
                 if (r["standard"], r["rule"], r["field"], r["start"], r["end"]) not in kept]
        ids = list(conn.scalars(table.insert().returning(table.c.id), fresh)) if fresh else []
        if after is not None and fresh:
            after(conn, version_id)
    return ids
