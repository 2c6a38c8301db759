"""feedback tables (start of the "feedback" branch)

Revision ID: 4c5d6e7f8a9b
Revises: 1f2e3d4c5b6a
Create Date: 2025-10-20 14:00:00.000000

message_feedback is written in plain SQL (sql/message_feedback.sql) so the DBA can review it.
"""
from pathlib import Path
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "4c5d6e7f8a9b"
down_revision: Union[str, Sequence[str], None] = "1f2e3d4c5b6a"
branch_labels: Union[str, Sequence[str], None] = ("feedback",)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "feedback_reasons",
        sa.Column("code", sa.String(length=30), primary_key=True),
        sa.Column("label", sa.String(length=100), nullable=False),
    )
    op.bulk_insert(
        sa.table("feedback_reasons", sa.column("code", sa.String), sa.column("label", sa.String)),
        [
            {"code": "helpful", "label": "Helpful answer"},
            {"code": "off_character", "label": "Out of character"},
            {"code": "wrong_fact", "label": "Remembered something wrong"},
        ],
    )
    op.execute((Path(__file__).parent / "sql" / "message_feedback.sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("message_feedback")
    op.drop_table("feedback_reasons")
