"""link feedback to the user fact it corrects

Revision ID: 5d6e7f8a9b0c
Revises: 4c5d6e7f8a9b
Create Date: 2025-10-22 15:00:00.000000

Needs user_facts.source (2a3b4c5d6e7f, on the main line), hence depends_on.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "5d6e7f8a9b0c"
down_revision: Union[str, Sequence[str], None] = "4c5d6e7f8a9b"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = "2a3b4c5d6e7f"


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("message_feedback", sa.Column("fact_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key(
            "fk_message_feedback_fact_id", "message_feedback", "user_facts", ["fact_id"], ["id"]
        )
    else:
        # SQLite cannot ALTER constraints: copy-and-move
        with op.batch_alter_table("message_feedback") as batch_op:
            batch_op.create_foreign_key(
                "fk_message_feedback_fact_id", "user_facts", ["fact_id"], ["id"]
            )
    op.get_bind().execute(
        sa.text(
            "UPDATE user_facts SET source = 'feedback' "
            "WHERE id IN (SELECT fact_id FROM message_feedback WHERE fact_id IS NOT NULL)"
        )
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("message_feedback") as batch_op:
        batch_op.drop_constraint("fk_message_feedback_fact_id", type_="foreignkey")
        batch_op.drop_column("fact_id")
