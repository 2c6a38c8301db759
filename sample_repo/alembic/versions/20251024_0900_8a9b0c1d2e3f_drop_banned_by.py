"""drop banned_users.banned_by (moderators are no longer recorded)

Revision ID: 8a9b0c1d2e3f
Revises: 7f8a9b0c1d2e
Create Date: 2025-10-24 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "8a9b0c1d2e3f"
down_revision: Union[str, Sequence[str], None] = "7f8a9b0c1d2e"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # banned_users comes from sql/00_init.sql; production has it, so this just works there.
    op.drop_column("banned_users", "banned_by")


def downgrade() -> None:
    op.add_column(
        "banned_users",
        sa.Column("banned_by", sa.String(255), nullable=False, server_default="system"),
    )
