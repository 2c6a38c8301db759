"""Read a live database's catalogue and usage statistics, read-only.

PostgreSQL connections set `default_transaction_read_only = on` and a statement timeout in the
startup packet, so even a mistake in this module could not write; the queries touch only
`pg_catalog` and the statistics views. SQLite files are opened with `mode=ro` and give the
catalogue only (SQLite keeps no usage statistics).

Objects that belong to an extension (PostGIS's `spatial_ref_sys`...) are left out: no source
of the repository is expected to define them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from analyzer.database import DatabaseError, psycopg_module
from analyzer.database.url import DatabaseUrl
from analyzer.sql.names import TableKey, normalize_identifier

DEFAULT_TIMEOUT = 10.0
RELKIND = {"r": "table", "p": "table", "v": "view", "m": "materialized_view", "f": "foreign_table"}

RELATIONS_SQL = """
SELECT c.oid, n.nspname, c.relname, c.relkind
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  )
ORDER BY n.nspname, c.relname
"""

COLUMNS_SQL = """
SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
FROM pg_catalog.pg_attribute a
WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid = ANY(%s)
ORDER BY a.attrelid, a.attnum
"""

STATISTICS_SQL = """
SELECT relid, seq_scan, idx_scan, n_tup_ins, n_tup_upd, n_tup_del, n_live_tup,
       last_vacuum, last_autovacuum, last_analyze, last_autoanalyze
FROM pg_catalog.pg_stat_user_tables
"""

INDEXES_SQL = "SELECT indrelid, count(*) FROM pg_catalog.pg_index GROUP BY indrelid"
FOREIGN_KEYS_SQL = """
SELECT conrelid, confrelid FROM pg_catalog.pg_constraint WHERE contype = 'f' ORDER BY conname
"""

STATS_RESET_SQL = """
SELECT stats_reset FROM pg_catalog.pg_stat_database WHERE datname = current_database()
"""


@dataclass(frozen=True, slots=True)
class TableActivity:
    """One table's row of `pg_stat_user_tables` (counters since the last statistics reset)."""

    seq_scan: int
    idx_scan: int
    n_tup_ins: int
    n_tup_upd: int
    n_tup_del: int
    n_live_tup: int
    last_vacuum: str | None = None
    last_autovacuum: str | None = None
    last_analyze: str | None = None
    last_autoanalyze: str | None = None

    @property
    def scans(self) -> int:
        return self.seq_scan + self.idx_scan

    @property
    def writes(self) -> int:
        return self.n_tup_ins + self.n_tup_upd + self.n_tup_del


@dataclass(frozen=True, slots=True)
class LiveTable:
    schema: str
    name: str
    object_type: str
    columns: tuple[str, ...]
    column_types: tuple[str, ...]
    activity: TableActivity | None = None
    indexes: int = 0
    foreign_keys: int = 0  # declared on this table
    referenced_by: tuple[str, ...] = ()  # tables whose foreign keys point here

    @property
    def ddl_scans(self) -> int:
        """Sequential scans that DDL alone may have made: one per index build and per foreign
        key validated (on either side). They count in `seq_scan` but are no use."""
        return self.indexes + self.foreign_keys + len(self.referenced_by)

    @property
    def used(self) -> bool:
        """Statistics show use beyond what building the schema itself causes."""
        activity = self.activity
        if activity is None:
            return False
        return bool(activity.writes or activity.idx_scan or activity.seq_scan > self.ddl_scans)

    @property
    def key(self) -> TableKey:
        return TableKey(self.schema, self.name)

    @property
    def display(self) -> str:
        return self.key.display


