"""rollup runs, session id on events

Revision ID: c5b7a9e1d3f2
Revises: 8d2e4f6a1b3c
Create Date: 2025-10-22 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "c5b7a9e1d3f2"
down_revision: Union[str, Sequence[str], None] = "8d2e4f6a1b3c"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("analytics_events", sa.Column("session_id", sa.String(length=64), nullable=True))
    op.create_table(
        "analytics_rollup_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_written", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("analytics_rollup_runs")
    with op.batch_alter_table("analytics_events") as batch_op:
        batch_op.drop_column("session_id")
