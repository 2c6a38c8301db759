"""Calls whose argument is SQL: the sink catalogue (shared with the pre-filter, no LibCST)."""

from __future__ import annotations

import re
import sys

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

#: Attributes a model class has from its mapping, not from its body: an abstract model's
#: method reading `cls._meta.db_table` or `cls.__tablename__` is read once per concrete model
#: below it (`Evaluator.overrides`, `Closure.subclasses_of`). Not `__table__`: a base's
#: `self.__table__.columns` in a `to_dict()` reads the mapping of every model, no row.
MODEL_TABLE_ATTRIBUTES: frozenset[str] = frozenset({"_meta", "__tablename__"})

#: Keyword arguments that carry the SQL of a sink call.
SQL_KEYWORDS: frozenset[str] = frozenset({"query", "sql", "statement", "operation"})

#: Methods that register a DataFrame under a name the session's SQL then reads (PySpark's
#: `df.createOrReplaceTempView("listens")`, then `spark.sql("SELECT ... FROM listens")`): each is
#: the statement it stands for, with the name after it. The view lives in the session, as a
#: `CREATE TEMPORARY VIEW` does; a global one in Spark's `global_temp` database.
TEMP_VIEW_METHODS: dict[str, str] = {
    "createOrReplaceTempView": "CREATE OR REPLACE TEMPORARY VIEW ",
    "createTempView": "CREATE TEMPORARY VIEW ",
    "registerTempTable": "CREATE OR REPLACE TEMPORARY VIEW ",  # PySpark before 2.0
    "createOrReplaceGlobalTempView": "CREATE OR REPLACE TEMPORARY VIEW global_temp.",
    "createGlobalTempView": "CREATE TEMPORARY VIEW global_temp.",
}
#: Cursor methods that copy rows to or from a table they are given by name (psycopg2's
#: `cur.copy_from(file, "listens")` is `COPY listens FROM STDIN`, `copy_to(file, table)` is
#: `COPY table TO STDOUT`): the statement written around the name, the name's position, and
#: the keyword that may give it.
TABLE_COPY_METHODS: dict[str, tuple[str, str, int, str]] = {
    "copy_from": ("COPY ", " FROM STDIN", 1, "table"),
    "copy_to": ("COPY ", " TO STDOUT", 1, "table"),
}
#: Keyword arguments that carry the name of a temporary view.
TEMP_VIEW_KEYWORDS: frozenset[str] = frozenset({"name", "viewName", "tableName"})

# --------------------------------------------------------------------------------------------
# Helper calls and candidates (shared by the code-SQL reader and the pre-filter)
# --------------------------------------------------------------------------------------------

MIN_TEXT_LENGTH = 6  # non-sink candidates with less literal text than this are dropped
TABLE_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)?")
#: Calls that never take a table name for a repository helper (logging, builtins, containers).
NOT_HELPERS = frozenset(
    {
        *("print", "len", "str", "int", "float", "bool", "bytes", "repr", "isinstance"),
        *("issubclass", "getattr", "setattr", "hasattr", "delattr", "type", "super", "dict"),
        *("list", "set", "tuple", "frozenset", "sorted", "reversed", "enumerate", "zip"),
        *("range", "map", "filter", "min", "max", "sum", "any", "all", "iter", "next", "open"),
        *("format", "vars", "id", "hash", "round", "abs", "callable", "debug", "info"),
        *("warning", "warn", "error", "exception", "critical", "log", "append", "extend"),
        *("add", "discard", "remove", "startswith", "endswith", "split", "rsplit", "strip"),
        *("lstrip", "rstrip", "lower", "upper", "replace", "join", "encode", "decode"),
        *("setdefault", "pop", "popitem", "items", "keys", "values", "copy"),
    }
)
LOG_ROOTS = frozenset({"logger", "log", "logging", "LOGGER", "LOG", "_logger", "_log", "warnings"})
#: Top-level packages of libraries, never of the scanned repository: an Alembic revision's
#: import of one is not a project module, and a call of one of their functions given to a sink
#: (`session.execute(select(User))`) returns no SQL text the resolver could read.
LIBRARY_ROOTS = frozenset(sys.stdlib_module_names) | {
    "alembic", "sqlalchemy", "sqlmodel", "flask_sqlalchemy", "psycopg2", "psycopg", "asyncpg",
    "django", "pydantic", "typing_extensions", "click", "typer",
}


# --------------------------------------------------------------------------------------------
# Table objects (shared with the pre-filter: its condition must hold wherever the reader's does)
# --------------------------------------------------------------------------------------------

#: Packages whose import makes a module SQLAlchemy code (``import sqlalchemy as sa``).
SQLALCHEMY_ROOTS: frozenset[str] = frozenset({"sqlalchemy", "sqlmodel", "flask_sqlalchemy"})
#: Methods of a ``Table`` object that build a statement on it: ``t.insert()``.
TABLE_STATEMENT_METHODS: frozenset[str] = frozenset({"insert", "update", "delete", "select"})
#: The context of `q.delete()` / `q.update(...)` on a local: a query it holds writes its model
#: (`orm.uses`); a Table held in a local (`t.delete()`) is the table-object reading's.
QUERY_HELD = "query_write"
#: `row.label = "x"` on a local holding a row a query loaded: the session's UPDATE of it
ATTRIBUTE_SET = "attribute_set"
#: `shelf.owners.append(reader)`: a relationship's collection changed, its association written
RELATIONSHIP_WRITE = "relationship_write"
#: Attributes of a ``Table`` object holding its columns: ``t.c.name``.
TABLE_COLUMNS: frozenset[str] = frozenset({"c", "columns"})

#: Methods a repository's model base often defines to write a row through the session
#: (`asset.save()`, `entity.update({...})`, `task.delete()`): the SQLAlchemy reader records
#: their calls like peewee's `save()`, kept where the row's class, or a base of it, defines
#: one that does (`orm.uses.method_write`)
ROW_METHOD_WRITES = frozenset({"save", "update", "delete", "remove", "destroy"})
#: The context of such a call's reference, before the method's name (`row_method:update`;
#: peewee's `save` keeps its own context, `save`)
ROW_METHOD = "row_method:"


def in_memory_sqlite(url: str | None, call: str) -> bool:
    """`create_engine("sqlite://")` / `"sqlite:///:memory:"`, `sqlite3.connect(":memory:")`
    (or `"file::memory:?cache=shared"`): a database no file holds; `call` is the callee's
    last name (`create_engine` takes a URL, `connect` a file name)."""
    if url is None:
        return False
    if call == "connect":
        return url == ":memory:" or url.startswith("file::memory:")
    scheme, _, rest = url.partition("://")
    return scheme.split("+")[0] == "sqlite" and rest in ("", "/", "/:memory:")
