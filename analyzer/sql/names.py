"""Table-name normalisation shared by the SQL layer and its consumers.

PostgreSQL folds unquoted identifiers to lower case and keeps quoted ones verbatim, so
``Users``, ``users`` and ``public.users`` are one table while ``"Users"`` is another. Every
name leaving the SQL layer goes through :func:`normalize_identifier` so that consumers can
compare names with plain string equality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# PostgreSQL folds only ASCII letters in multi-byte encodings (see downcase_identifier), so
# str.lower() would be wrong for names such as "Ärger".
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]*\Z")


def normalize_identifier(text: str, quoted: bool) -> str:
    """Return the name PostgreSQL would store: unquoted folds to lower case, quoted is kept."""
    return text if quoted else text.translate(_ASCII_LOWER)


def display_identifier(part: str) -> str:
    """Render one normalised name part, quoting it only when a reader could misread it."""
    if _PLAIN_IDENTIFIER.match(part):
        return part
    escaped = part.replace('"', '""')
    return f'"{escaped}"'


@dataclass(frozen=True, slots=True, order=True)
class TableKey:
    """Identity of a table: normalised schema and name (the catalog part is never kept)."""

    schema: str
    name: str

    @property
    def display(self) -> str:
        """``schema.name`` for humans, quoting parts that need it, e.g. ``public."Accounts"``."""
        return f"{display_identifier(self.schema)}.{display_identifier(self.name)}"

    @classmethod
    def from_parts(cls, schema: str | None, name: str, default_schema: str) -> TableKey:
        """Build a key from already-normalised parts; an absent schema means the default one."""
        return cls(schema or default_schema, name)


#: The schema of a table whose schema the code names only at run time (`f'"{schema}".PROJECTS'`):
#: replaced, once every source is read, by the one schema a table of that name is in
#: (`analysis.placed_in_schemas`)
ANY_SCHEMA = "*"


def from_parts(schema: str | None, name: str, default_schema: str) -> TableKey:
    """Module-level spelling of :meth:`TableKey.from_parts`."""
    return TableKey.from_parts(schema, name, default_schema)


SYSTEM_SCHEMAS = frozenset(
    {"pg_catalog", "information_schema", "pg_toast", "sys", "mysql", "performance_schema",
     # DB2's catalogs, Cassandra's and ClickHouse's (`system.columns`, `system_schema.tables`)
     "syscat", "sysibm", "sysibmadm", "sysstat", "system", "system_schema"}
)  # fmt: skip
SYSTEM_PREFIXES = (
    "pg_", "sqlite_",
    # Amazon Redshift's system views and tables (`svv_columns`, `stl_query`), Exasol's
    # (`exa_all_columns`)
    "svv_", "stv_", "stl_", "svl_", "exa_all_", "exa_user_", "exa_dba_",
)
#: Oracle's catalog views and its one-row table (`SELECT ... FROM dual`, also MySQL's), as a
#: query runner of another database reads them: the engine's, no table of the repository
#: (`user_tables`, `user_objects`... are left out: a project may name its own tables so)
VENDOR_CATALOG_TABLES = frozenset(
    {"dual", "all_tab_cols", "all_tab_columns", "all_tables", "all_views", "all_objects",
     "all_constraints", "all_cons_columns", "all_indexes", "all_ind_columns", "all_users",
     "all_synonyms", "all_sequences", "user_tab_cols", "user_tab_columns", "dba_tables",
     "dba_tab_columns", "dba_objects", "dba_users"}
)  # fmt: skip
#: Tables a migration tool creates for its own bookkeeping (Alembic's default version table,
#: Django's, Flyway's, Rails' and dbmate's, goose's, sqlalchemy-migrate's): no source of the
#: repository defines them.
BOOKKEEPING_TABLES = frozenset(
    {"alembic_version", "django_migrations", "flyway_schema_history", "schema_migrations",
     "goose_db_version", "migrate_version"}
)  # fmt: skip


#: SQLite's table-valued pragma functions (`SELECT name FROM pragma_table_list`,
#: `pragma_table_info('users')`): the pragmas that return rows without side effects.
SQLITE_PRAGMA_TABLES = frozenset(
    f"pragma_{name}" for name in (
        "application_id", "auto_vacuum", "automatic_index", "busy_timeout", "cache_size",
        "cache_spill", "cell_size_check", "checkpoint_fullfsync", "collation_list",
        "compile_options", "data_version", "database_list", "defer_foreign_keys", "encoding",
        "foreign_key_check", "foreign_key_list", "foreign_keys", "freelist_count",
        "fullfsync", "function_list", "hard_heap_limit", "ignore_check_constraints",
        "index_info", "index_list", "index_xinfo", "integrity_check", "journal_mode",
        "journal_size_limit", "legacy_alter_table", "locking_mode", "max_page_count",
        "mmap_size", "module_list", "page_count", "page_size", "pragma_list", "query_only",
        "quick_check", "read_uncommitted", "recursive_triggers", "reverse_unordered_selects",
        "secure_delete", "soft_heap_limit", "synchronous", "table_info", "table_list",
        "table_xinfo", "temp_store", "threads", "trusted_schema", "user_version",
        "wal_autocheckpoint",
    )
)

#: The one "table" of Amazon S3 Select's SQL (and MinIO's, Ceph's): `SELECT s.id FROM
#: S3Object s`, sent with `select_object_content(Expression=...)`, queries the object itself;
#: no database has such a table.
OBJECT_QUERY_TABLES = frozenset({"s3object"})


def is_system_table(key: TableKey) -> bool:
    """Catalog tables the database provides (`pg_class`, `information_schema.tables`,
    `sqlite_master`) and the bookkeeping tables of migration tools (`alembic_version`, which
    a backup or a health check reads): used by code, created by no migration, and rightly so."""
    return (
        key.schema in SYSTEM_SCHEMAS
        or key.name.startswith(SYSTEM_PREFIXES)
        or key.name in BOOKKEEPING_TABLES
        or key.name in SQLITE_PRAGMA_TABLES
        or key.name in OBJECT_QUERY_TABLES
        or key.name in VENDOR_CATALOG_TABLES
        # Alembic's version table renamed per environment (`context.configure(version_table=
        # f"alembic_version_plugin_{name}")`, one per plugin's migrations)
        or key.name.startswith("alembic_version_")
    )
