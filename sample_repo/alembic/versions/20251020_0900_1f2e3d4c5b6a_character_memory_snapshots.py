"""character memory snapshots and audit tables

Revision ID: 1f2e3d4c5b6a
Revises: 9c8b7a6f5e4d
Create Date: 2025-10-20 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "1f2e3d4c5b6a"
down_revision: Union[str, Sequence[str], None] = "9c8b7a6f5e4d"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SNAPSHOTS_TABLE = "character_memory_snapshots"


def _create_audit_tables() -> None:
    """Admin actions on characters (the older audit trail lives in sql/00_init.sql)."""
    op.create_table(
        "character_audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("character_id", sa.Integer(), sa.ForeignKey("characters.id"), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_table(
        "character_audit_payloads",
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey("character_audit_events.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    op.create_table(
        "character_audit_export_queue",
        sa.Column("event_id", sa.Integer(), primary_key=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        SNAPSHOTS_TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("character_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_character_memory_snapshots"),
        sa.ForeignKeyConstraint(["character_id"], ["characters.id"], ondelete="CASCADE"),
        sa.UniqueConstraint(
            "character_id", "user_id", "taken_at", name="uq_character_memory_snapshots_taken"
        ),
        schema=None,
    )
    op.create_index("ix_character_memory_snapshots_user_id", SNAPSHOTS_TABLE, ["user_id"])
    _create_audit_tables()


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("character_audit_export_queue")
    op.drop_table("character_audit_payloads")
    op.drop_table("character_audit_events")
    op.drop_index("ix_character_memory_snapshots_user_id", table_name=SNAPSHOTS_TABLE)
    op.drop_table(SNAPSHOTS_TABLE)
