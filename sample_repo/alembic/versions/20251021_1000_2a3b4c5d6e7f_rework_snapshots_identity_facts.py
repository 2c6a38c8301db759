"""rework memory snapshots, character identity and user facts

Revision ID: 2a3b4c5d6e7f
Revises: 1f2e3d4c5b6a
Create Date: 2025-10-21 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "2a3b4c5d6e7f"
down_revision: Union[str, Sequence[str], None] = "1f2e3d4c5b6a"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("character_memory_snapshots") as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=50), nullable=True))
        batch_op.alter_column(
            "summary", new_column_name="summary_text", existing_type=sa.Text()
        )
        # nullability only: not a column add/drop/rename
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_column("token_count")
    op.alter_column("character_identity", "gender", new_column_name="pronouns")
    op.drop_column("characters", "occupation")
    op.add_column("user_facts", sa.Column("source", sa.String(length=50), nullable=True))
    op.execute(sa.text("UPDATE user_facts SET source = 'chat' WHERE source IS NULL"))
    op.drop_index("ix_user_facts_user_id", table_name="user_facts")
    op.create_index("ix_user_facts_user_id_fact_key", "user_facts", ["user_id", "fact_key"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_user_facts_user_id_fact_key", table_name="user_facts")
    op.create_index("ix_user_facts_user_id", "user_facts", ["user_id"])
    with op.batch_alter_table("user_facts") as batch_op:
        batch_op.drop_column("source")
    op.add_column("characters", sa.Column("occupation", sa.String(length=200), nullable=True))
    op.alter_column("character_identity", "pronouns", new_column_name="gender")
    with op.batch_alter_table("character_memory_snapshots") as batch_op:
        batch_op.add_column(sa.Column("token_count", sa.Integer(), nullable=True))
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "summary_text", new_column_name="summary", existing_type=sa.Text()
        )
        batch_op.drop_column("source")
