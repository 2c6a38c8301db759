"""character moods and mood presets; memory/voice tables renamed; audit tables retired

Revision ID: 9b0c1d2e3f4a
Revises: 8a9b0c1d2e3f
Create Date: 2025-10-27 10:00:00.000000

The emotion engine has written CharacterMood rows since 1.0.20 against a table created by hand
on production; this revision makes it part of the schema. The table names come from the models
themselves, so renaming a model's table cannot leave this revision behind.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from app.models import CharacterMood, MoodPreset


# revision identifiers, used by Alembic.
revision: str = "9b0c1d2e3f4a"
down_revision: Union[str, Sequence[str], None] = "8a9b0c1d2e3f"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# issue #231: the memory and voice subsystems name their tables without the "character_" prefix
RENAMES = (
    ("character_memory_snapshots", "memory_snapshots"),
    ("character_voice_samples", "voice_samples"),
)

DEFAULT_PRESETS = [
    {"id": 1, "name": "calm", "valence": 0.3, "arousal": 0.2},
    {"id": 2, "name": "cheerful", "valence": 0.8, "arousal": 0.6},
    {"id": 3, "name": "melancholic", "valence": -0.5, "arousal": 0.3},
]


def _drop_fk(table: str, name: str) -> None:
    """Drop a named foreign key (batch mode: SQLite, used in tests, cannot ALTER constraints)."""
    with op.batch_alter_table(table) as batch_op:
        batch_op.drop_constraint(name, type_="foreignkey")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        CharacterMood.__tablename__,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "character_id",
            sa.Integer(),
            sa.ForeignKey("characters.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("mood", sa.String(length=50), nullable=False),
        sa.Column("intensity", sa.Float(), nullable=False, server_default="0.5"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    # MoodPreset has no __tablename__: SnakeCaseTableName names it "mood_preset"
    op.create_table(
        MoodPreset.__tablename__,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=50), nullable=False, unique=True),
        sa.Column("valence", sa.Float(), nullable=False),
        sa.Column("arousal", sa.Float(), nullable=False),
    )
    op.bulk_insert(MoodPreset.__table__, DEFAULT_PRESETS)
    for old, new in RENAMES:
        op.rename_table(old, new)
    # enrichment rewrites facts (delete + insert); feedback keeps fact_id as a soft reference
    _drop_fk("message_feedback", "fk_message_feedback_fact_id")
    # the audit trail is sql/00_init.sql's "AuditTrail" again; payloads first (foreign key)
    for table in ("character_audit_event_payloads", "character_audit_events"):
        op.drop_table(table)


def downgrade() -> None:
    """Downgrade schema."""
    op.create_table(
        "character_audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("character_id", sa.Integer(), sa.ForeignKey("characters.id"), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_table(
        "character_audit_event_payloads",
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey("character_audit_events.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    with op.batch_alter_table("message_feedback") as batch_op:
        batch_op.create_foreign_key(
            "fk_message_feedback_fact_id", "user_facts", ["fact_id"], ["id"]
        )
    for old, new in RENAMES:
        op.rename_table(new, old)
    op.drop_table(MoodPreset.__table__.name)
    op.drop_table(CharacterMood.__tablename__)
