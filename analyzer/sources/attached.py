"""SQLite's attached databases, and tables the code checks for, as external sources.

`ATTACH DATABASE ? AS import_db` gives another database file the schema name `import_db`;
the code then reads `import_db.session_history`, a table of that file, which no source of the
repository creates (an older copy of the application's own database, imported row by row).
Such a table is owned outside the repository: it gets a source of kind `external`, named
after the attached schema and placed at the first `ATTACH` that names it, so that it is never
an undefined table and the report says where the database comes in. A table of that schema
that a source of the repository does create stays that source's; its catalog
(`import_db.sqlite_master`) stays a system table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from analyzer.facts import PythonFacts
from analyzer.models import Use
from analyzer.resolve.code_sql import PythonSql
from analyzer.resolve.index import absolute_module
from analyzer.sources.model import EXTERNAL_KIND, OWN_FILE_PREFIX, SourceHistory, StateEntry
from analyzer.sql.names import TableKey, is_system_table
from analyzer.sql.refs import CREATING_OPERATIONS, TEMPORARY_CREATION

T = TypeVar("T", bound=Hashable)


def attached_histories(
    resolved: Mapping[str, PythonSql],
    uses: Iterable[tuple[TableKey, Use]],
    histories: Iterable[SourceHistory],
    memory: Mapping[str, list[int]] | None = None,
    default_schema: str = "public",
) -> list[SourceHistory]:
    """One external source per attached schema name whose tables the code uses and no other
    source creates (`histories`: every source replayed so far).

    A module that opens an in-memory SQLite database (`memory`: its lines, by path) and
    attaches others to it (calibre-web: `create_engine("sqlite://")`, then `ATTACH ... AS
    calibre`) finds every unqualified name in the attached databases, its empty main one
    holding none: the tables its models declare and its SQL uses unqualified, that no
    source creates, are the attached databases' too (one source for them, at the module's
    first ATTACH)."""
    histories = list(histories)
    uses = list(uses)
    first = _first_places(resolved, lambda sql: sql.attached)
    if not first:
        return []
    created = {
        key for history in histories if history.kind not in ("model", EXTERNAL_KIND)
        for key in history.state
    }
    by_schema: dict[str, set[TableKey]] = {}
    for key, _ in uses:
        if key.schema in first and key not in created and not is_system_table(key):
            by_schema.setdefault(key.schema, set()).add(key)
    out = [
        _external(f"ATTACH {name} ({path}:{line})", path, sorted(by_schema[name]))
        for name in sorted(by_schema)
        for path, line in [first[name]]
    ]
    for path in sorted(memory or {}):
        attaches = sorted(resolved[path].attached) if path in resolved else []
        if not attaches:
            continue
        unqualified = {
            key for history in histories if history.kind == "model" and history.path == path
            for key in history.state
        } | {key for key, use in uses if use.path == path}
        keys = sorted(
            (
                key for key in unqualified
                if key.schema == default_schema and key not in created
                and not is_system_table(key)
            ),
            key=lambda k: k.name,
        )
        if not keys:
            continue
        names = ", ".join(dict.fromkeys(name for _, name in attaches))
        line = attaches[0][0]
        out.append(_external(f"ATTACH {names} to in-memory SQLite ({path}:{line})", path, keys))
    return out


def probed_histories(
    resolved: Mapping[str, PythonSql],
    used: Iterable[TableKey],
    histories: Iterable[SourceHistory],
) -> list[SourceHistory]:
    """Tables the code asks the catalog about before using them (`SELECT name FROM
    sqlite_master WHERE name = 'books_fts'`, `to_regclass('x')`) and no source creates: an
    optional table that another program or a database extension makes (calibre-web searches
    Calibre's full-text table when it is there, and falls back otherwise). Each gets an
    external source at the first query asking about it, so it is never an undefined table and
    the report says where the code checks for it."""
    first = _first_places(resolved, lambda sql: sql.probed)
    if not first:
        return []
    histories = list(histories)
    # (a table some source creates, drops or renames is that source's: code checking whether
    # a dropped table is still there migrates its rows, and the table stays `removed`)
    created = _named_tables(history for history in histories if history.kind != "model")
    wanted = sorted(
        {key for key in used if key in first and key not in created and not is_system_table(key)},
        key=lambda k: (k.schema, k.name),
    )
    return [
        _external(f"checked for ({path}:{line}) {key.display}", path, [key])
        for key in wanted
        for path, line in [first[key]]
    ]


def _named_tables(histories: Iterable[SourceHistory], *, temporary: bool = True) -> set[TableKey]:
    """Every table the histories hold at their end or operate on (created, dropped, renamed
    from or to, altered...); without `temporary`, not the tables only a session's temporary
    creation names."""
    histories = list(histories)
    return {key for history in histories for key in history.state} | {
        key for history in histories for op in history.operations
        if temporary or op.operation != TEMPORARY_CREATION
        for key in (op.table, op.peer) if key is not None
    }


def _first_places(
    resolved: Mapping[str, PythonSql], items: Callable[[PythonSql], list[tuple[int, T]]]
) -> dict[T, tuple[str, int]]:
    """Each item (an attached schema name, a table checked for) at the first (path, line) of
    the code that names it."""
    first: dict[T, tuple[str, int]] = {}
    for path in sorted(resolved):
        for line, item in items(resolved[path]):
            place = first.get(item)
            if place is None or (path, line) < place:
                first[item] = (path, line)
    return first


def _external(name: str, path: str, keys: Iterable[TableKey]) -> SourceHistory:
    """An external source named `external:<name>`, at `path`, holding `keys` as tables."""
    history = SourceHistory(
        id=f"{EXTERNAL_KIND}:{name}", kind=EXTERNAL_KIND, path=path, files=[path], ordered=False,
    )
    for key in keys:
        history.state[key] = StateEntry("table", None)
    return history


#: The modules whose `connect(database)` opens a SQLite file.
SQLITE_MODULES = frozenset({
    "sqlite3", "sqlite3.dbapi2", "aiosqlite", "pysqlite2.dbapi2", "pysqlite3", "sqlean",
})
#: The kinds of source that manage an application database of their own: with one of them,
#: a SQLite file the code opens itself is another database beside it.
APPLICATION_DATABASE_KINDS = frozenset({"django", "alembic", "model", "create_all"})


def sqlite_file_openers(modules: Iterable[PythonFacts]) -> dict[str, int]:
    """The modules that open a SQLite file themselves (`sqlite3.connect(BASE_DIR /
    "search.db")`, `from sqlite3 import dbapi2 as sqlite; sqlite.connect(filename)`), each
    with the line of its first such call: the callee is read through the module's imports."""
    modules = list(modules)
    by_name = {facts.module: facts for facts in modules}
    found: dict[str, int] = {}
    for facts in modules:
        for opened in facts.file_databases:
            if not opened.memory and _opens_sqlite(facts, opened.callee, by_name):
                found.setdefault(facts.path, opened.line)
    return found


def sqlite_modules(modules: Iterable[PythonFacts]) -> set[str]:
    """The paths of the modules importing a SQLite driver (`import sqlite3`, `aiosqlite`),
    anywhere in them: their SQL talks to SQLite."""
    roots = {name.split(".")[0] for name in SQLITE_MODULES}
    return {
        facts.path for facts in modules
        if any(binding.module.split(".")[0] in roots for binding in facts.imports)
    }


def _opens_sqlite(
    facts: PythonFacts, callee: str, by_name: Mapping[str, PythonFacts], depth: int = 0
) -> bool:
    """Whether `callee` (`sqlite3.connect`, `sqlite.connect`, `connect`) is a SQLite
    driver's `connect`, through the module's imports, and through one module of the
    repository that imports the driver for others (`from .utils.sqlite import sqlite3`, where
    `try: import pysqlite3 as sqlite3 except ImportError: import sqlite3`)."""
    head, _, rest = callee.rpartition(".")
    if rest != "connect":
        return False
    local = head or "connect"
    for binding in facts.imports:
        if binding.local != local:
            continue
        module = f"{binding.module}.{binding.name}" if binding.name else binding.module
        if (module if head else binding.module) in SQLITE_MODULES:
            return True
        source = by_name.get(absolute_module(facts, binding))
        if source is not None and binding.name and depth < 1 and _opens_sqlite(
            source, f"{binding.name}.connect" if head else "connect", by_name, depth + 1
        ):
            return True
    return False


def own_file_histories(
    openers: Mapping[str, int],
    uses: Iterable[tuple[TableKey, Use]],
    histories: Iterable[SourceHistory],
) -> list[SourceHistory]:
    """A module that opens a SQLite file of its own (`openers`) in a repository whose
    application database something else manages (Django's migrations, SQLAlchemy's models,
    Alembic, `create_all`: `histories`): the tables its SQL uses that none of those sources
    creates are that file's (a search index the code builds, a browser's cookie database it
    reads), owned outside the application's schema: one external source per module, at the
    module's first `connect`. Only its raw SQL counts (its ORM queries are the
    application's). A repository with no such source keeps its SQLite database as the
    application's own (its tables, its run-time DDL: nothing changes)."""
    histories = list(histories)
    if not openers or not any(h.kind in APPLICATION_DATABASE_KINDS for h in histories):
        return []
    created = {key for history in histories if history.kind != "runtime" for key in history.state}
    by_module: dict[str, set[TableKey]] = {}
    for key, use in uses:
        if (
            use.path in openers and use.via == "sql" and key not in created
            and not is_system_table(key)
        ):
            by_module.setdefault(use.path, set()).add(key)
    return [
        _external(
            f"{OWN_FILE_PREFIX.removeprefix(EXTERNAL_KIND + ':')}{path}:{openers[path]}", path,
            sorted(keys),
        )
        for path, keys in sorted(by_module.items())
    ]


def without_throwaway_tables(
    modules: Iterable[PythonFacts], resolved: Mapping[str, PythonSql]
) -> dict[str, PythonSql]:
    """Each module's SQL without the tables a function creates on an in-memory SQLite
    database it opens itself (`conn = sqlite3.connect(":memory:")`, then `CREATE VIRTUAL
    TABLE probe USING fts5(...)` to learn whether the build has FTS5): that database is
    gone when the function returns, so its tables are no schema's and no use of one. A
    table the function does not create there (one of a database it attaches) stays."""
    out = dict(resolved)
    modules = list(modules)
    by_name = {facts.module: facts for facts in modules}
    for facts in modules:
        functions = {
            opened.function for opened in facts.file_databases
            if opened.memory and opened.function
            and _opens_sqlite(facts, opened.callee, by_name)
        }
        sql = resolved.get(facts.path)
        if not functions or sql is None:
            continue
        created = {
            (ref.function, (ref.ref.schema, ref.ref.name)) for ref in sql.refs
            if ref.function in functions and ref.ref.operation in CREATING_OPERATIONS
        }
        kept = [
            ref for ref in sql.refs if (ref.function, (ref.ref.schema, ref.ref.name)) not in created
        ]
        if len(kept) != len(sql.refs):
            out[facts.path] = replace(sql, refs=kept)
    return out


#: Schemas that name a database's own parts, not another program's: SQLite's main and temp
#: databases (an attached one is read by `attached_histories`).
_OWN_SCHEMAS = frozenset({"main", "temp"})


@dataclass(frozen=True)
class ForeignSchema:
    """A schema the code uses and no source of the repository has a table in, at its first
    use, with the external source holding its tables."""

    schema: str
    path: str
    line: int
    history: SourceHistory


def foreign_schema_histories(
    uses: Iterable[tuple[TableKey, Use]], histories: Iterable[SourceHistory], default_schema: str,
    sqlite_paths: Collection[str] = (),
) -> list[ForeignSchema]:
    """One external source per schema whose tables the code uses while no source of the
    repository has a table in it: no migration, `.sql` file, runtime DDL or model
    (listenbrainz's `musicbrainz.recording`, read through a second connection to
    MusicBrainz's database; a statement of such a connection creates nothing here). The
    repository does not own a schema it never creates a table in, so its tables are another
    database's, not undefined ones. An unqualified table no source has, used in a statement
    that names such a schema's table, is that database's too (one statement runs on one
    connection). Each source sits at the first use of its schema. Not in modules talking to
    SQLite (`sqlite_paths`), where a qualifier names an attached database: one nothing
    attaches is a mistake there (`undefined-table`)."""
    uses = [(key, use) for key, use in uses if use.path not in sqlite_paths]
    histories = list(histories)
    # (an external source's schema is not the repository's: `external_tables` naming some
    # of `musicbrainz`'s tables leaves its others foreign)
    # (nor is the schema of a session's temporary views: Spark's)
    own = (history for history in histories if history.kind != EXTERNAL_KIND)
    known = {default_schema} | _OWN_SCHEMAS | {
        key.schema for key in _named_tables(own, temporary=False)
    }
    owned = _named_tables(histories)
    foreign: dict[str, set[TableKey]] = {}
    first: dict[str, tuple[str, int]] = {}
    statements: dict[tuple[str, str], str] = {}  # (path, statement) -> its foreign schema
    for key, use in uses:
        if key.schema in known or key in owned or is_system_table(key):
            continue
        foreign.setdefault(key.schema, set()).add(key)
        place = (use.path, use.line)
        if key.schema not in first or place < first[key.schema]:
            first[key.schema] = place
        if use.via == "sql" and use.snippet:
            statements.setdefault((use.path, use.snippet), key.schema)
    if not foreign:
        return []
    for key, use in uses:
        schema = statements.get((use.path, use.snippet)) if use.via == "sql" else None
        if (
            schema is not None and key.schema == default_schema and key not in owned
            and not is_system_table(key)
        ):
            foreign[schema].add(key)
    return [
        ForeignSchema(
            schema, path, line,
            _external(f"schema {schema} ({path}:{line})", path, sorted(foreign[schema])),
        )
        for schema in sorted(foreign)
        for path, line in [first[schema]]
    ]