@dataclass(frozen=True, slots=True)
class LiveCatalog:
    """What a database holds: its tables, views and their statistics."""

    url: str  # masked
    kind: str  # postgresql | sqlite
    server_version: str | None
    stats_reset: str | None
    has_statistics: bool
    tables: dict[tuple[str, str], LiveTable] = field(default_factory=dict)

    def get(self, key: TableKey) -> LiveTable | None:
        return self.tables.get((key.schema, key.name))


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def connect_read_only(url: DatabaseUrl, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """A psycopg connection that cannot write and gives up on slow statements."""
    psycopg = psycopg_module()
    options = (
        f"-c default_transaction_read_only=on -c statement_timeout={int(timeout * 1000)}"
    )
    try:
        return psycopg.connect(
            url.conninfo,
            autocommit=True,
            connect_timeout=max(1, int(timeout)),
            options=options,
            application_name="tabletrace",
        )
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot connect to {url.display}: {url.scrub(str(exc))}") from None


def read_catalog(url: DatabaseUrl, *, default_schema: str = "public",
                 timeout: float = DEFAULT_TIMEOUT) -> LiveCatalog:
    """The catalogue (and, for PostgreSQL, the statistics) of the database at `url`."""
    if url.kind == "sqlite":
        return _read_sqlite(url, default_schema)
    psycopg = psycopg_module()
    with connect_read_only(url, timeout) as conn:
        try:
            return read_postgres_catalog(conn, url.display)
        except psycopg.Error as exc:
            raise DatabaseError(
                f"cannot read the catalogue of {url.display}: {url.scrub(str(exc))}"
            ) from None


def read_postgres_catalog(conn: Any, display: str) -> LiveCatalog:
    """Catalogue and statistics through an open psycopg connection (read-only queries)."""
    relations = conn.execute(RELATIONS_SQL).fetchall()
    oids = [row[0] for row in relations]
    columns: dict[int, list[tuple[str, str]]] = {}
    for oid, name, type_name in conn.execute(COLUMNS_SQL, (oids,)).fetchall():
        columns.setdefault(oid, []).append((name, type_name))
    activity: dict[int, TableActivity] = {}
    for row in conn.execute(STATISTICS_SQL).fetchall():
        activity[row[0]] = TableActivity(
            seq_scan=row[1] or 0,
            idx_scan=row[2] or 0,
            n_tup_ins=row[3] or 0,
            n_tup_upd=row[4] or 0,
            n_tup_del=row[5] or 0,
            n_live_tup=row[6] or 0,
            last_vacuum=_iso(row[7]),
            last_autovacuum=_iso(row[8]),
            last_analyze=_iso(row[9]),
            last_autoanalyze=_iso(row[10]),
        )
    indexes = dict(conn.execute(INDEXES_SQL).fetchall())
    foreign_keys: dict[int, int] = {}
    referenced_by: dict[int, list[int]] = {}
    for source, target in conn.execute(FOREIGN_KEYS_SQL).fetchall():
        foreign_keys[source] = foreign_keys.get(source, 0) + 1
        referenced_by.setdefault(target, []).append(source)
    reset_row = conn.execute(STATS_RESET_SQL).fetchone()
    version = conn.execute("SHOW server_version").fetchone()
    tables: dict[tuple[str, str], LiveTable] = {}
    names = {oid: TableKey(schema, name).display for oid, schema, name, _ in relations}
    for oid, schema, name, relkind in relations:
        cols = columns.get(oid, [])
        tables[(schema, name)] = LiveTable(
            schema=schema,
            name=name,
            object_type=RELKIND[relkind],
            columns=tuple(c for c, _ in cols),
            column_types=tuple(t for _, t in cols),
            activity=activity.get(oid),
            indexes=indexes.get(oid, 0),
            foreign_keys=foreign_keys.get(oid, 0),
            referenced_by=tuple(
                sorted({names[source] for source in referenced_by.get(oid, ()) if source in names})
            ),
        )
    return LiveCatalog(
        url=display,
        kind="postgresql",
        server_version=version[0] if version else None,
        stats_reset=_iso(reset_row[0]) if reset_row else None,
        has_statistics=True,
        tables=tables,
    )


def _read_sqlite(url: DatabaseUrl, default_schema: str) -> LiveCatalog:
    path = url.sqlite_path or ""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open SQLite file {path}: {exc}") from None
    try:
        rows = conn.execute(
            "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        ).fetchall()
        tables: dict[tuple[str, str], LiveTable] = {}
        for name, kind in rows:
            quoted = '"' + name.replace('"', '""') + '"'
            info = conn.execute(f"PRAGMA table_info({quoted})").fetchall()
            # SQLite compares table names case-insensitively; the report folds like PostgreSQL
            key_name = normalize_identifier(name, quoted=False)
            tables[(default_schema, key_name)] = LiveTable(
                schema=default_schema,
                name=key_name,
                object_type="table" if kind == "table" else "view",
                columns=tuple(normalize_identifier(str(row[1]), quoted=False) for row in info),
                column_types=tuple(str(row[2]) for row in info),
            )
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot read SQLite file {path}: {exc}") from None
    finally:
        conn.close()
    version = sqlite3.sqlite_version
    return LiveCatalog(
        url=url.display,
        kind="sqlite",
        server_version=f"SQLite {version}",
        stats_reset=None,
        has_statistics=False,
        tables=tables,
    )
