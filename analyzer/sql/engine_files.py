"""SQL files written for one database engine: `full.sql.postgres`, `delta.sql.sqlite`.

Projects that support several engines keep a variant of a schema file per engine, named by a
suffix after `.sql`. Each is a SQL source read in its engine's dialect; the variants of one
file are alternatives (a database runs one of them), never rival owners of a table.
"""

from __future__ import annotations

import re

# suffix after ".sql" -> sqlglot dialect
ENGINE_SUFFIXES = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "pg": "postgres",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "mysql": "mysql",
}


def is_sql_file(name: str) -> bool:
    """A `.sql` file, or one of its engine variants (`x.sql.postgres`)."""
    return name.endswith(".sql") or engine_of(name) is not None


# an engine named as a word of a `.sql` file's name (`mysql-init.sql`, `schema_sqlite.sql`),
# full names only (`pg_dump.sql` names no variant)
ENGINE_WORDS = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "mysql": "mysql",
    "mariadb": "mysql",
}
_WORD = re.compile(r"[A-Za-z0-9]+")


def engine_of(name: str) -> str | None:
    """The dialect an engine variant is written in (`x.sql.sqlite` -> "sqlite", and
    `mysql-init.sql` -> "mysql": a container's init script per engine), else None."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        return None
    if stem.endswith(".sql"):
        return ENGINE_SUFFIXES.get(suffix.lower())
    if suffix.lower() != "sql":
        return None
    engines = {
        ENGINE_WORDS[word.lower()]
        for word in _WORD.findall(stem.rpartition("/")[2]) if word.lower() in ENGINE_WORDS
    }
    return engines.pop() if len(engines) == 1 else None


# a SQL text that begins (after blank lines and comments) with SQLite's `PRAGMA`: a dump of a
# SQLite database (`sqlite3 .dump` writes `PRAGMA foreign_keys=OFF;` first)
_LEADING_PRAGMA = re.compile(rb"(?:\s+|--[^\n]*\n)*PRAGMA\b", re.IGNORECASE)


def dialect_of(path: str, data: bytes | None = None) -> str | None:
    """The dialect a SQL file is written in when it says so, else None (the project's): its
    name (`engine_of`), a folder of its path named for an engine (`schema/sqlite/app.sql`, a
    project keeping one schema per engine), or, given its bytes, a first statement only
    SQLite has (`PRAGMA foreign_keys=OFF;`). Read in the project's dialect, SQLite's
    `REFERENCES user (id)` is broken PostgreSQL."""
    found = engine_of(path)
    if found is not None:
        return found
    folders = {
        ENGINE_WORDS[part.lower()] for part in path.split("/")[:-1]
        if part.lower() in ENGINE_WORDS
    }
    if len(folders) == 1:
        return folders.pop()
    if data is not None and _LEADING_PRAGMA.match(data):
        return "sqlite"
    return None


def variant_family(path: str) -> str | None:
    """The path the engine variants of one file share (`a/full.sql.postgres` -> `a/full.sql`,
    `a/mysql-init.sql` -> `a/*-init.sql`)."""
    if engine_of(path) is None:
        return None
    stem, _, suffix = path.rpartition(".")
    if stem.endswith(".sql"):
        return stem
    folder, slash, name = stem.rpartition("/")
    family = "".join(
        "*" if part.lower() in ENGINE_WORDS else part for part in re.split(r"([A-Za-z0-9]+)", name)
    )
    return f"{folder}{slash}{family}.{suffix}"


_DIALECTS = frozenset(ENGINE_SUFFIXES.values())

# A numbered folder holding engine variants is one ordered source per engine: `sql:db#sqlite`.
_ENGINE_MARK = "#"


def engine_source_id(base: str, engine: str) -> str:
    """The id of a folder's ordered source for one engine (`sql:db` -> `sql:db#sqlite`)."""
    return f"{base}{_ENGINE_MARK}{engine}"


def source_engine(source_id: str) -> str | None:
    """The engine a source id was made for by `engine_source_id`, else None."""
    base, mark, engine = source_id.rpartition(_ENGINE_MARK)
    return engine if mark and base and engine in _DIALECTS else None


def engine_family(source_id: str) -> str | None:
    """The id the engine sources of one folder share (`sql:db#sqlite` -> `sql:db`)."""
    return source_id.rpartition(_ENGINE_MARK)[0] if source_engine(source_id) else None
