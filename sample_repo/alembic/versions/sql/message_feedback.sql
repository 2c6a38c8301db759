-- Thumbs up/down on assistant messages.
-- Read and executed by 20251020_1400_4c5d6e7f8a9b_feedback_tables.py (one statement).

CREATE TABLE message_feedback (
    id INTEGER PRIMARY KEY,
    conversation_entry_id INTEGER NOT NULL,
    character_id INTEGER NOT NULL REFERENCES characters (id),
    rating SMALLINT NOT NULL,
    reason_code VARCHAR(30) REFERENCES feedback_reasons (code),
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT ck_message_feedback_rating CHECK (rating IN (-1, 1))
);
