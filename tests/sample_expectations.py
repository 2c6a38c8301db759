"""Hand-written ground truth for ``sample_repo/`` (the "lumen" service).

Tests compare tabletrace's output on ``sample_repo/`` against these constants. Nothing here is
computed: every entry was written by reading the sample sources, checked with ``grep -n`` and
cross-checked with a throwaway sqlglot/LibCST script (not kept).
If you edit a file under ``sample_repo/``, re-check every line number that follows the edit.

Conventions
-----------
* Paths are relative to ``sample_repo/`` and ``/``-separated.
* Tables are ``"schema.name"``; the default schema is ``public``; unquoted names are lower-cased;
  a quoted mixed-case name keeps its quotes: ``public."AuditTrail"`` (a different table from
  ``public.audittrail``, which must never appear).
* Lines are 1-based. A use's line is the line where the table NAME is in the source text: for a
  triple-quoted string, the line of the ``FROM t`` / ``JOIN t`` / ``INTO t`` token; for a name
  that comes from an interpolated constant or variable (``{_TABLE}``, ``{self.TABLE}``,
  ``{t.BANNED_USERS}``, ``% (TABLE, ...)``, ``.format(table=TABLE)``), the line of that hole or
  argument in the using module, never the line of the constant itself.
* Kinds: ``read`` (FROM/JOIN/USING/sub-query sources), ``write`` (target of INSERT, UPDATE,
  DELETE, TRUNCATE, ``COPY ... FROM``), ``ddl`` (CREATE/DROP/ALTER/CREATE INDEX ... ON).
  The target of an UPDATE/DELETE/INSERT is ``write`` only, even when its WHERE or SET reads it;
  it is also ``read`` only when the table appears again as a source (FROM/JOIN/sub-query).
  ``INSERT ... ON CONFLICT DO UPDATE`` is ``write``; ``EXCLUDED`` is not a table.
* One statement naming the same table with the same kind on the same line counts once; the same
  table on two different lines gives two entries.
* Query constants (a module-level ``NAME = "<SQL>"``) are uses where they are DEFINED (lines of
  the table names inside the string) AND at each site that passes the constant to a sink
  (``execute``/``fetch*``/``copy_expert``/``text``): there the line is the line of the name
  argument. A table-name constant (``MEMORY_TABLE = "memory_entries"``) is not a use by itself.
  A function-local variable holding SQL would count only where the literal is (the sample has
  none; local variables here only hold table names).
* Application code = every ``.py`` file except ``tests/``, the Alembic script locations named by
  an ``alembic.ini`` (``alembic/`` and ``analytics/migrations/``: revisions and env.py), and the
  configured exclude ``scripts/scratch/**``. ``scripts/`` itself IS
  application code. ``USES`` lists raw-SQL uses only; uses through ORM models and Table
  objects are in ``ORM_USES`` (see the ORM section at the end).
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# USES: (path, line, table, kind)
# ---------------------------------------------------------------------------------------------
USES: set[tuple[str, int, str, str]] = {
    # --- app/services/report_service.py: a query constant (lines 6, 7) executed on line 12;
    # monthly_reports' only CREATE is broken (BROKEN_DEFINITIONS), so it is used, not created
    ("app/services/report_service.py", 6, "public.monthly_reports", "read"),
    ("app/services/report_service.py", 7, "public.report_lines", "read"),
    ("app/services/report_service.py", 12, "public.monthly_reports", "read"),
    ("app/services/report_service.py", 12, "public.report_lines", "read"),
    # --- app/plugins/store.py: tables of the plugin store's migration module
    ("app/plugins/store.py", 5, "public.plugin_summary", "read"),
    ("app/plugins/store.py", 10, "public.plugin_state", "write"),
    # --- app/db/queries.py: query constants, uses where defined --------------------------------
    ("app/db/queries.py", 8, "public.universal_users", "read"),  # GET_UNIVERSAL_USER
    # public.universal_users == universal_users
    ("app/db/queries.py", 14, "public.universal_users", "read"),
    ("app/db/queries.py", 15, "public.platform_identities", "read"),  # alias "pi" is not a table
    # implicit concatenation, 2nd piece
    ("app/db/queries.py", 21, "public.platform_identities", "read"),
    ("app/db/queries.py", 26, "public.universal_users", "write"),  # TOUCH_LAST_ACTIVE
    # COUNT_ACTIVE_CHARACTERS: never executed, still a use
    ("app/db/queries.py", 28, "public.characters", "read"),
    ("app/db/queries.py", 32, "public.fact_entities", "read"),  # LIST_PENDING_FACT_ENTITIES
    ("app/db/queries.py", 33, "public.user_fact_relationships", "read"),
    # --- app/db/bootstrap.py: runtime DDL -----------------------------------------------------
    # CREATE TABLE IF NOT EXISTS (also in 00_init.sql)
    ("app/db/bootstrap.py", 20, "public.conversation_entries", "ddl"),
    # ALTER TABLE IF EXISTS ... RENAME TO
    ("app/db/bootstrap.py", 32, "public.character_cache", "ddl"),
    ("app/db/bootstrap.py", 32, "public.character_runtime_cache", "ddl"),
    ("app/db/bootstrap.py", 35, "public.character_runtime_cache", "ddl"),  # created only at runtime
    # CREATE INDEX ... ON (use, not a definition)
    ("app/db/bootstrap.py", 44, "public.character_runtime_cache", "ddl"),
    # --- app/db/maintenance.py ------------------------------------------------------------------
    # line 15: f"DELETE FROM {table_name}" -> DYNAMIC_TABLE_NAMES, no use
    # lines 24-25: "DO $$ ... DELETE FROM conversation_entries ... $$" does not parse: it gives a
    #   "sql-unparsed" diagnostic (EXPECTED_DIAGNOSTIC_FILES) AND the token-scan fallback still
    #   finds the DELETE target (low confidence): unparsed never means "uses no table".
    ("app/db/maintenance.py", 25, "public.conversation_entries", "write"),
    # line 39: f"TRUNCATE TABLE {self._qualified(name)}" -> DYNAMIC_TABLE_NAMES, no use
    # --- app/characters/repository.py -----------------------------------------------------------
    # 2nd piece of an implicit concatenation
    ("app/characters/repository.py", 40, "public.characters", "read"),
    ("app/characters/repository.py", 47, "public.characters", "read"),  # asyncpg fetch with $1
    # triple-quoted, JOINs on separate lines
    ("app/characters/repository.py", 56, "public.characters", "read"),
    ("app/characters/repository.py", 57, "public.bot_deployments", "read"),
    # "LEFT JOIN character_abilities a" then ON on the next line
    ("app/characters/repository.py", 58, "public.character_abilities", "read"),
    ("app/characters/repository.py", 81, "public.characters", "write"),
    ("app/characters/repository.py", 96, "public.characters", "write"),
    # --- app/characters/cdl.py ------------------------------------------------------------------
    ("app/characters/cdl.py", 33, "public.characters", "read"),
    ("app/characters/cdl.py", 34, "public.character_identity", "read"),  # Alembic-only table
    ("app/characters/cdl.py", 45, "public.personality_traits", "read"),  # Alembic-only table
    ("app/characters/cdl.py", 54, "public.character_values", "read"),  # Alembic-only table
    ("app/characters/cdl.py", 60, "public.character_attributes", "read"),  # Alembic rename target
    ("app/characters/cdl.py", 68, "public.character_relationships", "read"),
    # Alembic-only table
    ("app/characters/cdl.py", 88, "public.character_question_templates", "read"),
    # created by NO source at all
    ("app/characters/cdl.py", 89, "public.character_question_answers", "read"),
    # Alembic-only table
    ("app/characters/cdl.py", 102, "public.character_entity_categories", "read"),
    # --- app/characters/emotions.py --------------------------------------------------------------
    # f"SELECT {_TRIGGER_COLUMNS} FROM ..." : the hole is a column list, the table is literal
    ("app/characters/emotions.py", 22, "public.character_emotional_triggers_v2", "read"),
    # --- app/characters/learning.py --------------------------------------------------------------
    ("app/characters/learning.py", 33, "public.character_insights", "write"),
    # Alembic-only (op.execute)
    ("app/characters/learning.py", 42, "public.character_learning_timeline", "write"),
    ("app/characters/learning.py", 55, "public.character_insights", "read"),
    # "..." + str(int(character_id)): value hole
    ("app/characters/learning.py", 68, "public.character_abilities", "read"),
    ("app/characters/learning.py", 78, "public.character_trait_relationships", "read"),
    # SELECT ... FOR UPDATE is a read
    ("app/characters/learning.py", 93, "public.personality_traits", "read"),
    ("app/characters/learning.py", 99, "public.personality_traits", "write"),
    ("app/characters/learning.py", 106, "public.personality_evolution_timeline", "write"),
    # --- app/characters/legacy_prompts.py --------------------------------------------------------
    # dropped by sql/migrations/004
    ("app/characters/legacy_prompts.py", 18, "public.character_legacy_prompts", "read"),
    # old name, renamed in 004
    ("app/characters/legacy_prompts.py", 30, "public.character_speech_patterns", "read"),
    # --- app/characters/cache.py -----------------------------------------------------------------
    ("app/characters/cache.py", 23, "public.character_runtime_cache", "read"),
    # ON CONFLICT DO UPDATE
    ("app/characters/cache.py", 34, "public.character_runtime_cache", "write"),
    ("app/characters/cache.py", 45, "public.character_runtime_cache", "write"),
    # --- app/memory/store.py: _TABLE: Final = "memory_entries" (same-module constant) -------------
    # line of "{_TABLE}" inside the f-string
    ("app/memory/store.py", 47, "public.memory_entries", "write"),
    ("app/memory/store.py", 67, "public.memory_entries", "read"),
    ("app/memory/store.py", 78, "public.memory_entries", "write"),
    # --- app/memory/conversations.py -------------------------------------------------------------
    ("app/memory/conversations.py", 27, "public.conversations", "write"),
    # sink of queries.TOUCH_LAST_ACTIVE
    ("app/memory/conversations.py", 34, "public.universal_users", "write"),
    ("app/memory/conversations.py", 43, "public.conversation_entries", "write"),
    ("app/memory/conversations.py", 51, "public.conversations", "write"),
    ("app/memory/conversations.py", 59, "public.conversation_entries", "read"),
    ("app/memory/conversations.py", 60, "public.conversations", "read"),
    # inside CTE "recent"; "recent" is not a table
    ("app/memory/conversations.py", 78, "public.conversations", "read"),
    ("app/memory/conversations.py", 85, "public.universal_users", "read"),
    # f-string with a VALUE hole
    ("app/memory/conversations.py", 97, "public.conversation_entries", "read"),
    ("app/memory/conversations.py", 98, "public.conversations", "read"),
    # --- app/memory/importer.py (psycopg2) --------------------------------------------------------
    # CREATE TABLE IF NOT EXISTS
    ("app/memory/importer.py", 39, "public.memory_import_staging", "ddl"),
    ("app/memory/importer.py", 48, "public.memory_import_staging", "write"),  # TRUNCATE
    # copy_expert("COPY ... FROM STDIN")
    ("app/memory/importer.py", 50, "public.memory_import_staging", "write"),
    ("app/memory/importer.py", 56, "public.memory_entries", "write"),  # INSERT ... SELECT
    ("app/memory/importer.py", 58, "public.memory_import_staging", "read"),
    ("app/memory/importer.py", 59, "public.universal_users", "read"),
    ("app/memory/importer.py", 63, "public.memory_import_staging", "ddl"),  # DROP TABLE IF EXISTS
    # --- app/users/identity.py -------------------------------------------------------------------
    # fetchrow(\n GET_UNIVERSAL_USER, ...): argument line
    ("app/users/identity.py", 30, "public.universal_users", "read"),
    # queries.LIST_PLATFORM_IDENTITIES
    ("app/users/identity.py", 37, "public.platform_identities", "read"),
    # queries.GET_UNIVERSAL_USER_BY_PLATFORM
    ("app/users/identity.py", 45, "public.universal_users", "read"),
    ("app/users/identity.py", 45, "public.platform_identities", "read"),
    ("app/users/identity.py", 47, "public.universal_users", "write"),  # queries.TOUCH_LAST_ACTIVE
    # INSERT INTO public.universal_users
    ("app/users/identity.py", 53, "public.universal_users", "write"),
    ("app/users/identity.py", 59, "public.platform_identities", "write"),
    ("app/users/identity.py", 72, "public.universal_users", "write"),
    # --- app/users/profiles.py (psycopg2 %s and %(name)s) ---------------------------------------
    ("app/users/profiles.py", 27, "public.user_profiles", "read"),
    ("app/users/profiles.py", 41, "public.user_profiles", "write"),
    # --- app/users/relationships.py: RELATIONSHIP_SCORES_TABLE imported from app.db.tables -------
    ("app/users/relationships.py", 26, "public.relationship_scores", "read"),
    # INSERT INTO {..} AS rs: "rs" is an alias
    ("app/users/relationships.py", 39, "public.relationship_scores", "write"),
    # dropped by Alembic 0b1c2d3e4f5a
    ("app/users/relationships.py", 55, "public.user_relationships", "read"),
    # --- app/users/facts.py: sqlalchemy text() with :name ----------------------------------------
    ("app/users/facts.py", 21, "public.user_facts", "read"),
    ("app/users/facts.py", 32, "public.user_facts", "write"),
    # --- app/roleplay/transactions.py -------------------------------------------------------------
    # {self.TABLE}, class attribute
    ("app/roleplay/transactions.py", 28, "public.roleplay_transactions", "write"),
    # {self.TABLE} in a triple-quoted f-string
    ("app/roleplay/transactions.py", 40, "public.roleplay_transactions", "read"),
    ("app/roleplay/transactions.py", 50, "public.roleplay_transactions", "write"),
    # {table}, function-local variable
    ("app/roleplay/transactions.py", 60, "public.role_transactions", "read"),
    # --- app/platform/moderation.py: `from app.db import tables as t` -----------------------------
    # {t.BANNED_USERS} inside EXISTS (...)
    ("app/platform/moderation.py", 19, "public.banned_users", "read"),
    ("app/platform/moderation.py", 35, "public.banned_users", "write"),
    ("app/platform/moderation.py", 48, "public.banned_users", "write"),
    # --- app/platform/deployments.py -------------------------------------------------------------
    # .format(\n table=BOT_DEPLOYMENTS): argument line
    ("app/platform/deployments.py", 28, "public.bot_deployments", "read"),
    ("app/platform/deployments.py", 39, "public.bot_deployments", "write"),
    # --- app/knowledge/graph.py ------------------------------------------------------------------
    # recursive CTE "related" is not a table
    ("app/knowledge/graph.py", 29, "public.entity_relationships", "read"),
    # same table, another line
    ("app/knowledge/graph.py", 33, "public.entity_relationships", "read"),
    ("app/knowledge/graph.py", 39, "public.fact_entities", "read"),
    ("app/knowledge/graph.py", 53, "public.user_fact_relationships", "read"),
    ("app/knowledge/graph.py", 53, "public.fact_entities", "read"),
    ("app/knowledge/graph.py", 65, "public.fact_entities", "write"),
    # --- app/enrichment/worker.py: `from ..db.queries import LIST_PENDING_FACT_ENTITIES` ----------
    # sink of the relatively imported constant
    ("app/enrichment/worker.py", 34, "public.fact_entities", "read"),
    ("app/enrichment/worker.py", 34, "public.user_fact_relationships", "read"),
    # INSERT ... SELECT
    ("app/enrichment/worker.py", 46, "public.user_fact_relationships", "write"),
    ("app/enrichment/worker.py", 48, "public.memory_entries", "read"),
    ("app/enrichment/worker.py", 49, "public.fact_entities", "read"),
    # --- app/admin/audit.py: quoted mixed-case table ---------------------------------------------
    ("app/admin/audit.py", 16, 'public."AuditTrail"', "write"),
    ("app/admin/audit.py", 28, 'public."AuditTrail"', "read"),
    # --- app/admin/dashboard.py: a view and a materialized view (defined in 00_init.sql) ---------
    ("app/admin/dashboard.py", 17, "public.active_conversations", "read"),
    # "..." + "FROM ..." + "..."
    ("app/admin/dashboard.py", 20, "public.character_engagement_summary", "read"),
    # --- app/jobs/analytics.py -------------------------------------------------------------------
    # "DELETE FROM %s ..." % (CONST, value): line of the % operand
    ("app/jobs/analytics.py", 20, "analytics.daily_character_stats", "write"),
    # INSERT ... SELECT, schema-qualified
    ("app/jobs/analytics.py", 24, "analytics.daily_character_stats", "write"),
    ("app/jobs/analytics.py", 26, "public.conversations", "read"),
    ("app/jobs/analytics.py", 27, "public.conversation_entries", "read"),
    ("app/jobs/analytics.py", 40, "analytics.daily_character_stats", "read"),
    # --- app/jobs/cleanup.py ---------------------------------------------------------------------
    ("app/jobs/cleanup.py", 21, "public.memory_entries", "write"),  # DELETE ... USING
    # purge_older_than(conn, "memory_entries", ...): the helper's DELETE, at the call site
    ("app/jobs/cleanup.py", 51, "public.memory_entries", "write"),
    ("app/jobs/cleanup.py", 22, "public.characters", "read"),
    # UPDATE ... FROM (sub-query)
    ("app/jobs/cleanup.py", 35, "public.relationship_scores", "write"),
    ("app/jobs/cleanup.py", 39, "public.conversations", "read"),
    ("app/jobs/cleanup.py", 40, "public.conversation_entries", "read"),
    # --- app/jobs/rollups.py: tables created only by the analytics Alembic environment --------
    ("app/jobs/rollups.py", 14, "public.analytics_events", "write"),
    ("app/jobs/rollups.py", 26, "public.analytics_rollups", "read"),
    # --- scripts/backfill_platform_identities.py (app code: only scripts/scratch is excluded)
    ("scripts/backfill_platform_identities.py", 27, "public.platform_identities", "write"),
    ("scripts/backfill_platform_identities.py", 29, "public.universal_users", "read"),
    # same table read in NOT EXISTS
    ("scripts/backfill_platform_identities.py", 31, "public.platform_identities", "read"),
}

# ---------------------------------------------------------------------------------------------
# DYNAMIC_TABLE_NAMES: (path, line, hole expression source) - reported, never guessed
# ---------------------------------------------------------------------------------------------
DYNAMIC_TABLE_NAMES: set[tuple[str, int, str]] = {
    # `self._qualified(name)` returns f"{self._schema}.{name}": the parts it cannot know
    ("app/db/maintenance.py", 39, "self._schema"),  # StagingArea(schema) at run time
    ("app/db/maintenance.py", 39, "name"),  # reset()'s parameter; no caller in the sample
}

# ---------------------------------------------------------------------------------------------
# SQL_DEFINITIONS: (path, line, table, operation) for every .sql file that is read.
# operation: create | drop | rename_from | rename_to | alter (ADD/DROP/RENAME COLUMN only).
# NOT definitions: CREATE INDEX, CREATE SEQUENCE, ALTER SEQUENCE ... OWNED BY, ALTER TABLE ...
# OWNER TO, ALTER TABLE ONLY ... ADD CONSTRAINT / ALTER COLUMN ... SET DEFAULT / ALTER COLUMN
# ... ADD GENERATED ... AS IDENTITY (00_init.sql:423), DROP CONSTRAINT, COMMENT ON, CREATE
# TRIGGER, CREATE FUNCTION (bodies contain semicolons and an INSERT), ALTER INDEX ... RENAME TO
# (004:9 renames an INDEX), COPY data (00_init.sql:606 contains the text "DROP TABLE users;"),
# INSERT rows (01_seed_data.sql:11 contains the text "CREATE TABLE lessons (id int);"),
# DROP TRIGGER ... ON fact_entities (semantic_knowledge_graph_schema.sql:84), COMMENT ON COLUMN.
# sql/migrations/007_character_configurations.sql.backup is not a .sql file: ignored entirely.
# ---------------------------------------------------------------------------------------------
SQL_DEFINITIONS: set[tuple[str, int, str, str]] = {
    # sql/reporting/monthly_reports.sql starts with a Python docstring: PostgreSQL reads it and
    # the first CREATE as one statement and rejects it, so line 5 is "broken", not "create"
    ("sql/reporting/monthly_reports.sql", 5, "public.monthly_reports", "broken"),
    ("sql/reporting/monthly_reports.sql", 11, "public.report_lines", "create"),
    # sql/00_init.sql (pg_dump 17 style)
    ("sql/00_init.sql", 91, 'public."AuditTrail"', "create"),
    ("sql/00_init.sql", 131, "analytics.daily_character_stats", "create"),
    ("sql/00_init.sql", 146, "public.banned_users", "create"),
    ("sql/00_init.sql", 177, "public.bot_deployments", "create"),
    ("sql/00_init.sql", 193, "public.character_abilities", "create"),
    ("sql/00_init.sql", 209, "public.character_emotional_triggers_v2", "create"),
    ("sql/00_init.sql", 225, "public.character_insights", "create"),
    ("sql/00_init.sql", 241, "public.character_optimizer_configs", "create"),
    ("sql/00_init.sql", 257, "public.character_relationships", "create"),
    ("sql/00_init.sql", 274, "public.character_trait_relationships", "create"),
    ("sql/00_init.sql", 289, "public.characters", "create"),
    ("sql/00_init.sql", 329, "public.conversation_entries", "create"),
    ("sql/00_init.sql", 345, "public.conversations", "create"),
    ("sql/00_init.sql", 375, "public.active_conversations", "create"),  # CREATE VIEW
    # CREATE MATERIALIZED VIEW ... WITH NO DATA
    ("sql/00_init.sql", 391, "public.character_engagement_summary", "create"),
    ("sql/00_init.sql", 409, "public.memory_entries", "create"),
    ("sql/00_init.sql", 437, "public.memory_manager_configs", "create"),
    ("sql/00_init.sql", 452, "public.personality_evolution_timeline", "create"),
    ("sql/00_init.sql", 469, "public.platform_identities", "create"),
    ("sql/00_init.sql", 485, "public.relationship_scores", "create"),
    ("sql/00_init.sql", 502, "public.role_transactions", "create"),
    ("sql/00_init.sql", 518, "public.roleplay_transactions", "create"),
    ("sql/00_init.sql", 543, "public.universal_users", "create"),
    ("sql/00_init.sql", 559, "public.user_profiles", "create"),
    # sql/01_seed_data.sql: INSERTs only, no definitions
    # sql/init_schema.sql (legacy)
    ("sql/init_schema.sql", 5, "public.discord_user_sessions", "drop"),  # DROP before CREATE
    ("sql/init_schema.sql", 7, "public.characters", "create"),
    ("sql/init_schema.sql", 15, "public.universal_users", "create"),
    ("sql/init_schema.sql", 22, "public.discord_user_sessions", "create"),
    # sql/semantic_knowledge_graph_schema.sql
    ("sql/semantic_knowledge_graph_schema.sql", 16, "public.fact_entities", "create"),
    ("sql/semantic_knowledge_graph_schema.sql", 37, "public.entity_relationships", "create"),
    ("sql/semantic_knowledge_graph_schema.sql", 55, "public.user_fact_relationships", "create"),
    # sql/migrations/
    # ADD COLUMN on line 5; table name on line 4
    ("sql/migrations/001_add_preferences_column.sql", 4, "public.universal_users", "alter"),
    ("sql/migrations/002_create_default_assistant.sql", 3, "public.assistant_defaults", "create"),
    (
        "sql/migrations/003_comprehensive_cdl_base_tables.sql",
        4,
        "public.character_identity_details",
        "create",
    ),
    (
        "sql/migrations/003_comprehensive_cdl_base_tables.sql",
        14,
        "public.character_speech_patterns",
        "create",
    ),
    (
        "sql/migrations/003_comprehensive_cdl_base_tables.sql",
        22,
        "public.character_background",
        "create",
    ),
    (
        "sql/migrations/003_comprehensive_cdl_base_tables.sql",
        32,
        "public.character_legacy_prompts",
        "create",
    ),
    ("sql/migrations/004_drop_legacy_prompts.sql", 4, "public.character_legacy_prompts", "drop"),
    (
        "sql/migrations/004_drop_legacy_prompts.sql",
        7,
        "public.character_speech_patterns",
        "rename_from",
    ),
    ("sql/migrations/004_drop_legacy_prompts.sql", 7, "public.character_voice_traits", "rename_to"),
    ("sql/migrations/010_add_character_tags.sql", 3, "public.character_tags", "create"),
    (
        "sql/migrations/fix_assistant_personality_v106_to_v124.sql",
        12,
        "public.personality_migration_log",
        "create",
    ),
}

# ---------------------------------------------------------------------------------------------
# RUNTIME_DEFINITIONS: DDL executed by application code (each also has a "ddl" entry in USES)
# ---------------------------------------------------------------------------------------------
RUNTIME_DEFINITIONS: set[tuple[str, int, str, str]] = {
    ("app/db/bootstrap.py", 20, "public.conversation_entries", "create"),
    ("app/db/bootstrap.py", 32, "public.character_cache", "rename_from"),
    ("app/db/bootstrap.py", 32, "public.character_runtime_cache", "rename_to"),
    ("app/db/bootstrap.py", 35, "public.character_runtime_cache", "create"),
    # created, filled, read and dropped by one function: its scratch table, as a TEMP one
    ("app/memory/importer.py", 39, "public.memory_import_staging", "create_temporary"),
    ("app/memory/importer.py", 63, "public.memory_import_staging", "drop"),
    # app/db/bootstrap.py:44 CREATE INDEX is a ddl use, not a definition.
}

# ---------------------------------------------------------------------------------------------
# SQL_FINAL_STATES: source key -> {table: columns in order, or None for a view}
# Numbered files in one folder form one history keyed by the folder, replayed in numeric prefix
# order then name: "sql" = 00_init.sql, 01_seed_data.sql; "sql/migrations" = 001_add_...,
# 001_remove_..., 002, 003, 004, 010. Other .sql files are their own source keyed by path.
# A table that a source only ALTERs (never creates) is not part of that source's final state:
# sql/migrations/001_add_preferences_column.sql alters public.universal_users, which
# "sql/migrations" never creates, so "sql/migrations" has no public.universal_users (the
# ALTER is still listed in SQL_DEFINITIONS).
# ---------------------------------------------------------------------------------------------
SQL_FINAL_STATES: dict[str, dict[str, tuple[str, ...] | None]] = {
    "sql": {
        'public."AuditTrail"': ("id", "actor", "action", "target", "details", "occurred_at"),
        "analytics.daily_character_stats": (
            "stat_date",
            "character_id",
            "message_count",
            "unique_users",
            "avg_response_ms",
        ),
        "public.banned_users": (
            "id",
            "platform",
            "platform_user_id",
            "reason",
            "banned_by",
            "banned_at",
            "expires_at",
        ),
        "public.bot_deployments": (
            "id",
            "character_id",
            "bot_name",
            "status",
            "config",
            "deployed_at",
        ),
        "public.character_abilities": (
            "id",
            "character_id",
            "ability_name",
            "category",
            "proficiency",
            "description",
        ),
        "public.character_emotional_triggers_v2": (
            "id",
            "character_id",
            "trigger_type",
            "trigger_content",
            "emotional_response",
            "intensity",
        ),
        "public.character_insights": (
            "id",
            "character_id",
            "insight_type",
            "content",
            "confidence",
            "discovered_at",
        ),
        "public.character_optimizer_configs": (
            "id",
            "character_id",
            "optimizer_name",
            "parameters",
            "enabled",
            "updated_at",
        ),
        # the CHECK constraint line is not a column
        "public.character_relationships": (
            "id",
            "character_id",
            "related_entity",
            "relationship_type",
            "strength",
            "description",
        ),
        "public.character_trait_relationships": (
            "id",
            "character_id",
            "trait_a",
            "trait_b",
            "relationship_strength",
        ),
        "public.characters": (
            "id",
            "name",
            "normalized_name",
            "bot_name",
            "archetype",
            "description",
            "is_active",
            "created_at",
            "updated_at",
        ),
        "public.conversation_entries": (
            "id",
            "conversation_id",
            "role",
            "content",
            "token_count",
            "created_at",
        ),
        "public.conversations": (
            "id",
            "universal_id",
            "character_id",
            "platform",
            "channel_id",
            "started_at",
            "last_message_at",
        ),
        "public.active_conversations": None,  # VIEW
        "public.character_engagement_summary": None,  # MATERIALIZED VIEW
        "public.memory_entries": (
            "id",
            "universal_id",
            "character_id",
            "memory_type",
            "content",
            "importance",
            "source",
            "created_at",
        ),
        "public.memory_manager_configs": (
            "id",
            "manager_name",
            "retention_days",
            "max_entries",
            "settings",
        ),
        "public.personality_evolution_timeline": (
            "id",
            "character_id",
            "trait_name",
            "old_value",
            "new_value",
            "reason",
            "changed_at",
        ),
        "public.platform_identities": (
            "id",
            "universal_id",
            "platform",
            "platform_user_id",
            "username",
            "linked_at",
        ),
        "public.relationship_scores": (
            "universal_id",
            "character_id",
            "trust",
            "affection",
            "attunement",
            "interaction_count",
            "updated_at",
        ),
        "public.role_transactions": (
            "id",
            "universal_id",
            "character_id",
            "role_name",
            "status",
            "created_at",
        ),
        "public.roleplay_transactions": (
            "id",
            "universal_id",
            "character_id",
            "transaction_type",
            "payload",
            "state",
            "created_at",
            "completed_at",
        ),
        "public.universal_users": (
            "universal_id",
            "primary_username",
            "display_name",
            "email",
            "created_at",
            "last_active",
        ),
        "public.user_profiles": (
            "universal_id",
            "display_name",
            "timezone",
            "locale",
            "bio",
            "updated_at",
        ),
    },
    "sql/init_schema.sql": {
        "public.characters": ("id", "name", "personality", "system_prompt", "created_at"),
        "public.universal_users": ("id", "username", "discord_id", "created_at"),
        "public.discord_user_sessions": (
            "id",
            "discord_id",
            "channel_id",
            "session_state",
            "last_seen",
        ),
    },
    "sql/reporting/monthly_reports.sql": {"public.report_lines": ("id", "report_id", "body")},
    "sql/semantic_knowledge_graph_schema.sql": {
        # table-level UNIQUE (...) lines are constraints, not columns
        "public.fact_entities": (
            "id",
            "entity_type",
            "entity_name",
            "category",
            "attributes",
            "search_vector",
            "created_at",
            "updated_at",
        ),
        "public.entity_relationships": (
            "id",
            "from_entity_id",
            "to_entity_id",
            "relationship_type",
            "weight",
            "created_at",
        ),
        "public.user_fact_relationships": (
            "id",
            "user_id",
            "entity_id",
            "relationship_type",
            "confidence",
            "emotional_context",
            "mentioned_by_character",
            "created_at",
            "updated_at",
        ),
    },
    "sql/migrations": {
        "public.assistant_defaults": (
            "id",
            "character_name",
            "greeting",
            "system_prompt",
            "created_at",
        ),
        "public.character_identity_details": (
            "id",
            "character_id",
            "full_name",
            "nickname",
            "pronouns",
            "age",
            "location",
        ),
        "public.character_background": (
            "id",
            "character_id",
            "category",
            "period",
            "title",
            "description",
            "importance",
        ),
        # created by 003 as character_speech_patterns, renamed by 004 (columns unchanged)
        "public.character_voice_traits": (
            "id",
            "character_id",
            "pattern_type",
            "pattern_value",
            "frequency",
        ),
        # public.character_legacy_prompts: created by 003, dropped by 004 -> absent
        "public.character_tags": ("id", "character_id", "tag", "created_at"),
    },
    "sql/migrations/fix_assistant_personality_v106_to_v124.sql": {
        "public.personality_migration_log": (
            "id",
            "character_name",
            "from_version",
            "to_version",
            "applied_at",
        ),
    },
}

# ---------------------------------------------------------------------------------------------
# ABSENT_TABLES: must appear nowhere in the report (no use, no definition, no node, no finding)
# ---------------------------------------------------------------------------------------------
ABSENT_TABLES: set[str] = {
    # excluded or non-application sources
    "public.scratch_experiments",  # scripts/scratch/** is excluded in [tool.tabletrace]
    "public.test_only_fixtures",  # only in tests/
    "public.character_configurations_backup",  # only in a .sql.backup file
    "public.legacy_chat_logs",  # only in app/legacy/py2_helper.py, which does not parse
    # CTE names and aliases
    "public.recent",
    "public.related",
    "public.sub",
    "public.excluded",
    "public.a",
    "public.c",
    "public.ce",
    "public.ci",
    "public.d",
    "public.er",
    "public.fe",
    "public.m",
    "public.pi",
    "public.pt",
    "public.qa",
    "public.qt",
    "public.rs",
    "public.s",
    "public.u",
    "public.ufr",
    # phantoms from prose/UI strings ("select from the menu", "Select a user from the list")
    "public.the",
    "public.menu",
    "public.list",
    "public.your",
    "public.profile",
    "public.this",
    "public.item",
    "public.new",
    # data and comments inside .sql files
    "public.lessons",  # 01_seed_data.sql: text inside an INSERT value
    "public.stdin",
    # non-table objects
    "public.audittrail",  # only the quoted "AuditTrail" exists
    "public.daily_character_stats",  # lives in schema analytics
    "public.analytics",
    "public.staging",
    "public.characters_id_seq",
    "public.memory_entries_id_seq",
    'public."AuditTrail_id_seq"',
    "public.character_relationships_relationship_type_check",
    "public.idx_character_speech_patterns_character",
    "public.idx_character_voice_traits_character",
    "public.idx_character_runtime_cache_refreshed",
    "public.touch_updated_at",
    "public.record_ban",
    "public.update_fact_entities_search_vector",
    # Alembic: version tables, a table-name constant, indexes and constraints
    "public.alembic_version",
    "public.alembic_version_analytics",
    "public.snapshots_table",
    "public.pk_character_memory_snapshots",
    "public.uq_character_memory_snapshots_taken",
    "public.ix_character_memory_snapshots_user_id",
    "public.ix_character_voice_samples_text",
    "public.fk_message_feedback_fact_id",
    "public.ck_message_feedback_rating",
    "public.uq_analytics_rollups_key",
}

# ---------------------------------------------------------------------------------------------
# EXPECTED_DIAGNOSTIC_FILES: (path, code) - each must be reported (other diagnostics may exist)
# ---------------------------------------------------------------------------------------------
EXPECTED_DIAGNOSTIC_FILES: set[tuple[str, str]] = {
    ("app/legacy/py2_helper.py", "python-syntax-error"),  # `print "..."`; its SQL gives no use
    ("app/db/maintenance.py", "sql-unparsed"),  # "DO $$ ... $$" at an execute() sink (lines 24-25)
}

# ---------------------------------------------------------------------------------------------
# NO_USE_LOCATIONS: (path, line) where nothing may be reported: no use, no dynamic table name,
# no diagnostic. SQL-looking prose, comments, docstrings, UI and log strings.
# ---------------------------------------------------------------------------------------------
NO_USE_LOCATIONS: set[tuple[str, int]] = {
    ("app/admin/menu.py", 4),  # module docstring: "SELECT * FROM characters"
    ("app/admin/menu.py", 16),  # "select from the menu"
    ("app/admin/menu.py", 17),  # "Select a user from the list"
    ("app/admin/menu.py", 37),  # comment: "UPDATE characters SET is_active = false"
    ("app/memory/store.py", 62),  # method docstring: "SELECT * FROM memory_entries WHERE ..."
    ("app/memory/importer.py", 3),  # module docstring naming universal_users
    ("app/characters/repository.py", 31),  # class docstring naming the characters table
    ("app/jobs/cleanup.py", 18),  # comment: "DELETE FROM memory_entries WHERE importance < 0.1"
    ("app/users/profiles.py", 12),  # "Update your profile settings"
    ("app/platform/moderation.py", 14),  # "Delete this item?"
    ("app/api/routes.py", 35),  # summary="Create a new character"
    ("app/db/maintenance.py", 36),  # f"{self._schema}.{name}": builds a name, is not SQL
    ("app/db/pool.py", 66),  # fetchval("SELECT 1"): SQL that names no table
}

# ---------------------------------------------------------------------------------------------
# Alembic: two environments, each its own source family, keyed by its script location
# (relative to sample_repo/) as named by an alembic.ini:
#   "alembic"              <- alembic.ini           (core schema; version table alembic_version)
#   "analytics/migrations" <- analytics/alembic.ini (script_location = %(here)s/migrations;
#                                                    version table alembic_version_analytics)
# Revision files live in <env>/versions/. alembic/versions/sql/message_feedback.sql is read by
# revision 4c5d6e7f8a9b: it belongs to the "alembic" family (its CREATE TABLE is listed in
# ALEMBIC_DEFINITIONS), it is NOT a raw SQL source (not in SQL_DEFINITIONS / SQL_FINAL_STATES).
#
# "alembic" graph (17 revisions, one head):
#   a1b2c3d4e5f6 baseline -> b7c8d9e0f1a2 -> c3d4e5f6a7b8 (rename_table) -> branches
#   d4e5f6a7b8c9 (add_column) | e5f6a7b8c9d0 (op.execute f-string CREATE TABLE; if/else index)
#   -> merge f6a7b8c9d0e1 -> 0b1c2d3e4f5a (drop_table) -> 9c8b7a6f5e4d (documentation only)
#   -> 1f2e3d4c5b6a (create_table(SNAPSHOTS_TABLE constant, constraints, schema=None), helper
#      _create_audit_tables() with 3 create_table, create_index)
#   -> main line: 2a3b4c5d6e7f (batch_alter_table add/rename/alter-nullable/drop column,
#        alter_column(new_column_name=), drop_column, add_column, execute(text(UPDATE)),
#        drop_index/create_index)
#      -> 3b4c5d6e7f8a (execute(triple-quoted CREATE TABLE), `if postgresql:` CREATE INDEX,
#        rename_table, drop_table, create_table inside try)
#   -> "feedback" branch (branch_labels): 4c5d6e7f8a9b (create_table, bulk_insert, execute of
#        sql/message_feedback.sql) -> 5d6e7f8a9b0c (depends_on 2a3b4c5d6e7f; add_column,
#        if/else create_foreign_key, get_bind().execute(text(UPDATE)))
#   -> merge 6e7f8a9b0c1d (3b4c5d6e7f8a, 5d6e7f8a9b0c) -> 7f8a9b0c1d2e (data only: bulk_insert,
#        execute(text(UPDATE)) x2) -> 8a9b0c1d2e3f (drop_column, see ORDER_FAULTS)
#   -> 9b0c1d2e3f4a (computed names: create_table(Model.__tablename__), bulk_insert(
#        Model.__table__); loops over RENAMES / a literal tuple; helper _drop_fk(table, name))
#        = head; see "Issue 9 idioms" at the end of this file
# "analytics/migrations": 3f9a1c2b7d10 (create_table, create_index) -> 8d2e4f6a1b3c
#   (create_table with a UniqueConstraint) -> c5b7a9e1d3f2 (add_column, create_table) = head
# ---------------------------------------------------------------------------------------------

_REV = "alembic/versions/"
_ANALYTICS_REV = "analytics/migrations/versions/"
_DROP_BANNED_BY = "alembic/versions/20251024_0900_8a9b0c1d2e3f_drop_banned_by.py"
_BASELINE = _REV + "20251011_0900_a1b2c3d4e5f6_baseline.py"
_IDENTITY = _REV + "20251012_1030_b7c8d9e0f1a2_add_character_identity.py"
_RENAME_ATTRIBUTES = _REV + "20251013_1415_c3d4e5f6a7b8_rename_character_attributes.py"
_FACTS_CONFIDENCE = _REV + "20251014_0930_d4e5f6a7b8c9_add_user_facts_confidence.py"
_LEARNING_TIMELINE = _REV + "20251014_1100_e5f6a7b8c9d0_create_character_learning_timeline.py"
_DROP_RELATIONSHIPS = _REV + "20251016_1600_0b1c2d3e4f5a_drop_user_relationships.py"
_SNAPSHOTS = _REV + "20251020_0900_1f2e3d4c5b6a_character_memory_snapshots.py"
_FEEDBACK = _REV + "20251020_1400_4c5d6e7f8a9b_feedback_tables.py"
_FEEDBACK_SQL = _REV + "sql/message_feedback.sql"
_REWORK = _REV + "20251021_1000_2a3b4c5d6e7f_rework_snapshots_identity_facts.py"
_VOICE = _REV + "20251022_1130_3b4c5d6e7f8a_voice_samples_audit_cleanup.py"
_FEEDBACK_FACTS = _REV + "20251022_1500_5d6e7f8a9b0c_feedback_links_to_facts.py"
_MOODS = _REV + "20251027_1000_9b0c1d2e3f4a_moods_and_table_cleanup.py"
_EVENTS = _ANALYTICS_REV + "20251020_1200_3f9a1c2b7d10_analytics_events.py"
_ROLLUPS = _ANALYTICS_REV + "20251021_1200_8d2e4f6a1b3c_analytics_rollups.py"
_ROLLUP_RUNS = _ANALYTICS_REV + "20251022_1200_c5b7a9e1d3f2_rollup_runs_and_sessions.py"

# env -> its alembic.ini (relative to sample_repo/)
ALEMBIC_INI_FILES: dict[str, str] = {
    "alembic": "alembic.ini",
    "analytics/migrations": "analytics/alembic.ini",
}

# ---------------------------------------------------------------------------------------------
# ALEMBIC_HEAD_TABLES: env -> tables after a real `alembic upgrade head` on an empty SQLite
# database, columns in catalog order (checked by tests/test_alembic_real_upgrade.py, and the same
# on PostgreSQL 15). The version tables (alembic_version, alembic_version_analytics) are
# excluded. Batch add_column appends; batch/plain rename keeps the position.
# Gone by head: user_relationships (dropped), character_attributes_old and
# character_audit_payloads (renamed), character_audit_export_queue (dropped);
# 9b0c1d2e3f4a: character_memory_snapshots and character_voice_samples (renamed),
# character_audit_event_payloads and character_audit_events (dropped).
# ---------------------------------------------------------------------------------------------
ALEMBIC_HEAD_TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    "alembic": {
        "public.users": ("id", "username", "email", "created_at"),
        # occupation dropped by 2a3b4c5d6e7f
        "public.characters": ("id", "name", "normalized_name", "description", "created_at"),
        "public.personality_traits": (
            "id",
            "character_id",
            "trait_name",
            "trait_value",
            "intensity",
            "description",
        ),
        "public.character_values": (
            "id",
            "character_id",
            "value_key",
            "value_description",
            "importance",
        ),
        "public.character_question_templates": (
            "id",
            "character_id",
            "category",
            "template_text",
            "priority",
        ),
        "public.character_entity_categories": (
            "id",
            "character_id",
            "entity_keyword",
            "category",
            "confidence",
        ),
        # confidence by d4e5f6a7b8c9, source by 2a3b4c5d6e7f
        "public.user_facts": (
            "id",
            "user_id",
            "fact_key",
            "fact_value",
            "created_at",
            "confidence",
            "source",
        ),
        "public.character_attributes": (
            "id",
            "character_id",
            "category",
            "description",
            "importance",
        ),
        # gender renamed to pronouns by 2a3b4c5d6e7f (same position)
        "public.character_identity": (
            "id",
            "character_id",
            "full_name",
            "nickname",
            "pronouns",
            "location",
        ),
        "public.character_learning_timeline": (
            "id",
            "character_id",
            "learning_event",
            "learning_type",
            "significance",
            "learned_at",
        ),
        # constraints (PrimaryKeyConstraint, ForeignKeyConstraint, UniqueConstraint) are not
        # columns; batch: summary -> summary_text, token_count dropped, source appended;
        # created as character_memory_snapshots, renamed by 9b0c1d2e3f4a
        "public.memory_snapshots": (
            "id",
            "character_id",
            "user_id",
            "summary_text",
            "taken_at",
            "source",
        ),
        # created as character_voice_samples, renamed by 9b0c1d2e3f4a
        "public.voice_samples": ("id", "character_id", "sample_text", "recorded_at"),
        "public.character_voice_profiles": ("character_id", "pitch", "speed"),
        "public.feedback_reasons": ("code", "label"),
        # from sql/message_feedback.sql (the CONSTRAINT ... CHECK line is not a column);
        # fact_id appended by 5d6e7f8a9b0c
        "public.message_feedback": (
            "id",
            "conversation_entry_id",
            "character_id",
            "rating",
            "reason_code",
            "created_at",
            "fact_id",
        ),
        # 9b0c1d2e3f4a: create_table(CharacterMood.__tablename__) / (MoodPreset.__tablename__)
        "public.character_moods": ("id", "character_id", "mood", "intensity", "created_at"),
        "public.mood_preset": ("id", "name", "valence", "arousal"),
    },
    "analytics/migrations": {
        "public.analytics_events": (
            "id",
            "event_type",
            "character_id",
            "user_ref",
            "payload",
            "occurred_at",
            "session_id",
        ),
        "public.analytics_rollups": (
            "id",
            "rollup_date",
            "character_id",
            "event_type",
            "event_count",
        ),
        "public.analytics_rollup_runs": ("id", "started_at", "finished_at", "rows_written"),
    },
}

# ---------------------------------------------------------------------------------------------
# ALEMBIC_REVISIONS: env -> {revision: down_revisions} (a root has ()), and the heads.
# ---------------------------------------------------------------------------------------------
ALEMBIC_REVISIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "alembic": {
        "a1b2c3d4e5f6": (),
        "b7c8d9e0f1a2": ("a1b2c3d4e5f6",),
        "c3d4e5f6a7b8": ("b7c8d9e0f1a2",),
        "d4e5f6a7b8c9": ("c3d4e5f6a7b8",),
        "e5f6a7b8c9d0": ("c3d4e5f6a7b8",),
        "f6a7b8c9d0e1": ("d4e5f6a7b8c9", "e5f6a7b8c9d0"),
        "0b1c2d3e4f5a": ("f6a7b8c9d0e1",),
        "9c8b7a6f5e4d": ("0b1c2d3e4f5a",),
        "1f2e3d4c5b6a": ("9c8b7a6f5e4d",),
        "2a3b4c5d6e7f": ("1f2e3d4c5b6a",),
        "3b4c5d6e7f8a": ("2a3b4c5d6e7f",),
        "4c5d6e7f8a9b": ("1f2e3d4c5b6a",),
        "5d6e7f8a9b0c": ("4c5d6e7f8a9b",),
        "6e7f8a9b0c1d": ("3b4c5d6e7f8a", "5d6e7f8a9b0c"),
        "7f8a9b0c1d2e": ("6e7f8a9b0c1d",),
        "8a9b0c1d2e3f": ("7f8a9b0c1d2e",),
        "9b0c1d2e3f4a": ("8a9b0c1d2e3f",),
    },
    "analytics/migrations": {
        "3f9a1c2b7d10": (),
        "8d2e4f6a1b3c": ("3f9a1c2b7d10",),
        "c5b7a9e1d3f2": ("8d2e4f6a1b3c",),
    },
}

ALEMBIC_HEADS: dict[str, set[str]] = {
    "alembic": {"9b0c1d2e3f4a"},
    "analytics/migrations": {"c5b7a9e1d3f2"},
}

# revision -> branch_labels / depends_on (only revisions that set them)
ALEMBIC_BRANCH_LABELS: dict[str, tuple[str, ...]] = {"4c5d6e7f8a9b": ("feedback",)}
ALEMBIC_DEPENDS_ON: dict[str, tuple[str, ...]] = {"5d6e7f8a9b0c": ("2a3b4c5d6e7f",)}

# ---------------------------------------------------------------------------------------------
# ALEMBIC_DEFINITIONS: (path, line, table, operation, revision) for every create / drop /
# rename_from / rename_to / alter (add, drop or rename of a column) in upgrade(), in the helpers
# it calls, in op.execute SQL and in SQL files a revision reads. downgrade() never counts.
# line = the line of the op call (the first line of a multi-line call; for batch_op.* the line
# of the batch_op call, table = the batch's table); for op.execute SQL the line of the table
# NAME token; for SQL read from a file, the path and line in that .sql file.
# NOT definitions: create_index/drop_index, create_foreign_key, alter_column without
# new_column_name (2a3b4c5d6e7f:29 changes nullability only), bulk_insert, UPDATE, CREATE INDEX.
# ---------------------------------------------------------------------------------------------
ALEMBIC_DEFINITIONS: set[tuple[str, int, str, str, str]] = {
    # a1b2c3d4e5f6 baseline
    (_BASELINE, 24, "public.users", "create", "a1b2c3d4e5f6"),
    (_BASELINE, 31, "public.characters", "create", "a1b2c3d4e5f6"),
    (_BASELINE, 40, "public.personality_traits", "create", "a1b2c3d4e5f6"),
    (_BASELINE, 54, "public.character_values", "create", "a1b2c3d4e5f6"),
    (_BASELINE, 67, "public.character_question_templates", "create", "a1b2c3d4e5f6"),
    (_BASELINE, 80, "public.character_entity_categories", "create", "a1b2c3d4e5f6"),
    (_BASELINE, 93, "public.user_relationships", "create", "a1b2c3d4e5f6"),
    (_BASELINE, 102, "public.user_facts", "create", "a1b2c3d4e5f6"),
    (_BASELINE, 110, "public.character_attributes_old", "create", "a1b2c3d4e5f6"),
    # b7c8d9e0f1a2
    (_IDENTITY, 23, "public.character_identity", "create", "b7c8d9e0f1a2"),
    # c3d4e5f6a7b8: op.rename_table
    (_RENAME_ATTRIBUTES, 22, "public.character_attributes_old", "rename_from", "c3d4e5f6a7b8"),
    (_RENAME_ATTRIBUTES, 22, "public.character_attributes", "rename_to", "c3d4e5f6a7b8"),
    # d4e5f6a7b8c9: op.add_column
    (_FACTS_CONFIDENCE, 23, "public.user_facts", "alter", "d4e5f6a7b8c9"),
    # e5f6a7b8c9d0: op.execute(f"""...CREATE TABLE character_learning_timeline""") (call on 25)
    (_LEARNING_TIMELINE, 27, "public.character_learning_timeline", "create", "e5f6a7b8c9d0"),
    # 0b1c2d3e4f5a: op.drop_table
    (_DROP_RELATIONSHIPS, 24, "public.user_relationships", "drop", "0b1c2d3e4f5a"),
    # 1f2e3d4c5b6a: helper _create_audit_tables() (lines 25, 33, 43), then upgrade() line 52:
    # op.create_table(SNAPSHOTS_TABLE, ..., schema=None) with SNAPSHOTS_TABLE a module constant
    (_SNAPSHOTS, 25, "public.character_audit_events", "create", "1f2e3d4c5b6a"),
    (_SNAPSHOTS, 33, "public.character_audit_payloads", "create", "1f2e3d4c5b6a"),
    (_SNAPSHOTS, 43, "public.character_audit_export_queue", "create", "1f2e3d4c5b6a"),
    (_SNAPSHOTS, 52, "public.character_memory_snapshots", "create", "1f2e3d4c5b6a"),
    # 4c5d6e7f8a9b: create_table, then op.execute(<sql/message_feedback.sql>) on line 38
    (_FEEDBACK, 25, "public.feedback_reasons", "create", "4c5d6e7f8a9b"),
    (_FEEDBACK_SQL, 4, "public.message_feedback", "create", "4c5d6e7f8a9b"),
    # 2a3b4c5d6e7f: batch add_column (24), batch alter_column(new_column_name=) (25),
    # batch drop_column (30); op.alter_column(new_column_name=), op.drop_column, op.add_column
    (_REWORK, 24, "public.character_memory_snapshots", "alter", "2a3b4c5d6e7f"),
    (_REWORK, 25, "public.character_memory_snapshots", "alter", "2a3b4c5d6e7f"),
    (_REWORK, 30, "public.character_memory_snapshots", "alter", "2a3b4c5d6e7f"),
    (_REWORK, 31, "public.character_identity", "alter", "2a3b4c5d6e7f"),
    (_REWORK, 32, "public.characters", "alter", "2a3b4c5d6e7f"),
    (_REWORK, 33, "public.user_facts", "alter", "2a3b4c5d6e7f"),
    # 3b4c5d6e7f8a: op.execute("""CREATE TABLE ...""") (call on 24, name on 26), rename_table,
    # drop_table, create_table inside try (43)
    (_VOICE, 26, "public.character_voice_samples", "create", "3b4c5d6e7f8a"),
    (_VOICE, 39, "public.character_audit_payloads", "rename_from", "3b4c5d6e7f8a"),
    (_VOICE, 39, "public.character_audit_event_payloads", "rename_to", "3b4c5d6e7f8a"),
    (_VOICE, 40, "public.character_audit_export_queue", "drop", "3b4c5d6e7f8a"),
    (_VOICE, 43, "public.character_voice_profiles", "create", "3b4c5d6e7f8a"),
    # 5d6e7f8a9b0c: op.add_column
    (_FEEDBACK_FACTS, 24, "public.message_feedback", "alter", "5d6e7f8a9b0c"),
    # 8a9b0c1d2e3f: op.drop_column on a table only sql/00_init.sql creates (see ORDER_FAULTS)
    (_DROP_BANNED_BY, 23, "public.banned_users", "alter", "8a9b0c1d2e3f"),
    # f6a7b8c9d0e1, 6e7f8a9b0c1d (merges), 9c8b7a6f5e4d (documentation only) and 7f8a9b0c1d2e
    # (data only): none
    # analytics/migrations
    (_EVENTS, 23, "public.analytics_events", "create", "3f9a1c2b7d10"),
    (_ROLLUPS, 23, "public.analytics_rollups", "create", "8d2e4f6a1b3c"),
    (_ROLLUP_RUNS, 23, "public.analytics_events", "alter", "c5b7a9e1d3f2"),
    (_ROLLUP_RUNS, 24, "public.analytics_rollup_runs", "create", "c5b7a9e1d3f2"),
}

# ---------------------------------------------------------------------------------------------
# ORDER_FAULTS: the seed's headline. The documented fresh setup (sample_repo/README.md) runs
# `alembic upgrade head` first, on an empty database; it stops at the first step below, because
# the table it alters is created only by sql/00_init.sql (step 3 of the setup). env ->
# (revision, path, line, table, what must exist first: table -> columns it needs).
# tests/test_alembic_real_upgrade.py proves it with the real `alembic upgrade head`.
# ---------------------------------------------------------------------------------------------
ORDER_FAULTS: dict[str, list[tuple[str, str, int, str]]] = {
    "alembic": [("8a9b0c1d2e3f", _DROP_BANNED_BY, 23, "public.banned_users")],
    "analytics/migrations": [],
}
# the least that must exist for `alembic upgrade head` to run through (SQLite and PostgreSQL)
ORDER_PREREQUISITES: dict[str, str] = {
    "alembic": "CREATE TABLE banned_users (id integer PRIMARY KEY, banned_by varchar(255))",
    "analytics/migrations": "",
}

# ---------------------------------------------------------------------------------------------
# ALEMBIC_CONDITIONAL: (path, line) of every operation (op.* / batch_op.* call, any kind, not
# only definitions) in upgrade() or its helpers that sits inside an if/elif/else or a
# try/except/finally (for op.execute SQL: the line of the table name in the SQL string).
# The `with op.batch_alter_table(...)` line itself is not an operation;
# the `if op.get_bind().dialect.name == ...` test is not one either. No other revision
# operation is conditional.
# ---------------------------------------------------------------------------------------------
ALEMBIC_CONDITIONAL: set[tuple[str, int]] = {
    # if is_postgres: op.execute("CREATE INDEX ... USING brin"): for SQL run by op.execute,
    # the location is the line of the table name inside the SQL string (as for definitions)
    (_LEARNING_TIMELINE, 40),
    (_LEARNING_TIMELINE, 43),  # else: op.create_index(...)
    (_VOICE, 36),  # if postgresql: op.execute("CREATE INDEX ... ON character_voice_samples")
    (_VOICE, 43),  # try: op.create_table("character_voice_profiles", ...) (runs everywhere)
    (_FEEDBACK_FACTS, 26),  # if postgresql: op.create_foreign_key(...)
    (_FEEDBACK_FACTS, 32),  # else: batch_op.create_foreign_key(...)
}

# ---------------------------------------------------------------------------------------------
# Revision kinds. A documentation-only revision has an upgrade() that changes nothing but talks
# about tables (docstring, comments): revision -> the known tables its upgrade() text names.
# A merge revision has several down_revisions and an empty upgrade(). A data-only revision
# changes rows only (bulk_insert, UPDATE): no schema change.
# ---------------------------------------------------------------------------------------------
DOCUMENTATION_ONLY_REVISIONS: dict[str, set[str]] = {
    "9c8b7a6f5e4d": {
        "public.fact_entities",
        "public.entity_relationships",
        "public.user_fact_relationships",
    },
}
MERGE_REVISIONS: set[str] = {"f6a7b8c9d0e1", "6e7f8a9b0c1d"}
DATA_ONLY_REVISIONS: set[str] = {"7f8a9b0c1d2e"}


# =============================================================================================
# ORM (SQLAlchemy) ground truth: app/models/ declares, app/services/, app/web/, app/models/
# queries.py and app/characters/tags.py use. Proved against SQLAlchemy itself by
# tests/test_models_metadata.py (MODEL_TABLES, MODEL_DECLARATIONS, REFERENCES, and the
# consistency of MODEL_DRIFT / MODEL_WITHOUT_MIGRATION with the Alembic and SQL states above).
#
# Declarative forms in sample_repo/app/models/:
#   base.py        Base(DeclarativeBase); TimestampMixin (created_at, mapped_column, used by
#                  Users, UserFact, CharacterMood); LowercaseTableNameMixin (@declared_attr
#                  __tablename__ returning cls.__name__.lower()); SnakeCaseTableName
#                  (@declared_attr.directive __tablename__: re.sub camel-to-snake). No table of
#                  their own.
#   character.py   Character, CharacterTag (Mapped/mapped_column, relationship() targets taken
#                  from the Mapped[...] annotation), module-level relationship_scores_table =
#                  Table("relationship_scores", Base.metadata, ...)
#   profile.py     UserProfile (Mapped); PlatformIdentity (__table__ = Table(...) on the class)
#   accounts.py    Users (table from the declared_attr mixin: "users"); UserFact (__table_args__
#                  = {"schema": "public"} dict form, explicit default schema; column name
#                  override mapped_column("fact_value", ...); annotation-only
#                  `confidence: Mapped[float | None]`; TimestampMixin)
#   personality.py CharacterOwned (__abstract__ = True: columns id, character_id + ForeignKey,
#                  no table); PersonalityTrait(CharacterOwned) (relationship("Character"));
#                  CharacterMood(TimestampMixin, CharacterOwned) (created by Alembic
#                  9b0c1d2e3f4a); MoodPreset(SnakeCaseTableName, Base): computed "mood_preset"
#   memory.py      MemoryEntry (classic Column(...) attributes, Column("memory_type", ...) name
#                  override, polymorphic_on); EpisodicMemory(MemoryEntry): single-table
#                  inheritance (no __tablename__, polymorphic_identity) -> memory_entries
#   voice.py       VoicedCharacter(Character): joined-table inheritance, own __tablename__
#                  "character_voice_profiles", character_id = ForeignKey("characters.id") PK
#   analytics.py   AnalyticsBase = declarative_base() (second base, own MetaData);
#                  DailyCharacterStat (__table_args__ tuple form: (PrimaryKeyConstraint(...),
#                  {"schema": "analytics"}))
#   queries.py     declares nothing: application code that USES models (`from . import
#                  analytics`, `from .accounts import ...`)
# Not mapped, no table: Base, AnalyticsBase, the mixins, CharacterOwned (abstract), and the
# lightweight sa.table("banned_users", sa.column(...)) of app/services/moderation_service.py
# (a TableClause: in no MetaData, declares nothing; its uses ARE uses of public.banned_users).
# ---------------------------------------------------------------------------------------------

# ---------------------------------------------------------------------------------------------
# MODEL_TABLES: every table that sample_repo's SQLAlchemy metadata holds (Base.metadata and
# AnalyticsBase.metadata, which also hold the Table() objects), as importing the models and
# reading <base>.metadata.tables gives: "schema.name" (schema None -> "public") -> columns in
# order. Column order is SQLAlchemy's: the class's own columns first (declaration order), then
# the columns of its mixins / abstract bases in MRO order (mapped_column sort_order default).
# So personality_traits starts with trait_name, and created_at comes before id in
# character_moods. The name is the DB name: Column("memory_type", ...) / mapped_column(
# "fact_value", ...), not the attribute (kind / value). A joined-inheritance subclass's table
# has only its own columns; a single-table subclass adds no table.
# ---------------------------------------------------------------------------------------------
MODEL_TABLES: dict[str, tuple[str, ...]] = {
    "public.response_cache": ("key", "body", "expires_at"),  # app/cache: its own MetaData
    "public.characters": (
        "id",
        "name",
        "normalized_name",
        "bot_name",
        "archetype",
        "description",
        "is_active",
        "created_at",
    ),
    "public.character_tags": ("id", "character_id", "tag", "created_at"),
    "public.relationship_scores": (
        "universal_id",
        "character_id",
        "trust",
        "affection",
        "attunement",
        "interaction_count",
        "updated_at",
    ),
    "public.user_profiles": (
        "universal_id",
        "display_name",
        "timezone",
        "locale",
        "bio",
        "updated_at",
    ),
    "public.platform_identities": (
        "id",
        "universal_id",
        "platform",
        "platform_user_id",
        "username",
        "linked_at",
    ),
    # LowercaseTableNameMixin: class Users -> "users"; created_at from TimestampMixin (last)
    "public.users": ("id", "username", "email", "created_at"),
    # {"schema": "public"}: the same table as schema None; fact_value from the name override
    "public.user_facts": ("id", "user_id", "fact_key", "fact_value", "confidence", "created_at"),
    # own columns, then CharacterOwned's (abstract base) id, character_id
    "public.personality_traits": (
        "trait_name",
        "trait_value",
        "intensity",
        "description",
        "id",
        "character_id",
    ),
    # own columns, then TimestampMixin's created_at, then CharacterOwned's (MRO order)
    "public.character_moods": ("mood", "intensity", "created_at", "id", "character_id"),
    # classic Column style in declaration order; memory_type from Column("memory_type", ...)
    "public.memory_entries": (
        "id",
        "universal_id",
        "character_id",
        "memory_type",
        "content",
        "importance",
        "created_at",
        "embedding_ref",
    ),
    # VoicedCharacter (joined-table inheritance): its own columns only
    "public.character_voice_profiles": ("character_id", "pitch", "speed"),
    # AnalyticsBase.metadata
    "analytics.daily_character_stats": (
        "stat_date",
        "character_id",
        "message_count",
        "unique_users",
        "avg_response_ms",
    ),
}

# ---------------------------------------------------------------------------------------------
# MODEL_DECLARATIONS: (path, line, table, model_or_variable). line = the `class` statement line
# for classes (also for a class whose table is `__table__ = Table(...)`, and for a single-table
# inheritance subclass, which maps to its parent's table), the assignment line for a
# module-level `name = Table(...)`. Mixins, abstract classes and bases declare nothing.
# ---------------------------------------------------------------------------------------------
_MODELS = "app/models/"
MODEL_DECLARATIONS: set[tuple[str, int, str, str]] = {
    (_MODELS + "character.py", 13, "public.characters", "Character"),
    (_MODELS + "character.py", 28, "public.character_tags", "CharacterTag"),
    (_MODELS + "character.py", 39, "public.relationship_scores", "relationship_scores_table"),
    (_MODELS + "profile.py", 13, "public.user_profiles", "UserProfile"),
    (_MODELS + "profile.py", 24, "public.platform_identities", "PlatformIdentity"),  # __table__
    (_MODELS + "accounts.py", 11, "public.users", "Users"),  # declared_attr __tablename__
    (_MODELS + "accounts.py", 19, "public.user_facts", "UserFact"),
    (_MODELS + "personality.py", 21, "public.personality_traits", "PersonalityTrait"),
    (_MODELS + "personality.py", 32, "public.character_moods", "CharacterMood"),
    (_MODELS + "memory.py", 11, "public.memory_entries", "MemoryEntry"),
    (_MODELS + "memory.py", 28, "public.memory_entries", "EpisodicMemory"),  # single-table
    (_MODELS + "voice.py", 11, "public.character_voice_profiles", "VoicedCharacter"),  # joined
    (_MODELS + "analytics.py", 11, "analytics.daily_character_stats", "DailyCharacterStat"),
    ("app/cache/response_cache.py", 7, "public.response_cache", "response_cache"),
}

# ---------------------------------------------------------------------------------------------
# ORM_USES: (path, line, table, kind) in application code, kind read | write, line = the line
# of the model / Table NAME in the using code (for `m.MemoryEntry` / `profile.UserProfile`,
# the line of that dotted name). Each (path, line, table, kind) counts once.
#   read:  select(M) / query(M) / get(M, ...) / join(M) / aliased(M) / M.query / attribute
#          access M.col anywhere in application code (also inside the WHERE or VALUES of an
#          update/delete: that line is then read AND write) / t.select() / t.c.x / select(t)
#   write: insert(M) / update(M) / delete(M) / session.add(M(...)) / add_all(<list, list
#          comprehension or generator of M(...)>) / merge(M(...)) / bulk_*_mappings(M, ...) /
#          t.insert() / t.update() / t.delete() / query(M)....delete() or .update(...) (the
#          write is on the query(M) line, which is also a read because of query(M))
#   low confidence: a constructor M(...) outside add/add_all/merge -> write; any other load of
#          the name (e.g. an argument: with_polymorphic(M, [Sub])) -> read
#   a single-table subclass (EpisodicMemory) uses its parent's table; a joined-table subclass
#   (VoicedCharacter) uses its own table AND its parent's (the SELECT joins them).
#   Variables bound to aliased(M) / with_polymorphic(...) / a statement need not be followed:
#   in this sample every line that names an aliased entity also names the model itself.
#   NOT uses: annotations (parameters, returns, variables), imports, isinstance(), strings,
#   comments, docstrings, the model modules themselves (class bodies, base-class lists,
#   relationship targets, ForeignKey strings), parameters / variables that merely hold an
#   instance (`character.name`, `session.add(entry)`), calls of helpers that build statements
#   elsewhere (views.py: session.scalars(facts_of(username)) - no inter-procedural analysis).
# ---------------------------------------------------------------------------------------------
_CHAR_SVC = "app/services/character_service.py"
_MEMORY_SVC = "app/services/memory_service.py"
_MODERATION_SVC = "app/services/moderation_service.py"
_VIEWS = "app/web/views.py"
_QUERIES = "app/models/queries.py"
_TAGS = "app/characters/tags.py"
ORM_USES: set[tuple[str, int, str, str]] = {
    ("app/cache/response_cache.py", 21, "public.response_cache", "read"),  # select(table.c.x)
    # --- app/characters/tags.py: `from app.models.character import Character, CharacterTag` ----
    (_TAGS, 13, "public.character_tags", "read"),  # select(CharacterTag.tag).where(...)
    (_TAGS, 20, "public.characters", "read"),  # select(Character) ... == Character.id
    (_TAGS, 20, "public.character_tags", "read"),  # .join(CharacterTag, CharacterTag.c_id ...)
    (_TAGS, 26, "public.character_tags", "write"),  # delete(CharacterTag)
    (_TAGS, 26, "public.character_tags", "read"),  # .where(CharacterTag.character_id == ...)
    (_TAGS, 27, "public.character_tags", "write"),  # add_all(CharacterTag(...) for tag in ...)
    # --- app/services/character_service.py: `from app.models import ...` (re-exports) -------
    (_CHAR_SVC, 20, "public.characters", "read"),  # session.scalars(select(M).where(M.col))
    (_CHAR_SVC, 24, "public.characters", "read"),  # session.get(Character, id)
    (_CHAR_SVC, 28, "public.characters", "read"),  # select(func.count(Character.id))
    (_CHAR_SVC, 33, "public.personality_traits", "read"),  # select(PersonalityTrait)
    (_CHAR_SVC, 34, "public.characters", "read"),  # .join(Character)
    (_CHAR_SVC, 35, "public.characters", "read"),
    (_CHAR_SVC, 36, "public.personality_traits", "read"),
    (_CHAR_SVC, 42, "public.personality_traits", "read"),  # aliased(PersonalityTrait)
    (_CHAR_SVC, 44, "public.personality_traits", "read"),
    (_CHAR_SVC, 45, "public.personality_traits", "read"),
    (_CHAR_SVC, 46, "public.personality_traits", "read"),
    (_CHAR_SVC, 47, "public.personality_traits", "read"),
    (_CHAR_SVC, 54, "public.personality_traits", "write"),  # update(PersonalityTrait)
    (_CHAR_SVC, 55, "public.personality_traits", "read"),  # .where(PersonalityTrait.col == ...)
    (_CHAR_SVC, 56, "public.personality_traits", "read"),
    (_CHAR_SVC, 61, "public.personality_traits", "write"),  # insert(PersonalityTrait)
    (_CHAR_SVC, 67, "public.characters", "write"),  # session.merge(Character(...))
    (_CHAR_SVC, 71, "public.character_moods", "write"),  # delete(CharacterMood).where(...)
    (_CHAR_SVC, 71, "public.character_moods", "read"),  # ... CharacterMood.character_id
    (_CHAR_SVC, 72, "public.character_moods", "write"),  # session.add(CharacterMood(...))
    (_CHAR_SVC, 76, "public.character_moods", "write"),  # return CharacterMood(...): low
    (_CHAR_SVC, 91, "public.relationship_scores", "read"),  # select(relationship_scores_table)
    (_CHAR_SVC, 92, "public.relationship_scores", "read"),  # t.c.universal_id
    (_CHAR_SVC, 93, "public.relationship_scores", "read"),
    (_CHAR_SVC, 100, "public.relationship_scores", "read"),  # relationship_scores_table.select()
    (_CHAR_SVC, 105, "public.relationship_scores", "write"),  # t.insert().values(...)
    (_CHAR_SVC, 119, "public.relationship_scores", "write"),  # t.update()
    (_CHAR_SVC, 120, "public.relationship_scores", "read"),
    (_CHAR_SVC, 121, "public.relationship_scores", "read"),
    (_CHAR_SVC, 122, "public.relationship_scores", "read"),  # .values(n=t.c.n + 1)
    # --- app/services/memory_service.py: `import app.models as m` ------------------------------
    (_MEMORY_SVC, 15, "public.memory_entries", "read"),  # session.query(m.MemoryEntry)
    (_MEMORY_SVC, 16, "public.memory_entries", "read"),  # .filter(m.MemoryEntry.col == ...)
    (_MEMORY_SVC, 17, "public.memory_entries", "read"),
    # with_polymorphic(M, [Sub]) builds a query entity, like aliased(M): a read, high confidence
    (_MEMORY_SVC, 24, "public.memory_entries", "read"),
    (_MEMORY_SVC, 25, "public.memory_entries", "read"),  # .where(m.MemoryEntry.universal_id)
    # session.add(m.EpisodicMemory(...)): single-table subclass -> parent's table
    (_MEMORY_SVC, 29, "public.memory_entries", "write"),
    (_MEMORY_SVC, 35, "public.memory_entries", "write"),  # add_all([m.MemoryEntry(...) ...])
    (_MEMORY_SVC, 42, "public.memory_entries", "write"),  # bulk_insert_mappings(m.MemoryEntry)
    (_MEMORY_SVC, 46, "public.memory_entries", "write"),  # entry = m.MemoryEntry(...): low
    (_MEMORY_SVC, 59, "public.memory_entries", "read"),  # session.query(m.MemoryEntry) ...
    (_MEMORY_SVC, 59, "public.memory_entries", "write"),  # ... .delete()
    (_MEMORY_SVC, 60, "public.memory_entries", "read"),
    (_MEMORY_SVC, 66, "public.memory_entries", "read"),  # session.query(M).filter(..).update(
    (_MEMORY_SVC, 66, "public.memory_entries", "write"),
    (_MEMORY_SVC, 67, "public.memory_entries", "read"),  # {M.importance: M.importance + d}
    # --- app/services/moderation_service.py: lightweight sa.table("banned_users", ...) --------
    (_MODERATION_SVC, 17, "public.banned_users", "read"),  # sa.select(t.c.x).where(t.c.y ...)
    (_MODERATION_SVC, 22, "public.banned_users", "read"),
    (_MODERATION_SVC, 23, "public.banned_users", "read"),
    (_MODERATION_SVC, 24, "public.banned_users", "read"),
    # --- app/models/queries.py: `from . import analytics`, `from .accounts import ...` ---------
    (_QUERIES, 14, "analytics.daily_character_stats", "read"),  # analytics.DailyCharacterStat
    (_QUERIES, 19, "public.user_facts", "read"),  # select(UserFact)
    (_QUERIES, 20, "public.users", "read"),  # .join(Users)
    (_QUERIES, 21, "public.users", "read"),
    (_QUERIES, 22, "public.user_facts", "read"),
    # --- app/web/views.py: `from ..models import profile`, `from .. import models`,
    #     `from app.models.character import Character as CharacterModel` -----------------------
    (_VIEWS, 18, "public.user_profiles", "read"),  # session.get(profile.UserProfile, ...)
    (_VIEWS, 20, "public.platform_identities", "read"),  # select(profile.PlatformIdentity)
    (_VIEWS, 30, "public.user_profiles", "write"),  # update(profile.UserProfile)
    (_VIEWS, 31, "public.user_profiles", "read"),
    (_VIEWS, 37, "public.user_profiles", "write"),  # session.add(profile.UserProfile(...))
    (_VIEWS, 41, "public.characters", "read"),  # session.get(CharacterModel, ...)
    # session.get(models.VoicedCharacter, ...): joined-table subclass -> its table and parent's
    (_VIEWS, 42, "public.character_voice_profiles", "read"),
    (_VIEWS, 42, "public.characters", "read"),
    (_VIEWS, 64, "public.users", "read"),  # select(models.Users.username)...(models.Users.id)
}

# the subset of ORM_USES with confidence "low"
ORM_LOW_CONFIDENCE: set[tuple[str, int, str, str]] = {
    (_CHAR_SVC, 76, "public.character_moods", "write"),  # constructor outside add/merge
    (_MEMORY_SVC, 46, "public.memory_entries", "write"),  # constructor outside add/merge
}

# ---------------------------------------------------------------------------------------------
# ORM_NOT_USES: (path, line) of look-alikes: no ORM use may be reported there (no line below
# is also a declaration or a use).
# ---------------------------------------------------------------------------------------------
ORM_NOT_USES: set[tuple[str, int]] = {
    (_TAGS, 1),  # module docstring: "Character tags for ..."
    (_TAGS, 8),  # import
    (_TAGS, 18),  # -> list[Character]: return annotation
    (_CHAR_SVC, 1),  # module docstring: "Character browsing ..."
    (_CHAR_SVC, 3),  # module docstring naming Character, PersonalityTrait, CharacterMood
    (_CHAR_SVC, 4),  # ... and the relationship_scores Table object
    (_CHAR_SVC, 14),  # import of the re-exports
    (_CHAR_SVC, 19),  # -> list[Character]
    (_CHAR_SVC, 23),  # -> Character | None
    (_CHAR_SVC, 31),  # -> list[PersonalityTrait]
    (_CHAR_SVC, 63),  # log string "Character %s: ..."
    (_CHAR_SVC, 66),  # -> Character (the merge is on 67)
    (_CHAR_SVC, 75),  # -> CharacterMood (the constructor is on 76)
    (_CHAR_SVC, 80),  # comment
    (_CHAR_SVC, 81),  # isinstance(obj, Character)
    (_CHAR_SVC, 82),  # f"Character {obj.name}"
    (_CHAR_SVC, 86),  # def character_card(character: Character): parameter annotation
    (_CHAR_SVC, 87),  # character.id / character.name (parameter), "Character" (string)
    (_MEMORY_SVC, 10),  # import app.models as m
    (_MEMORY_SVC, 13),  # -> list[m.MemoryEntry]
    (_MEMORY_SVC, 23),  # -> list[m.MemoryEntry]
    (_MEMORY_SVC, 45),  # -> m.MemoryEntry
    (_MEMORY_SVC, 47),  # entry.importance = 0.3 (a variable holding an instance)
    (_MEMORY_SVC, 51),  # entry: m.MemoryEntry (parameter annotation)
    (_MEMORY_SVC, 53),  # session.add(entry): `entry` is a parameter, not a model
    (_MODERATION_SVC, 8),  # banned_users = sa.table(: builds a lightweight table, no use
    (_MODERATION_SVC, 9),  # "banned_users" (its name string)
    (_QUERIES, 9),  # from . import analytics
    (_QUERIES, 10),  # from .accounts import UserFact, Users
    (_QUERIES, 13),  # -> Select[tuple[analytics.DailyCharacterStat]]
    (_QUERIES, 17),  # -> Select[tuple[UserFact]]
    (_VIEWS, 10),  # import ... as CharacterModel
    (_VIEWS, 13),  # from .. import models
    (_VIEWS, 14),  # from ..models import profile
    (_VIEWS, 44),  # render_card(character): a variable holding an instance
    (_VIEWS, 49),  # def render_card(character: CharacterModel): annotation only
    (_VIEWS, 50),  # docstring naming CharacterModel
    (_VIEWS, 51),  # character.name (parameter)
    (_VIEWS, 55),  # session.scalars(stats_for_day(day)): the statement is built in queries.py
    (_VIEWS, 60),  # session.scalars(facts_of(username)): idem
    # model modules: class bodies, base-class lists, relationship targets are not uses
    (_MODELS + "__init__.py", 4),  # re-export import
    (_MODELS + "character.py", 25),  # tags: Mapped[list[CharacterTag]] = relationship(...)
    (_MODELS + "character.py", 36),  # character: Mapped[Character] = relationship(...)
    (_MODELS + "accounts.py", 16),  # facts: Mapped[list[UserFact]] = relationship(...)
    (_MODELS + "personality.py", 9),  # from app.models.character import Character
    (_MODELS + "personality.py", 29),  # relationship("Character")
    (_MODELS + "memory.py", 23),  # character = relationship("Character")
}

# ---------------------------------------------------------------------------------------------
# MODEL_WITHOUT_MIGRATION: model tables that no Alembic head state and no SQL source creates.
# ---------------------------------------------------------------------------------------------
# (public.character_moods was the one until Alembic 9b0c1d2e3f4a created it)
MODEL_WITHOUT_MIGRATION: set[str] = set()

# ---------------------------------------------------------------------------------------------
# MODEL_DRIFT: table -> (columns the model lacks vs its reference, columns the model adds).
# reference = the Alembic head state if the table is in one (ALEMBIC_HEAD_TABLES), else the SQL
# source that creates it (SQL_FINAL_STATES). Column SETS are compared: the order differs for
# personality_traits (abstract-base columns last) but that is not drift. Tables whose sets are
# equal are not listed: character_tags ("sql/migrations"), relationship_scores, user_profiles,
# platform_identities, analytics.daily_character_stats ("sql"), users, personality_traits,
# character_voice_profiles ("alembic").
# ---------------------------------------------------------------------------------------------
MODEL_DRIFT: dict[str, tuple[set[str], set[str]]] = {
    # Alembic head (baseline, occupation dropped by 2a3b4c5d6e7f) never had these three; the
    # model follows 00_init.sql instead. The same finding also names the back-office's
    # unmanaged Django model over this table (tests/sample_django_expectations.py,
    # COMBINED_MODEL_DRIFT): one scan reads both.
    "public.characters": (set(), {"bot_name", "archetype", "is_active"}),
    # Alembic 2a3b4c5d6e7f added source; the model was not updated
    "public.user_facts": ({"source"}, set()),
    # reference "sql" (00_init.sql): the model lacks source and adds embedding_ref
    "public.memory_entries": ({"source"}, {"embedding_ref"}),
}

# ---------------------------------------------------------------------------------------------
# REFERENCES: (from_table, to_table) from ForeignKey("t.c") columns (also those a model gets from
# an abstract base: character_moods) and relationship() declared in a model class body (target
# = the first argument, or the Mapped[...] annotation: list[X] / X / "X"). A relationship
# inherited by a subclass adds no pair for the subclass's table.
# ---------------------------------------------------------------------------------------------
REFERENCES: set[tuple[str, str]] = {
    ("public.character_tags", "public.characters"),  # ForeignKey + CharacterTag.character
    ("public.characters", "public.character_tags"),  # Character.tags relationship
    ("public.relationship_scores", "public.characters"),  # ForeignKey in Table()
    ("public.user_facts", "public.users"),  # ForeignKey("users.id") + UserFact.user
    ("public.users", "public.user_facts"),  # Users.facts relationship
    ("public.personality_traits", "public.characters"),  # ForeignKey + relationship("Character")
    ("public.character_moods", "public.characters"),  # ForeignKey from CharacterOwned
    ("public.memory_entries", "public.characters"),  # ForeignKey + relationship("Character")
    ("public.character_voice_profiles", "public.characters"),  # joined inheritance ForeignKey
}


# ---------------------------------------------------------------------------------------------
# BROKEN_DEFINITIONS: (path, line, table) of CREATE statements that cannot run. Status "broken"
# for a table with no other definition: BROKEN_TABLES.
# ---------------------------------------------------------------------------------------------
BROKEN_DEFINITIONS: set[tuple[str, int, str]] = {
    ("sql/reporting/monthly_reports.sql", 5, "public.monthly_reports"),
}
BROKEN_TABLES: set[str] = {"public.monthly_reports"}

# ---------------------------------------------------------------------------------------------
# OTHER_SOURCE_DEFINITIONS: (path, line, table, operation, source_kind) for the create_all and
# migration-module sources.
# * app/cache/response_cache.py:17 `cache_metadata.create_all(engine)` creates every table of
#   cache_metadata (one: response_cache); the call line is the evidence.
# * app/plugins/migrations.py: functions m001..m004 run in number order (the runner calls them
#   so); each statement's line is the line of its table name. A view dropped and re-created in
#   m003 is in the final state; plugin_audit, created in m002 and dropped in m004, is not.
# ---------------------------------------------------------------------------------------------
_PLUGINS = "app/plugins/migrations.py"
OTHER_SOURCE_DEFINITIONS: set[tuple[str, int, str, str, str]] = {
    ("app/cache/response_cache.py", 17, "public.response_cache", "create", "create_all"),
    (_PLUGINS, 5, "public.plugin_state", "create", "migration-module"),
    (_PLUGINS, 9, "public.plugin_summary", "create", "migration-module"),
    (_PLUGINS, 10, "public.plugin_audit", "create", "migration-module"),
    (_PLUGINS, 14, "public.plugin_summary", "drop", "migration-module"),
    (_PLUGINS, 15, "public.plugin_state", "alter", "migration-module"),
    (_PLUGINS, 17, "public.plugin_summary", "create", "migration-module"),
    (_PLUGINS, 22, "public.plugin_audit", "drop", "migration-module"),
}
# source id -> final state: table -> (object type, columns)
# (a view's columns are not computed: None)
OTHER_SOURCE_STATES: dict[str, dict[str, tuple[str, tuple[str, ...] | None]]] = {
    "create_all:app/cache/response_cache.py:17": {
        "public.response_cache": ("table", ("key", "body", "expires_at")),
    },
    "migration-module:app/plugins/migrations.py": {
        "public.plugin_state": ("table", ("plugin", "enabled", "version")),
        "public.plugin_summary": ("view", None),
    },
}


# =============================================================================================
# Issue 9 idioms: table names as real code computes them. sample_repo code written for them:
#   alembic/versions/..._9b0c1d2e3f4a_moods_and_table_cleanup.py
#       op.create_table(CharacterMood.__tablename__, ...) (46) and (MoodPreset.__tablename__,
#       ...) (60) with the models imported from app.models; op.bulk_insert(MoodPreset.__table__,
#       DEFAULT_PRESETS) (67); `for old, new in RENAMES: op.rename_table(old, new)` (68-69) over
#       a module constant; `for table in ("...", "..."): op.drop_table(table)` (73-74); helper
#       `_drop_fk(table, name)` (39-41, batch mode for SQLite) called with literals (71).
#       Each loop iteration is its own operation, on the line of the op call in the loop body.
#       A helper's operation is on the helper's own line (41), as for _create_audit_tables.
#   app/models/base.py     SnakeCaseTableName: @declared_attr.directive __tablename__ with
#                          re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
#   app/models/personality.py  MoodPreset(SnakeCaseTableName, Base) -> "mood_preset" (41)
#   app/db/database.py     Database.insert(self, table_name, row): f"INSERT INTO {table_name}
#                          ..." (36), a helper; Database.fetch_rows(..., table_hint=None): the
#                          hint is validated and logged, never SQL (not a helper); db = Database()
#   call sites of Database.insert (the use is at the call, kind write, the helper's SQL as its
#   snippet): app/characters/voice.py:11 (`db: Database` parameter annotation),
#   app/memory/snapshots.py:14 (`db = Database(pool)`), app/characters/feedback.py:22
#   (`(conn or db).insert(...)`, conn: Database | None, db the module-level instance),
#   app/jobs/rollup_runs.py:13 (untyped `store`: the only helper named insert -> medium).
#   app/characters/moods.py:22  f"DELETE FROM {CharacterMood.__tablename__} WHERE ..."
#   app/api/dependencies.py  LumenModels: properties returning mapped classes; provide_models()
#   app/api/moods.py       `db: LumenModels = Depends(provide_models)` -> select(db.MoodPreset)
#                          (24); `db=Depends(provide_models)` (no annotation: typed by the
#                          factory's return annotation) -> insert(db.CharacterMood) (36)
#   prose look-alikes: app/characters/moods.py:25, app/admin/menu.py:46-47
# =============================================================================================

USES.update(
    {
        # Database.insert at its call sites
        ("app/characters/voice.py", 11, "public.voice_samples", "write"),
        ("app/memory/snapshots.py", 14, "public.memory_snapshots", "write"),
        ("app/characters/feedback.py", 22, "public.message_feedback", "write"),
        ("app/jobs/rollup_runs.py", 13, "public.analytics_rollup_runs", "write"),  # medium
        # the SQL literal given to fetch_rows (its table_hint on line 19 is not a use)
        ("app/characters/voice.py", 16, "public.voice_samples", "read"),
        # f"DELETE FROM {CharacterMood.__tablename__} ...": the model's table
        ("app/characters/moods.py", 22, "public.character_moods", "write"),
    }
)

# every SQL use whose confidence is not "high" (all others are high)
SQL_USE_CONFIDENCE: dict[tuple[str, int, str, str], str] = {
    # token scan of an unparsed DO $$ ... $$ block (see USES)
    ("app/db/maintenance.py", 25, "public.conversation_entries", "write"): "low",
    # `store` is untyped: the repository's one helper named insert that builds SQL
    ("app/jobs/rollup_runs.py", 13, "public.analytics_rollup_runs", "write"): "medium",
}

# uses through a helper: (path, line, table) at the call site -> the helper's SQL (the snippet)
HELPER_CALL_SNIPPETS: dict[tuple[str, int, str], str] = {
    ("app/jobs/cleanup.py", 51, "public.memory_entries"): (
        "DELETE FROM memory_entries WHERE created_at < $1"  # purge_older_than(conn, "...", ...)
    ),
    ("app/characters/voice.py", 11, "public.voice_samples"): (
        "INSERT INTO voice_samples ({columns}) VALUES ({placeholders})"
    ),
    ("app/memory/snapshots.py", 14, "public.memory_snapshots"): (
        "INSERT INTO memory_snapshots ({columns}) VALUES ({placeholders})"
    ),
    ("app/characters/feedback.py", 22, "public.message_feedback"): (
        "INSERT INTO message_feedback ({columns}) VALUES ({placeholders})"
    ),
    ("app/jobs/rollup_runs.py", 13, "public.analytics_rollup_runs"): (
        "INSERT INTO analytics_rollup_runs ({columns}) VALUES ({placeholders})"
    ),
}

NO_USE_LOCATIONS.update(
    {
        ("app/db/database.py", 36),  # the helper's own f"INSERT INTO {table_name} ...": its
        # uses are at the call sites, and it is not a dynamic table name (every call is read)
        ("app/db/database.py", 49),  # logger.debug(..., table_hint ...)
        ("app/characters/voice.py", 19),  # table_hint="voice_samples": validated, never SQL
        ("app/characters/moods.py", 25),  # log: "delete rows older than 30 days: ..."
        ("app/admin/menu.py", 46),  # "Delete rows older than 30 days from the mood history"
        ("app/admin/menu.py", 47),  # "Update table settings (page size, retention) ..."
    }
)

ABSENT_TABLES.update(
    {
        "public.rows",  # prose: "delete rows older than 30 days"
        "public.table",  # prose: "Update table settings"
        "public.settings",
        "public.history",
        "public.table_name",  # the helper's parameter
        "public.table_hint",
        "public.moodpreset",  # the lowercase rule; SnakeCaseTableName gives mood_preset
    }
)

ALEMBIC_DEFINITIONS.update(
    {
        # create_table(CharacterMood.__tablename__, ...), create_table(MoodPreset.__tablename__)
        (_MOODS, 46, "public.character_moods", "create", "9b0c1d2e3f4a"),
        (_MOODS, 60, "public.mood_preset", "create", "9b0c1d2e3f4a"),
        # for old, new in RENAMES: op.rename_table(old, new): two iterations, one line
        (_MOODS, 69, "public.character_memory_snapshots", "rename_from", "9b0c1d2e3f4a"),
        (_MOODS, 69, "public.memory_snapshots", "rename_to", "9b0c1d2e3f4a"),
        (_MOODS, 69, "public.character_voice_samples", "rename_from", "9b0c1d2e3f4a"),
        (_MOODS, 69, "public.voice_samples", "rename_to", "9b0c1d2e3f4a"),
        # for table in ("character_audit_event_payloads", "character_audit_events"): drop_table
        (_MOODS, 74, "public.character_audit_event_payloads", "drop", "9b0c1d2e3f4a"),
        (_MOODS, 74, "public.character_audit_events", "drop", "9b0c1d2e3f4a"),
    }
)

# the loop's binding, appended to each iteration's snippet
ALEMBIC_LOOP_BINDINGS: dict[tuple[str, int, str, str], str] = {
    (_MOODS, 69, "public.character_memory_snapshots", "rename_from"): (
        "[for old='character_memory_snapshots', new='memory_snapshots']"
    ),
    (_MOODS, 69, "public.memory_snapshots", "rename_to"): (
        "[for old='character_memory_snapshots', new='memory_snapshots']"
    ),
    (_MOODS, 69, "public.character_voice_samples", "rename_from"): (
        "[for old='character_voice_samples', new='voice_samples']"
    ),
    (_MOODS, 69, "public.voice_samples", "rename_to"): (
        "[for old='character_voice_samples', new='voice_samples']"
    ),
    (_MOODS, 74, "public.character_audit_event_payloads", "drop"): (
        "[for table='character_audit_event_payloads']"
    ),
    (_MOODS, 74, "public.character_audit_events", "drop"): "[for table='character_audit_events']",
}

# revision -> every operation tabletrace lists for it: (table, operation, path, line); also
# the ones that are not definitions (bulk_insert "data", the helper's "constraint")
ALEMBIC_REVISION_OPERATIONS: dict[str, set[tuple[str, str, str, int]]] = {
    "9b0c1d2e3f4a": {
        ("public.message_feedback", "constraint", _MOODS, 41),  # _drop_fk("message_feedback", ..)
        ("public.character_moods", "create", _MOODS, 46),
        ("public.mood_preset", "create", _MOODS, 60),
        ("public.mood_preset", "data", _MOODS, 67),  # op.bulk_insert(MoodPreset.__table__, ...)
        ("public.character_memory_snapshots", "rename_from", _MOODS, 69),
        ("public.memory_snapshots", "rename_to", _MOODS, 69),
        ("public.character_voice_samples", "rename_from", _MOODS, 69),
        ("public.voice_samples", "rename_to", _MOODS, 69),
        ("public.character_audit_event_payloads", "drop", _MOODS, 74),
        ("public.character_audit_events", "drop", _MOODS, 74),
    },
}

# MoodPreset: no __tablename__, SnakeCaseTableName computes "mood_preset"
MODEL_TABLES["public.mood_preset"] = ("id", "name", "valence", "arousal")
MODEL_DECLARATIONS.add((_MODELS + "personality.py", 41, "public.mood_preset", "MoodPreset"))

_MOODS_API = "app/api/moods.py"
_DEPENDENCIES = "app/api/dependencies.py"
ORM_USES.update(
    {
        # db: LumenModels = Depends(provide_models); select(db.MoodPreset).order_by(...)
        (_MOODS_API, 24, "public.mood_preset", "read"),
        # db=Depends(provide_models) (typed by the factory); sa.insert(db.CharacterMood)
        (_MOODS_API, 36, "public.character_moods", "write"),
        # the registry's properties return the classes: low-confidence reads, as any other load
        (_DEPENDENCIES, 23, "public.character_moods", "read"),  # return CharacterMood
        (_DEPENDENCIES, 27, "public.mood_preset", "read"),  # return MoodPreset
    }
)
ORM_LOW_CONFIDENCE.update(
    {
        (_DEPENDENCIES, 23, "public.character_moods", "read"),
        (_DEPENDENCIES, 27, "public.mood_preset", "read"),
    }
)
ORM_NOT_USES.update(
    {
        (_MOODS_API, 10),  # import of LumenModels, provide_models
        (_MOODS_API, 22),  # db: LumenModels = Depends(provide_models): a parameter
        (_MOODS_API, 25),  # preset.name: an instance
        (_MOODS_API, 33),  # db=Depends(provide_models)
        (_DEPENDENCIES, 15),  # from app.models import CharacterMood, MoodPreset
        (_DEPENDENCIES, 22),  # def CharacterMood(self) -> type[CharacterMood]: annotation
        (_DEPENDENCIES, 26),  # def MoodPreset(self) -> type[MoodPreset]: annotation
        ("app/characters/moods.py", 1),  # docstring naming app.models.CharacterMood
        ("app/characters/moods.py", 10),  # from app.models import CharacterMood
    }
)
