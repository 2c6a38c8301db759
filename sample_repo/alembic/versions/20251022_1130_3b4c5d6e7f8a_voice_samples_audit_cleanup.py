"""voice samples and profiles, audit table clean-up

Revision ID: 3b4c5d6e7f8a
Revises: 2a3b4c5d6e7f
Create Date: 2025-10-22 11:30:00.000000

The audit export queue moved to the analytics database (analytics/alembic.ini).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "3b4c5d6e7f8a"
down_revision: Union[str, Sequence[str], None] = "2a3b4c5d6e7f"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute(
        """
        CREATE TABLE character_voice_samples (
            id INTEGER PRIMARY KEY,
            character_id INTEGER NOT NULL REFERENCES characters (id),
            sample_text TEXT NOT NULL,
            recorded_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
        )
        """
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_character_voice_samples_text ON character_voice_samples "
            "USING gin (to_tsvector('english', sample_text))"
        )
    op.rename_table("character_audit_payloads", "character_audit_event_payloads")
    op.drop_table("character_audit_export_queue")
    # Hand-patched servers may already have this table; the error is reported, then re-raised.
    try:
        op.create_table(
            "character_voice_profiles",
            sa.Column("character_id", sa.Integer(), sa.ForeignKey("characters.id"), primary_key=True),
            sa.Column("pitch", sa.Float(), nullable=True),
            sa.Column("speed", sa.Float(), nullable=True),
        )
    except sa.exc.DBAPIError as exc:
        print(f"character_voice_profiles not created: {exc}")
        raise


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("character_voice_profiles")
    op.create_table(
        "character_audit_export_queue",
        sa.Column("event_id", sa.Integer(), primary_key=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.rename_table("character_audit_event_payloads", "character_audit_payloads")
    op.execute("DROP INDEX IF EXISTS ix_character_voice_samples_text")
    op.execute("DROP TABLE character_voice_samples")
