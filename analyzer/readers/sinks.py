"""Calls whose argument is SQL: the sink catalogue (shared with the pre-filter, no LibCST)."""

from __future__ import annotations

# --------------------------------------------------------------------------------------------
# Sinks (reference: CodeQL's PEP 249 / SQLAlchemy / asyncpg / psycopg / pandas / Django models)
# --------------------------------------------------------------------------------------------

#: Calls whose first positional argument is SQL, whether called as ``f(...)`` or ``obj.f(...)``.
SINKS: frozenset[str] = frozenset(
    {
        "execute",  # PEP 249 cursor/connection, SQLAlchemy Connection/Session, asyncpg, aiosqlite
        "executemany",  # PEP 249, asyncpg
        "executescript",  # sqlite3, aiosqlite
        "exec_driver_sql",  # SQLAlchemy Connection
        "execute_sql",  # peewee Database
        "text",  # sqlalchemy.text
        "RawSQL",  # django.db.models.expressions.RawSQL
        "SQL",  # psycopg(2).sql.SQL
        "read_sql",  # pandas
        "read_sql_query",  # pandas
    }
)

#: Generic names that only count as sinks when called as a method (``conn.fetch(...)``), so that
#: e.g. a helper ``fetch(session, url)`` is not mistaken for SQL.
METHOD_SINKS: frozenset[str] = frozenset(
    {
        "fetch",  # asyncpg
        "fetchrow",  # asyncpg
        "fetchval",  # asyncpg
        "prepare",  # asyncpg
        "copy_from_query",  # asyncpg
        "fetch_all",  # encode/databases
        "fetch_one",  # encode/databases
        "fetch_val",  # encode/databases
        "execute_many",  # encode/databases
        "execute_fetchall",  # aiosqlite
        "mogrify",  # psycopg2 / psycopg cursor
        "copy_expert",  # psycopg2 cursor (copy_from/copy_to take a table, not SQL)
        "scalar",  # SQLAlchemy Connection/Session
        "scalars",  # SQLAlchemy Session
        "raw",  # Django Manager.raw
        "sql",  # PySpark SparkSession.sql, DuckDB connection.sql
    }
)

#: Keyword arguments that carry the SQL of a sink call.
SQL_KEYWORDS: frozenset[str] = frozenset({"query", "sql", "statement", "operation"})
