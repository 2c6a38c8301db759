"""merge the feedback branch

Revision ID: 6e7f8a9b0c1d
Revises: 3b4c5d6e7f8a, 5d6e7f8a9b0c
Create Date: 2025-10-23 08:00:00.000000

"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = "6e7f8a9b0c1d"
down_revision: Union[str, Sequence[str], None] = ("3b4c5d6e7f8a", "5d6e7f8a9b0c")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
