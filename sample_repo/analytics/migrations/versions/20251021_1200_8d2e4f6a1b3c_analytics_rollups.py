"""analytics rollups

Revision ID: 8d2e4f6a1b3c
Revises: 3f9a1c2b7d10
Create Date: 2025-10-21 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "8d2e4f6a1b3c"
down_revision: Union[str, Sequence[str], None] = "3f9a1c2b7d10"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "analytics_rollups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rollup_date", sa.Date(), nullable=False),
        sa.Column("character_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False, server_default="0"),
        sa.UniqueConstraint(
            "rollup_date", "character_id", "event_type", name="uq_analytics_rollups_key"
        ),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("analytics_rollups")
