"""Repository functions: every read and write of stored data goes through here.

Each function takes a `storage.db.Database`, does its work in one transaction and
returns plain values (`storage.repository.views`), never ORM objects. Errors are
`storage.errors.StorageError` subclasses. The service's own tables have their modules:
crawl_state (backfill, frontier), lease, lifecycle (document events), operator_events.
"""

from storage.repository.documents import (
    known_document,
    known_documents,
    store_document,
    store_documents,
)
from storage.repository.findings import AfterFindings, FindingLike, add_review, save_findings
from storage.repository.indexing import current_versions, indexed_documents
from storage.repository.listing import (
    ORDERS,
    get_screenshot,
    get_version,
    list_documents,
    show_document,
)
from storage.repository.media import (
    MediaPartView,
    media_parts,
    parts_to_read,
    save_media_findings,
    save_part,
)
from storage.repository.runs import (
    close_orphaned_runs,
    ensure_source,
    finish_run,
    get_run,
    list_runs,
    start_run,
)
from storage.repository.stages import (
    get_stages,
    mark_stage,
    pending_versions,
    stage_counts,
    stage_done,
    stage_failed,
)
from storage.repository.views import (
    FLAG_GRADES,
    AttachmentView,
    DocumentDetail,
    DocumentPage,
    DocumentSummary,
    FindingView,
    KnownDocument,
    ReviewView,
    RunInfo,
    StageInfo,
    StoreResult,
    VersionView,
)

__all__ = [
    "FLAG_GRADES",
    "ORDERS",
    "AfterFindings",
    "AttachmentView",
    "DocumentDetail",
    "DocumentPage",
    "DocumentSummary",
    "FindingLike",
    "FindingView",
    "KnownDocument",
    "MediaPartView",
    "ReviewView",
    "RunInfo",
    "StageInfo",
    "StoreResult",
    "VersionView",
    "add_review",
    "close_orphaned_runs",
    "current_versions",
    "ensure_source",
    "finish_run",
    "get_run",
    "get_screenshot",
    "get_stages",
    "get_version",
    "indexed_documents",
    "known_document",
    "known_documents",
    "list_documents",
    "list_runs",
    "mark_stage",
    "media_parts",
    "parts_to_read",
    "save_media_findings",
    "save_part",
    "pending_versions",
    "save_findings",
    "show_document",
    "stage_counts",
    "stage_done",
    "stage_failed",
    "start_run",
    "store_document",
    "store_documents",
]
