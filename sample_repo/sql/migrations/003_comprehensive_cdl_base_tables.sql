-- Migration 003: comprehensive CDL base tables
-- Moves character definitions out of JSON files into relational tables.

CREATE TABLE IF NOT EXISTS character_identity_details (
    id SERIAL PRIMARY KEY,
    character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    full_name VARCHAR(200),
    nickname VARCHAR(100),
    pronouns VARCHAR(50),
    age INTEGER,
    location VARCHAR(200)
);

CREATE TABLE IF NOT EXISTS character_speech_patterns (
    id SERIAL PRIMARY KEY,
    character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    pattern_type VARCHAR(50) NOT NULL,
    pattern_value TEXT NOT NULL,
    frequency VARCHAR(20) DEFAULT 'sometimes'
);

CREATE TABLE IF NOT EXISTS character_background (
    id SERIAL PRIMARY KEY,
    character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    category VARCHAR(50) NOT NULL,
    period VARCHAR(100),
    title VARCHAR(200),
    description TEXT,
    importance INTEGER DEFAULT 5
);

CREATE TABLE IF NOT EXISTS character_legacy_prompts (
    id SERIAL PRIMARY KEY,
    character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    version INTEGER NOT NULL DEFAULT 1,
    prompt_text TEXT NOT NULL,
    imported_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_character_speech_patterns_character ON character_speech_patterns (character_id);
CREATE INDEX IF NOT EXISTS idx_character_background_character ON character_background (character_id);

COMMENT ON TABLE character_legacy_prompts IS 'Raw system prompts from the JSON era; read-only, scheduled for removal';
