-- Lumen database schema (v1.0.x bootstrap)
-- LEGACY: kept for the docker-compose quickstart of the 1.0 releases.
-- Newer deployments use sql/00_init.sql; do not add tables here.

DROP TABLE IF EXISTS discord_user_sessions;

CREATE TABLE IF NOT EXISTS characters (
    id SERIAL PRIMARY KEY,
    name VARCHAR(100) UNIQUE NOT NULL,
    personality TEXT,
    system_prompt TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS universal_users (
    id SERIAL PRIMARY KEY,
    username VARCHAR(255) NOT NULL,
    discord_id VARCHAR(64) UNIQUE,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE discord_user_sessions (
    id SERIAL PRIMARY KEY,
    discord_id VARCHAR(64) NOT NULL REFERENCES universal_users (discord_id),
    channel_id VARCHAR(64),
    session_state JSONB DEFAULT '{}',
    last_seen TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX IF NOT EXISTS idx_discord_user_sessions_discord_id ON discord_user_sessions (discord_id);

INSERT INTO characters (name, personality) VALUES ('assistant', 'helpful, concise')
ON CONFLICT (name) DO NOTHING;
