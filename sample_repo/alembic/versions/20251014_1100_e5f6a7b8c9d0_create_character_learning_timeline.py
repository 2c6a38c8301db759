"""create character_learning_timeline

Revision ID: e5f6a7b8c9d0
Revises: c3d4e5f6a7b8
Create Date: 2025-10-14 11:00:00.000000

Written as raw SQL because it was first applied by hand on the production database.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "e5f6a7b8c9d0"
down_revision: Union[str, Sequence[str], None] = "c3d4e5f6a7b8"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    is_postgres = op.get_bind().dialect.name == "postgresql"
    id_type = "SERIAL" if is_postgres else "INTEGER"
    op.execute(
        f"""
        CREATE TABLE character_learning_timeline (
            id {id_type} PRIMARY KEY,
            character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
            learning_event TEXT NOT NULL,
            learning_type VARCHAR(50) NOT NULL,
            significance REAL DEFAULT 0.5,
            learned_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
        )
        """
    )
    if is_postgres:
        op.execute(
            "CREATE INDEX ix_character_learning_timeline_learned_at "
            "ON character_learning_timeline USING brin (learned_at)"
        )
    else:
        op.create_index(
            "ix_character_learning_timeline_learned_at",
            "character_learning_timeline",
            ["learned_at"],
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP INDEX IF EXISTS ix_character_learning_timeline_learned_at")
    op.execute("DROP TABLE character_learning_timeline")
