"""Text from images and video: media_parts (each image, video, caption or live-room file of
a version, with its OCR/caption lines or the reason it could not be read), the `media`
stage, and each finding's location (image box or time range).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
KEEP_IDS = {"table_kwargs": {"sqlite_autoincrement": True}}
OLD_STAGES = "stage IN ('analysis', 'index')"
NEW_STAGES = "stage IN ('analysis', 'index', 'media')"


def upgrade() -> None:
    op.create_table(
        "media_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=True),
        sa.Column("engine", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint(
            "media_type IN ('image', 'video', 'captions', 'live')",
            name=op.f("ck_media_parts_media_type"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'done', 'failed')", name=op.f("ck_media_parts_status")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name=op.f("fk_media_parts_version_id_document_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_parts")),
        sa.UniqueConstraint(
            "version_id", "position", name=op.f("uq_media_parts_version_id_position")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("findings", schema=None, **KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("location", sa.JSON(), nullable=True))
    with op.batch_alter_table("stage_states", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_stage_states_stage"), type_="check")
        batch_op.create_check_constraint(op.f("ck_stage_states_stage"), NEW_STAGES)
    # Versions stored before had no media to read: their media stage is done.
    op.execute(
        "INSERT INTO stage_states (version_id, stage, status, attempts, updated_at) "
        "SELECT id, 'media', 'done', 0, created_at FROM document_versions"
    )


def downgrade() -> None:
    op.execute("DELETE FROM stage_states WHERE stage = 'media'")
    with op.batch_alter_table("stage_states", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_stage_states_stage"), type_="check")
        batch_op.create_check_constraint(op.f("ck_stage_states_stage"), OLD_STAGES)
    with op.batch_alter_table("findings", schema=None, **KEEP_IDS) as batch_op:
        batch_op.drop_column("location")
    op.drop_table("media_parts")
