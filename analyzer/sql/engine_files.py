"""SQL files written for one database engine: `full.sql.postgres`, `delta.sql.sqlite`.

Projects that support several engines keep a variant of a schema file per engine, named by a
suffix after `.sql`. Each is a SQL source read in its engine's dialect; the variants of one
file are alternatives (a database runs one of them), never rival owners of a table.
"""

from __future__ import annotations

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


def engine_of(name: str) -> str | None:
    """The dialect an engine variant is written in (`x.sql.sqlite` -> "sqlite"), else None."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem.endswith(".sql"):
        return None
    return ENGINE_SUFFIXES.get(suffix.lower())


def variant_family(path: str) -> str | None:
    """The path the engine variants of one file share (`a/full.sql.postgres` -> `a/full.sql`)."""
    if engine_of(path) is None:
        return None
    return path.rpartition(".")[0]


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
