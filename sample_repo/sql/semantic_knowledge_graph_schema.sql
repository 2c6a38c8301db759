-- ============================================================================
-- Lumen Semantic Knowledge Graph
-- ============================================================================
-- Entities mentioned in conversations (people, places, foods, hobbies), the
-- relationships between them, and which users care about which entities.
--
-- Apply with: psql -f sql/semantic_knowledge_graph_schema.sql
-- Requires: universal_users (sql/00_init.sql)
-- ============================================================================

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- ----------------------------------------------------------------------------
-- fact_entities: one row per distinct entity
-- ----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS fact_entities (
    id SERIAL PRIMARY KEY,
    entity_type VARCHAR(50) NOT NULL,
    entity_name TEXT NOT NULL,
    category VARCHAR(100),
    attributes JSONB DEFAULT '{}'::jsonb,
    search_vector TSVECTOR,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE (entity_type, entity_name)
);

CREATE INDEX IF NOT EXISTS idx_fact_entities_type ON fact_entities (entity_type);
CREATE INDEX IF NOT EXISTS idx_fact_entities_name_trgm ON fact_entities USING gin (entity_name gin_trgm_ops);
CREATE INDEX IF NOT EXISTS idx_fact_entities_search ON fact_entities USING gin (search_vector);

COMMENT ON TABLE fact_entities IS 'Entities extracted from conversations by the enrichment worker';

-- ----------------------------------------------------------------------------
-- entity_relationships: directed, weighted edges between entities
-- ----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS entity_relationships (
    id SERIAL PRIMARY KEY,
    from_entity_id INTEGER NOT NULL REFERENCES fact_entities (id) ON DELETE CASCADE,
    to_entity_id INTEGER NOT NULL REFERENCES fact_entities (id) ON DELETE CASCADE,
    relationship_type VARCHAR(50) NOT NULL,
    weight REAL DEFAULT 0.5,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE (from_entity_id, to_entity_id, relationship_type)
);

CREATE INDEX IF NOT EXISTS idx_entity_relationships_from ON entity_relationships (from_entity_id);
CREATE INDEX IF NOT EXISTS idx_entity_relationships_to ON entity_relationships (to_entity_id);

COMMENT ON TABLE entity_relationships IS 'Graph edges: similar_to, part_of, opposite_of, ...';

-- ----------------------------------------------------------------------------
-- user_fact_relationships: what a user told a character about an entity
-- ----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS user_fact_relationships (
    id SERIAL PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL REFERENCES universal_users (universal_id) ON DELETE CASCADE,
    entity_id INTEGER NOT NULL REFERENCES fact_entities (id) ON DELETE CASCADE,
    relationship_type VARCHAR(50) NOT NULL,
    confidence REAL DEFAULT 0.5 CHECK (confidence >= 0 AND confidence <= 1),
    emotional_context VARCHAR(50),
    mentioned_by_character VARCHAR(100),
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE (user_id, entity_id, relationship_type)
);

CREATE INDEX IF NOT EXISTS idx_user_fact_relationships_user ON user_fact_relationships (user_id);

COMMENT ON TABLE user_fact_relationships IS 'User <-> entity facts (likes, dislikes, owns, visited)';
COMMENT ON COLUMN user_fact_relationships.mentioned_by_character IS 'Bot that heard the fact first';

-- ----------------------------------------------------------------------------
-- Keep fact_entities.search_vector current
-- ----------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION update_fact_entities_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := to_tsvector('english', coalesce(NEW.entity_name, '') || ' ' || coalesce(NEW.category, ''));
    NEW.updated_at := NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trg_fact_entities_search_vector ON fact_entities;
CREATE TRIGGER trg_fact_entities_search_vector
    BEFORE INSERT OR UPDATE ON fact_entities
    FOR EACH ROW EXECUTE FUNCTION update_fact_entities_search_vector();
