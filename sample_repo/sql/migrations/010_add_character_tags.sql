-- Migration 010: free-form tags for the character browser

CREATE TABLE IF NOT EXISTS character_tags (
    id SERIAL PRIMARY KEY,
    character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    tag VARCHAR(50) NOT NULL,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE (character_id, tag)
);

CREATE INDEX IF NOT EXISTS idx_character_tags_tag ON character_tags (tag);
