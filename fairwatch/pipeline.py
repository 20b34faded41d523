"""What happens to each crawled document, in order: store, analyze, index, alert.

Storing comes first and is one transaction per document (`store_document`), or one per
batch with `process_many` (the crawl's store process, fairwatch/store_process.py). The
analysis runs inside that transaction once the store has found the content new or
changed, and its findings commit with the document: one transaction instead of two.
Each later step records its outcome in the version's stage state, so a failure (an
analyzer bug, the index being down) leaves the stored document intact and marked
`failed` with the error: `retry_pending` runs those steps again later. Alerts are queued
in the outbox by the `after_findings` hook inside the same transaction as the findings
(alerts/outbox.py), so a finding is never stored without its alerts; sending them is the
delivery worker's job (`alerts.deliver_due`, run at the end of a crawl).

`DocumentPipeline` implements `crawlers.sink.DocumentSink`, so any spider that yields
`DocumentRecord` items (policy now, ad later) reuses it through the crawler's
StorePipeline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from crawlers.sink import KnownPage, SinkResult
from fairwatch.lifecycle import repeal_evidence
from storage import repository
from storage.db import Database
from storage.records import DocumentRecord, FindingRecord
from storage.repository import lifecycle
from storage.repository.documents import Analysis
from storage.repository.findings import AfterFindings
from storage.repository.views import StoreResult
from storage.search.base import SearchIndex

logger = logging.getLogger(__name__)

AnalyzerFor = Callable[[str], Any]  # kind -> object with .analyze(text, sector=, platform=)


@dataclass
class Texts:
    """The texts of one version the analyzer reads: body and each attachment."""

    kind: str
    platform: str | None
    sector: str | None
    parts: list[tuple[str, str]]  # (field, text)


class DocumentPipeline:
    """Store, then analyze (queuing alerts with the findings), then index, one document
    at a time."""

    def __init__(
        self,
        db: Database,
        *,
        run_id: int | None = None,
        index: SearchIndex | None = None,
        analyzer_for: AnalyzerFor | None = None,
        index_batch: int = 1,
        after_findings: AfterFindings | None = None,
    ) -> None:
        """index_batch > 1 indexes versions in batches of that size (and on close()): far
        fewer index commits on a big crawl; until a batch is written its versions' index
        stage stays pending, so a crash loses nothing that `retry_pending` cannot redo.
        after_findings (`alerts.finding_hook`) runs in the transaction of each version's
        findings."""
        self.db = db
        self.run_id = run_id
        self.index = index
        self.analyzer_for = analyzer_for
        self.index_batch = max(1, index_batch)
        self.after_findings = after_findings
        self._to_index: list[int] = []

    def __deepcopy__(self, memo: dict) -> DocumentPipeline:
        # Scrapy deep-copies its settings; this live handle (database, index) is shared.
        return self

    # -- DocumentSink -----------------------------------------------------------------
    def known(self, source_id: str, url: str) -> KnownPage | None:
        found = repository.known_document(self.db, source_id, url)
        if found is None:
            return None
        return KnownPage(
            etag=found.etag, last_modified=found.last_modified, content_hash=found.content_hash
        )

    def known_many(self, source_id: str, urls: Iterable[str]) -> dict[str, KnownPage]:
        """known() of many URLs in one query: {url: page} for the URLs stored."""
        return {
            url: KnownPage(
                etag=found.etag, last_modified=found.last_modified, content_hash=found.content_hash
            )
            for url, found in repository.known_documents(self.db, source_id, urls).items()
        }

    def process(self, record: DocumentRecord) -> SinkResult:
        """Store record, analyzing it if new or changed, then index it; raises if storing fails."""
        analysis, flagged = self._analysis(record)
        stored = repository.store_document(
            self.db, record, self.run_id, analysis=analysis, after_findings=self.after_findings
        )
        return self._after(record, stored, flagged[0])

    def process_many(self, records: list[DocumentRecord]) -> list[SinkResult | Exception]:
        """process() for many records, stored in one transaction: a result or the error
        of each. If the transaction fails they are stored one by one, so a record the
        database refuses fails alone."""
        prepared = [self._analysis(record) for record in records]
        batch = [(r, analysis) for r, (analysis, _) in zip(records, prepared, strict=True)]
        try:
            stored = repository.store_documents(
                self.db, batch, self.run_id, after_findings=self.after_findings
            )
        except Exception as exc:  # one of them, or the transaction: one at a time instead
            logger.warning(
                "storing %d documents at once failed (%s: %s); storing them one by one",
                len(records), type(exc).__name__, exc,
            )
            return [self._process_or_error(record) for record in records]
        out: list[SinkResult | Exception] = []
        for record, (_, flagged), result in zip(records, prepared, stored, strict=True):
            if isinstance(result, Exception):
                out.append(result)
            else:
                out.append(self._after(record, result, flagged[0]))
        return out

    def _process_or_error(self, record: DocumentRecord) -> SinkResult | Exception:
        try:
            return self.process(record)
        except Exception as exc:  # reported in the record's place, the others go on
            return exc

    def _analysis(self, record: DocumentRecord) -> tuple[Analysis | None, list[bool]]:
        """What store_document calls to analyze record (None: no analyzer), and the box
        it leaves the flag in."""
        flagged = [False]
        if self.analyzer_for is None:
            return None, flagged
        texts = Texts(
            kind=record.kind,
            platform=record.metadata.get("platform"),
            sector=record.metadata.get("sector"),
            parts=[("body", record.body)]
            + [(f"attachment:{n}", a.text) for n, a in enumerate(record.attachments) if a.text],
        )

        def analysis(analyzer_for: AnalyzerFor) -> list[FindingRecord]:
            # Called by store_document only for a new or changed version.
            try:
                flagged[0], findings = self._findings(analyzer_for, texts)
            except Exception as exc:  # store_document keeps the document and marks it failed
                logger.error("analysis of %s failed: %s", record.url, exc, exc_info=exc)
                raise
            return findings

        return partial(analysis, self.analyzer_for), flagged

    def _after(self, record: DocumentRecord, stored: StoreResult, flagged: bool) -> SinkResult:
        """The stored document's life events, then its index stage; the sink's result."""
        events = self._lifecycle(record, stored)
        if stored.status == "unchanged":
            return SinkResult(status="unchanged", doc_id=stored.doc_id, events=events)
        result = SinkResult(status=stored.status, doc_id=stored.doc_id, events=events)
        if stored.analysis_error:
            result.stage_errors["analysis"] = stored.analysis_error
        else:
            result.flagged = flagged
        self._after_store(stored.version_id, result)
        return result

    # -- the document's life ------------------------------------------------------------
    def _lifecycle(self, record: DocumentRecord, stored: Any) -> list[str]:
        """Record a revision, a repeal (废止/失效) or a page back on the site; the events."""
        events: list[str] = []
        try:
            if stored.status == "changed":
                lifecycle.record_revision(
                    self.db, stored.doc_id, stored.version_id, run_id=self.run_id
                )
                events.append("revised")
            evidence = None
            if stored.status != "unchanged":
                evidence = repeal_evidence(record.title, record.body, record.metadata)
            state = "current"
            if stored.status != "new":
                state = lifecycle.document_state(self.db, stored.doc_id)[0]
            if evidence:
                if lifecycle.set_state(
                    self.db, stored.doc_id, "repealed", run_id=self.run_id, detail=evidence
                ):
                    events.append("repealed")
            elif state == "removed" or (state == "repealed" and stored.status == "changed"):
                # Served again after a 404, or a new version without the repeal notice.
                lifecycle.set_state(
                    self.db, stored.doc_id, "current", run_id=self.run_id, detail=record.url
                )
                events.append("restored")
        except Exception:  # the document is stored; its life record can wait for next time
            logger.exception("could not record the life of %s", record.url)
        return events

    def gone(self, source_id: str, url: str, detail: str) -> bool:
        """A stored page answers 404/410: mark its document removed; True if newly so."""
        known = repository.known_document(self.db, source_id, url)
        if known is None:
            return False
        return lifecycle.set_state(
            self.db, known.doc_id, "removed", run_id=self.run_id, detail=detail
        )

    def listed_urls(self, source_id: str) -> list[str]:
        return lifecycle.listed_urls(self.db, source_id)

    # -- later steps ------------------------------------------------------------------
    def _after_store(self, version_id: int, result: SinkResult) -> None:
        self._to_index.append(version_id)
        if len(self._to_index) >= self.index_batch:
            batch = len(self._to_index)
            error = self.flush_index()
            if error:
                result.stage_errors["index"] = error
                result.stage_failed_versions["index"] = batch

    def flush_index(self) -> str | None:
        """Index the versions waiting for it; on failure mark them failed and return the error."""
        batch, self._to_index = self._to_index, []
        if not batch:
            return None
        try:
            self.index_versions(batch)
        except Exception as exc:  # index down or broken: the database stays the truth
            for version_id in batch:
                self._mark_failed(version_id, "index", exc)
            return f"{type(exc).__name__}: {exc}"
        return None

    def close(self) -> dict[str, int]:
        """Flush what is still batched; returns {stage: versions that failed} for the stats."""
        pending = len(self._to_index)
        error = self.flush_index()
        return {"index": pending} if error else {}

    def analyze(self, version_id: int, texts: Texts) -> bool:
        """Run the analyzer of the document's kind and store its findings; True if flagged."""
        if self.analyzer_for is None:
            return False  # stage stays pending: `retry_pending` analyzes it once configured
        flagged, findings = self._findings(self.analyzer_for, texts)
        # Also marks analysis done and queues the alerts, in one transaction.
        repository.save_findings(self.db, version_id, findings, after=self.after_findings)
        return flagged

    @staticmethod
    def _findings(analyzer_for: AnalyzerFor, texts: Texts) -> tuple[bool, list[FindingRecord]]:
        """Run the analyzer of the document's kind on each text: (flagged, findings)."""
        analyzer = analyzer_for(texts.kind)
        findings: list[FindingRecord] = []
        flagged = False
        for field, text in texts.parts:
            analysis = analyzer.analyze(text, sector=texts.sector, platform=texts.platform)
            flagged = flagged or analysis.flagged
            findings.extend(_finding_record(f, field) for f in analysis.findings)
        return flagged, findings

    def index_versions(self, version_ids: list[int]) -> None:
        if self.index is None:
            return  # stays pending until an index is configured
        docs = list(repository.indexed_documents(self.db, version_ids=version_ids))
        self.index.index(docs)
        repository.stage_done(self.db, version_ids, "index")

    def _mark_failed(self, version_id: int, stage: str, exc: Exception) -> None:
        logger.error("%s of version %d failed: %s", stage, version_id, exc, exc_info=exc)
        try:
            repository.stage_failed(self.db, version_id, stage, f"{type(exc).__name__}: {exc}")
        except Exception:  # the database itself failed; the stage simply stays pending
            logger.exception("could not record the %s failure of version %d", stage, version_id)

    # -- retries ------------------------------------------------------------------------
    def retry_pending(self, *, limit: int | None = None) -> dict[str, int]:
        """Run analysis and indexing again for versions pending or failed; returns counts done."""
        done = {"analysis": 0, "index": 0}
        if self.analyzer_for is not None:
            for version_id in repository.pending_versions(self.db, "analysis", limit=limit):
                version = repository.get_version(self.db, version_id)
                texts = Texts(
                    kind=version.kind,
                    platform=version.platform,
                    sector=version.metadata.get("sector"),
                    parts=[("body", version.body)]
                    + [
                        (f"attachment:{n}", a.text)
                        for n, a in enumerate(version.attachments)
                        if a.text
                    ],
                )
                try:
                    self.analyze(version_id, texts)
                    done["analysis"] += 1
                except Exception as exc:
                    self._mark_failed(version_id, "analysis", exc)
        if self.index is not None:
            pending = repository.pending_versions(self.db, "index", limit=limit)
            for start in range(0, len(pending), 500):
                batch = pending[start : start + 500]
                try:
                    self.index_versions(batch)
                    done["index"] += len(batch)
                except Exception as exc:
                    for version_id in batch:
                        self._mark_failed(version_id, "index", exc)
        return done


def _finding_record(finding: Any, field: str) -> FindingRecord:
    return FindingRecord(
        standard=finding.standard,
        rule=finding.rule,
        grade=finding.grade,
        start=finding.start,
        end=finding.end,
        quote=finding.quote,
        citation=finding.citation,
        explanation=finding.explanation,
        exception=getattr(finding, "exception", None),
        sector=getattr(finding, "sector", None),
        field=field,
    )
