-- Migration 002: defaults for the generic assistant character

CREATE TABLE IF NOT EXISTS assistant_defaults (
    id SERIAL PRIMARY KEY,
    character_name VARCHAR(100) NOT NULL UNIQUE,
    greeting TEXT NOT NULL,
    system_prompt TEXT NOT NULL,
    created_at TIMESTAMPTZ DEFAULT NOW()
);

INSERT INTO assistant_defaults (character_name, greeting, system_prompt)
VALUES (
    'assistant',
    'Hi! I''m your Lumen assistant. How can I help?',
    'You are a helpful, concise assistant. Answer clearly and ask follow-up questions when needed.'
)
ON CONFLICT (character_name) DO NOTHING;
