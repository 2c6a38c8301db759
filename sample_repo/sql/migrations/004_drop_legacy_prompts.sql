-- Migration 004: finish the CDL v2 cut-over
-- Every character now renders its prompt from CDL tables; the JSON-era prompts are gone.

DROP TABLE IF EXISTS character_legacy_prompts;

-- "speech patterns" became "voice traits" in CDL v2
ALTER TABLE character_speech_patterns RENAME TO character_voice_traits;

ALTER INDEX IF EXISTS idx_character_speech_patterns_character RENAME TO idx_character_voice_traits_character;
