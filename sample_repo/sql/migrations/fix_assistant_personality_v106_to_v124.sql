-- ============================================================================
-- Fix assistant personality: v1.0.6 -> v1.0.24
-- ============================================================================
-- Run ONCE on databases upgraded from v1.0.6. The assistant character lost its
-- archetype and description during the 1.0.6 JSON import.
--
--   psql -f sql/migrations/fix_assistant_personality_v106_to_v124.sql
-- ============================================================================

BEGIN;

CREATE TABLE IF NOT EXISTS personality_migration_log (
    id SERIAL PRIMARY KEY,
    character_name VARCHAR(100) NOT NULL,
    from_version VARCHAR(20) NOT NULL,
    to_version VARCHAR(20) NOT NULL,
    applied_at TIMESTAMPTZ DEFAULT NOW()
);

UPDATE characters
SET archetype = 'real-world',
    description = 'Lumen''s general-purpose assistant: helpful, concise, honest.',
    updated_at = NOW()
WHERE normalized_name = 'assistant'
  AND (archetype IS NULL OR description IS NULL);

UPDATE bot_deployments
SET config = config || '{"temperature": 0.5}'::jsonb
WHERE bot_name = 'assistant-bot';

INSERT INTO personality_migration_log (character_name, from_version, to_version)
VALUES ('assistant', '1.0.6', '1.0.24');

COMMIT;
