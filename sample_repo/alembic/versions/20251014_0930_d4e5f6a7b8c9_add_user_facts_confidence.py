"""add user_facts.confidence

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2025-10-14 09:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "d4e5f6a7b8c9"
down_revision: Union[str, Sequence[str], None] = "c3d4e5f6a7b8"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "user_facts",
        sa.Column("confidence", sa.Float(), nullable=False, server_default="0.5"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("user_facts") as batch_op:
        batch_op.drop_column("confidence")
