"""drop user_relationships

Revision ID: 0b1c2d3e4f5a
Revises: f6a7b8c9d0e1
Create Date: 2025-10-16 16:00:00.000000

Relationship state moved to relationship_scores (sql/00_init.sql).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0b1c2d3e4f5a"
down_revision: Union[str, Sequence[str], None] = "f6a7b8c9d0e1"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_table("user_relationships")


def downgrade() -> None:
    """Downgrade schema."""
    op.create_table(
        "user_relationships",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("character_id", sa.Integer(), sa.ForeignKey("characters.id"), nullable=False),
        sa.Column("relationship_type", sa.String(length=50), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="active"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
