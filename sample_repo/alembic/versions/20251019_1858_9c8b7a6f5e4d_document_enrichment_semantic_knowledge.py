"""document enrichment semantic knowledge

Revision ID: 9c8b7a6f5e4d
Revises: 0b1c2d3e4f5a
Create Date: 2025-10-19 18:58:00.000000

Documentation-only revision. The enrichment worker's knowledge graph lives in three tables
that were created by sql/semantic_knowledge_graph_schema.sql, not by Alembic:

- fact_entities: one row per entity (person, place, food, hobby, ...)
- entity_relationships: weighted edges between fact_entities rows
- user_fact_relationships: which user said what about which entity

This revision records that they exist so the Alembic history matches production.
"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = "9c8b7a6f5e4d"
down_revision: Union[str, Sequence[str], None] = "0b1c2d3e4f5a"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """No schema change.

    fact_entities, entity_relationships and user_fact_relationships are created by
    ``psql -f sql/semantic_knowledge_graph_schema.sql``.
    """
    # Equivalent DDL, for reference only (see the SQL file for the real thing):
    #   CREATE TABLE fact_entities (id SERIAL PRIMARY KEY, entity_type VARCHAR(50), ...)
    #   CREATE TABLE entity_relationships (from_entity_id INTEGER REFERENCES fact_entities, ...)
    #   CREATE TABLE user_fact_relationships (user_id VARCHAR(255), entity_id INTEGER, ...)
    pass


def downgrade() -> None:
    """No schema change."""
    pass
