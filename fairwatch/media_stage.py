"""The media stage: text from each ad version's images, video, captions and live-room
files (media/), analyzed like any ad text, with findings that point to image boxes and
time ranges.

It runs after the crawl has stored its documents (a version's `media` stage is pending
until then), on a bounded pool of worker threads, each document within a time limit. A
part that cannot be read (corrupt, truncated, too large, not fetchable, out of time) is
recorded on its media_parts row with the reason, and the stage goes on: the version's
stage is done with whatever could be read. Only a failure to store marks it failed, for
`run` to retry later.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from media import (
    MediaError,
    MediaTimeout,
    OcrEngine,
    TextLine,
    extract_media,
    get_engine,
    join_lines,
)
from media.lines import locate
from media.speech import SpeechServer
from storage import repository
from storage.db import Database
from storage.records import FindingRecord
from storage.repository.findings import AfterFindings

logger = logging.getLogger(__name__)
MB = 1024 * 1024


class MediaFetchError(MediaError):
    reason = "fetch"


class MediaTooLarge(MediaError):
    reason = "oversized"


@dataclass
class MediaStats:
    documents: int = 0
    parts_read: int = 0
    parts_failed: int = 0
    findings: int = 0
    failed_documents: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def as_stats(self) -> dict[str, int]:
        """Under the crawl's stats keys: fairwatch/media/..."""
        out = {f"fairwatch/media/{k}": v for k, v in vars(self).items() if isinstance(v, int)}
        out.update({f"fairwatch/media/failed/{k}": v for k, v in self.reasons.items()})
        return out


