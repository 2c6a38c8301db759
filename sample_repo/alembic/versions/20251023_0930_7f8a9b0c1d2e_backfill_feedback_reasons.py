"""backfill feedback reasons and character descriptions (data only)

Revision ID: 7f8a9b0c1d2e
Revises: 6e7f8a9b0c1d
Create Date: 2025-10-23 09:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "7f8a9b0c1d2e"
down_revision: Union[str, Sequence[str], None] = "6e7f8a9b0c1d"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Data only: no schema change."""
    op.bulk_insert(
        sa.table("feedback_reasons", sa.column("code", sa.String), sa.column("label", sa.String)),
        [
            {"code": "too_long", "label": "Answer too long"},
            {"code": "other", "label": "Other"},
        ],
    )
    op.execute(sa.text("UPDATE feedback_reasons SET label = 'Helpful' WHERE code = 'helpful'"))
    op.execute(
        sa.text("UPDATE characters SET description = '' WHERE description IS NULL")
    )


def downgrade() -> None:
    """Data only: no schema change."""
    op.execute(sa.text("DELETE FROM feedback_reasons WHERE code IN ('too_long', 'other')"))
