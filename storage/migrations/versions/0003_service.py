"""Unattended operation: run bookkeeping (runner, mode, counts), interrupted and timed-out
runs, the leader lease, operator events, backfill state, the crawl frontier, and the
life of documents (revised, repealed, removed) with their findings marked.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('running', 'succeeded', 'partial', 'failed')"
NEW_STATUSES = "status IN ('running', 'succeeded', 'partial', 'failed', 'interrupted', 'timed_out')"
TS = sa.DateTime(timezone=True)
# SQLite batch mode rebuilds the table: keep AUTOINCREMENT, so ids are never reused.
KEEP_IDS = {"table_kwargs": {"sqlite_autoincrement": True}}


def upgrade() -> None:
    op.create_table(
        "operator_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("source_id", sa.String(length=100), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("dedup_key", sa.String(length=300), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_events")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_operator_events_dedup_key")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("operator_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_operator_events_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_operator_events_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "service_leases",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=300), nullable=False),
        sa.Column("acquired_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_service_leases")),
    )
    op.create_table(
        "crawl_frontier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("role IN ('list', 'detail')", name=op.f("ck_crawl_frontier_role")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_crawl_frontier_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_frontier")),
        sa.UniqueConstraint(
            "source_id", "role", "url", name=op.f("uq_crawl_frontier_source_id_role_url")
        ),
    )
    op.create_table(
        "source_states",
        sa.Column("source_id", sa.String(length=100), nullable=False),
        sa.Column("backfill", sa.String(length=20), nullable=False),
        sa.Column("backfill_requested_at", TS, nullable=False),
        sa.Column("backfill_started_at", TS, nullable=True),
        sa.Column("backfill_done_at", TS, nullable=True),
        sa.Column("backfill_run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "backfill IN ('pending', 'running', 'done')", name=op.f("ck_source_states_backfill")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_states_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_source_states")),
    )
    op.create_table(
        "document_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("seen_at", TS, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('revised', 'repealed', 'removed', 'restored')",
            name=op.f("ck_document_events_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_events_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_document_events_run_id_crawl_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_events")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("document_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_events_document_id"), ["document_id"], unique=False
        )

    zero = sa.text("0")
    with op.batch_alter_table("crawl_runs", schema=None, **KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("mode", sa.String(length=20), nullable=False, server_default="single")
        )
        for name in (
            "pages",
            "items_new",
            "items_changed",
            "items_unchanged",
            "skipped",
            "error_count",
            "bytes",
        ):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=zero))
        batch_op.add_column(sa.Column("duration_s", sa.Float(), nullable=True))
        batch_op.create_index("ix_crawl_runs_status", ["status"], unique=False)
        batch_op.drop_constraint(op.f("ck_crawl_runs_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_crawl_runs_status"), NEW_STATUSES)
        batch_op.create_check_constraint(
            op.f("ck_crawl_runs_mode"), "mode IN ('single', 'backfill', 'incremental')"
        )

    with op.batch_alter_table("documents", schema=None, **KEEP_IDS) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=20), nullable=False, server_default="current")
        )
        batch_op.add_column(sa.Column("state_seen_at", TS, nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_documents_state"), "state IN ('current', 'repealed', 'removed')"
        )

    with op.batch_alter_table("findings", schema=None, **KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("obsolete", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("obsolete_at", TS, nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_findings_obsolete"),
            "obsolete IS NULL OR obsolete IN ('revised', 'repealed', 'removed')",
        )

    # The models declare no server defaults: drop them again so both agree.
    with op.batch_alter_table("crawl_runs", schema=None, **KEEP_IDS) as batch_op:
        batch_op.alter_column("mode", server_default=None)
        for name in (
            "pages",
            "items_new",
            "items_changed",
            "items_unchanged",
            "skipped",
            "error_count",
            "bytes",
        ):
            batch_op.alter_column(name, server_default=None)
    with op.batch_alter_table("documents", schema=None, **KEEP_IDS) as batch_op:
        batch_op.alter_column("state", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None, **KEEP_IDS) as batch_op:
        batch_op.drop_constraint(op.f("ck_findings_obsolete"), type_="check")
        batch_op.drop_column("obsolete_at")
        batch_op.drop_column("obsolete")

    with op.batch_alter_table("documents", schema=None, **KEEP_IDS) as batch_op:
        batch_op.drop_constraint(op.f("ck_documents_state"), type_="check")
        batch_op.drop_column("state_seen_at")
        batch_op.drop_column("state")

    op.execute(
        "UPDATE crawl_runs SET status = 'failed' WHERE status IN ('interrupted', 'timed_out')"
    )
    with op.batch_alter_table("crawl_runs", schema=None, **KEEP_IDS) as batch_op:
        batch_op.drop_constraint(op.f("ck_crawl_runs_mode"), type_="check")
        batch_op.drop_constraint(op.f("ck_crawl_runs_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_crawl_runs_status"), OLD_STATUSES)
        batch_op.drop_index("ix_crawl_runs_status")
        for name in (
            "duration_s",
            "bytes",
            "error_count",
            "skipped",
            "items_unchanged",
            "items_changed",
            "items_new",
            "pages",
            "mode",
            "pid",
            "host",
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table("document_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_events_document_id"))
    op.drop_table("document_events")
    op.drop_table("source_states")
    op.drop_table("crawl_frontier")
    op.drop_table("service_leases")
    with op.batch_alter_table("operator_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_events_source_id"))
        batch_op.drop_index(batch_op.f("ix_operator_events_kind"))
    op.drop_table("operator_events")