class MediaStage:
    def __init__(
        self,
        db: Database,
        *,
        analyzer_for: Any,
        engine: OcrEngine | None = None,
        workers: int = 2,
        time_limit: float = 300.0,
        max_bytes: int = 200 * MB,
        speech_url: str = "",
        progress_interval: float = 10.0,
        after_findings: AfterFindings | None = None,
    ) -> None:
        self.db = db
        self.analyzer_for = analyzer_for
        self.engine = engine or get_engine()
        self.workers = max(1, workers)
        self.time_limit = time_limit
        self.max_bytes = max_bytes
        self.speech = SpeechServer(speech_url) if speech_url else None
        self.progress_interval = progress_interval
        self.after_findings = after_findings
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, db: Database, settings: Any, **kwargs: Any) -> MediaStage:
        return cls(
            db,
            engine=get_engine(settings.media_engine),
            workers=settings.media_workers,
            time_limit=settings.media_time_limit,
            max_bytes=int(settings.media_max_mb * MB),
            speech_url=settings.media_speech_url,
            progress_interval=settings.media_progress_interval,
            **kwargs,
        )

    def run(self, *, limit: int | None = None, source_id: str | None = None) -> MediaStats:
        """Read every version whose media stage is pending (or failed), `workers` at a time."""
        pending = repository.pending_versions(self.db, "media", limit=limit, source_id=source_id)
        stats = MediaStats()
        if not pending:
            return stats
        started = last = time.monotonic()
        logger.info("media: %d document(s) to read with %d worker(s), engine %s",
                    len(pending), self.workers, self.engine.name)
        with ThreadPoolExecutor(self.workers, thread_name_prefix="fairwatch-media") as pool:
            for _ in pool.map(lambda vid: self._document(vid, stats), pending):
                now = time.monotonic()
                if self.progress_interval and now - last >= self.progress_interval:
                    last = now
                    logger.info("media: %d/%d documents, %d parts read, %d failed (%.2f docs/s)",
                                stats.documents, len(pending), stats.parts_read,
                                stats.parts_failed, stats.documents / (now - started))
        logger.info("media: done %d document(s), %d part(s) read, %d failed %s, %d finding(s) "
                    "in %.1fs", stats.documents, stats.parts_read, stats.parts_failed,
                    stats.reasons or "", stats.findings, time.monotonic() - started)
        return stats

    def _document(self, version_id: int, stats: MediaStats) -> None:
        try:
            found = self.read_version(version_id, stats)
        except Exception as exc:  # storing failed: the stage stays retryable
            logger.error("media of version %d failed: %s", version_id, exc, exc_info=exc)
            try:
                error = f"{type(exc).__name__}: {exc}"
                repository.stage_failed(self.db, version_id, "media", error)
            except Exception:
                logger.exception("could not record the media failure of version %d", version_id)
            with self._lock:
                stats.failed_documents += 1
            return
        with self._lock:
            stats.documents += 1
            stats.findings += found

    def read_version(self, version_id: int, stats: MediaStats | None = None) -> int:
        """Read and analyze one version's media; returns the number of findings stored."""
        stats = stats or MediaStats()
        deadline = time.monotonic() + self.time_limit
        for part in repository.parts_to_read(self.db, version_id):
            self._read_part(part, deadline, stats)
        version = repository.get_version(self.db, version_id)
        analyzer = self.analyzer_for(version.kind)
        findings: list[FindingRecord] = []
        for part in repository.media_parts(self.db, version_id):
            if not part.text or not part.lines:
                continue
            lines = [TextLine(**{**ln, "box": tuple(ln["box"]) if ln.get("box") else None})
                     for ln in part.lines]
            text, spans = join_lines(lines)
            res = analyzer.analyze(text, sector=version.metadata.get("sector"),
                                   platform=version.platform)
            for f in res.findings:
                where = [{"media": part.url, **loc} for loc in locate(lines, spans, f.start, f.end)]
                findings.append(FindingRecord(
                    standard=f.standard, rule=f.rule, grade=f.grade, start=f.start, end=f.end,
                    quote=f.quote, citation=f.citation, explanation=f.explanation,
                    exception=getattr(f, "exception", None), sector=getattr(f, "sector", None),
                    field=part.field, location=where,
                ))
        repository.save_media_findings(self.db, version_id, findings, after=self.after_findings)
        return len(findings)

    def _read_part(self, part: Any, deadline: float, stats: MediaStats) -> None:
        started = time.monotonic()
        try:
            data = part.data if part.data is not None else self._fetch(part.url)
            left = deadline - started
            if left <= 0:
                raise MediaTimeout("the document's time limit ran out before this part",
                                   name=part.url)
            if len(data) > self.max_bytes:
                raise MediaTooLarge(f"{len(data)} bytes, more than the limit of {self.max_bytes}",
                                    name=part.url)
            got = extract_media(data, name=part.url, media_type=part.media_type,
                                engine=self.engine, speech=self.speech, time_limit=left)
        except MediaError as exc:
            reason = exc.reason
            logger.warning("media part %s of version %d not read (%s): %s", part.url,
                           part.version_id, reason, exc)
            repository.save_part(self.db, part.id, "failed", reason=reason, error=str(exc),
                                 seconds=time.monotonic() - started)
            with self._lock:
                stats.parts_failed += 1
                stats.reasons[reason] = stats.reasons.get(reason, 0) + 1
            return
        repository.save_part(
            self.db, part.id, "done", text=got.text,
            lines=[_line_json(ln) for ln in got.lines], engine=self.engine.name,
            reason="damaged" if got.warnings else None, error="; ".join(got.warnings) or None,
            seconds=round(time.monotonic() - started, 3),
            sha256=hashlib.sha256(data).hexdigest(), size=len(data),
        )
        with self._lock:
            stats.parts_read += 1
            if got.warnings:
                stats.reasons["damaged"] = stats.reasons.get("damaged", 0) + 1

    def _fetch(self, url: str) -> bytes:
        """A part the crawler saw but did not download; bounded by max_bytes."""
        if not url.startswith(("http://", "https://")):
            raise MediaFetchError(f"no bytes stored and {url!r} is not an http(s) URL")
        try:
            with httpx.stream("GET", url, timeout=30, follow_redirects=True) as resp:
                resp.raise_for_status()
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise MediaTooLarge(f"larger than the limit of {self.max_bytes} bytes",
                                            name=url)
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise MediaFetchError(f"could not fetch: {exc}", name=url) from exc


def _line_json(line: TextLine) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(line).items()
            if v is not None}
