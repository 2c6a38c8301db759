-- Migration 001: per-user preferences (language, reply length, emoji usage)
-- Applies to databases initialised from sql/00_init.sql before v1.0.12.

ALTER TABLE universal_users
    ADD COLUMN IF NOT EXISTS preferences JSONB DEFAULT '{}'::jsonb;

COMMENT ON COLUMN universal_users.preferences IS 'Free-form user preferences set through the settings command';
