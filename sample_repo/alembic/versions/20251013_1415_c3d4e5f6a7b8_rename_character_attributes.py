"""rename character_attributes_old to character_attributes

Revision ID: c3d4e5f6a7b8
Revises: b7c8d9e0f1a2
Create Date: 2025-10-13 14:15:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "c3d4e5f6a7b8"
down_revision: Union[str, Sequence[str], None] = "b7c8d9e0f1a2"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.rename_table("character_attributes_old", "character_attributes")


def downgrade() -> None:
    """Downgrade schema."""
    op.rename_table("character_attributes", "character_attributes_old")
