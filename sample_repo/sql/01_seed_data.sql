-- ============================================================================
-- Lumen seed data: default characters, abilities and bot deployments
-- ============================================================================
-- Run after 00_init.sql. Safe to re-run: every insert skips existing rows.

INSERT INTO public.characters (id, name, normalized_name, bot_name, archetype, description, is_active)
VALUES
    (5, 'Sophia Blake', 'sophia', 'sophia-bot', 'real-world', 'Marketing executive; direct, witty, ambitious.', true),
    (6, 'Jake Sterling', 'jake', 'jake-bot', 'real-world', 'Adventure photographer; relaxed, outdoorsy.', true),
    (7, 'Professor Ada', 'ada', 'ada-bot', 'real-world',
     'Database lecturer. Her first lesson is always: CREATE TABLE lessons (id int); then she asks why it needs a primary key.',
     true)
ON CONFLICT (id) DO NOTHING;

INSERT INTO public.character_abilities (id, character_id, ability_name, category, proficiency, description)
VALUES
    (1, 1, 'Marine ecology', 'professional', 9, 'Coral reef restoration and tide pool ecosystems'),
    (2, 1, 'Scuba diving', 'hobby', 8, 'PADI divemaster'),
    (3, 2, 'Machine learning', 'professional', 9, 'Alignment research and evaluation'),
    (4, 7, 'Relational databases', 'professional', 10, 'Normal forms, indexing, query planning')
ON CONFLICT (id) DO NOTHING;

INSERT INTO public.bot_deployments (id, character_id, bot_name, status, config)
VALUES
    (1, 1, 'elena-bot', 'running', '{"discord": true, "temperature": 0.7}'),
    (2, 2, 'marcus-bot', 'running', '{"discord": true, "temperature": 0.4}'),
    (3, 7, 'ada-bot', 'stopped', '{}')
ON CONFLICT (id) DO NOTHING;

INSERT INTO public.memory_manager_configs (id, manager_name, retention_days, max_entries)
VALUES (1, 'default', 365, 10000)
ON CONFLICT (id) DO NOTHING;
