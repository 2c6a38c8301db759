"""baseline: core users and CDL character tables

Revision ID: a1b2c3d4e5f6
Revises:
Create Date: 2025-10-11 09:00:00.000000

Baseline of the v1.0.6 schema. Everything older was created by hand.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "a1b2c3d4e5f6"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=255), nullable=False, unique=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_table(
        "characters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("normalized_name", sa.String(length=100), nullable=False, unique=True),
        sa.Column("occupation", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_table(
        "personality_traits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "character_id",
            sa.Integer(),
            sa.ForeignKey("characters.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("trait_name", sa.String(length=100), nullable=False),
        sa.Column("trait_value", sa.Float(), nullable=True),
        sa.Column("intensity", sa.String(length=20), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
    )
    op.create_table(
        "character_values",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "character_id",
            sa.Integer(),
            sa.ForeignKey("characters.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("value_key", sa.String(length=100), nullable=False),
        sa.Column("value_description", sa.Text(), nullable=True),
        sa.Column("importance", sa.String(length=20), server_default="medium"),
    )
    op.create_table(
        "character_question_templates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "character_id",
            sa.Integer(),
            sa.ForeignKey("characters.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("template_text", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), server_default="5"),
    )
    op.create_table(
        "character_entity_categories",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "character_id",
            sa.Integer(),
            sa.ForeignKey("characters.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("entity_keyword", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("confidence", sa.Float(), server_default="0.5"),
    )
    op.create_table(
        "user_relationships",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("character_id", sa.Integer(), sa.ForeignKey("characters.id"), nullable=False),
        sa.Column("relationship_type", sa.String(length=50), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="active"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_table(
        "user_facts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("fact_key", sa.String(length=100), nullable=False),
        sa.Column("fact_value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_table(
        "character_attributes_old",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("character_id", sa.Integer(), sa.ForeignKey("characters.id"), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("importance", sa.String(length=20), nullable=True),
    )
    op.create_index("ix_personality_traits_character_id", "personality_traits", ["character_id"])
    op.create_index("ix_user_facts_user_id", "user_facts", ["user_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_user_facts_user_id", table_name="user_facts")
    op.drop_index("ix_personality_traits_character_id", table_name="personality_traits")
    op.drop_table("character_attributes_old")
    op.drop_table("user_facts")
    op.drop_table("user_relationships")
    op.drop_table("character_entity_categories")
    op.drop_table("character_question_templates")
    op.drop_table("character_values")
    op.drop_table("personality_traits")
    op.drop_table("characters")
    op.drop_table("users")
