"""The stages after extraction: resolve -> replay -> graph -> findings -> the report before the
policy, data flowing one way (`analyse`).

Imported by `analyzer.pipeline` only once extraction is done: networkx, the sources, the
graph and the rules (14 MB) would otherwise sit in the main process while the worker
processes run, which is when the sum of the processes' memory peaks.
"""

from __future__ import annotations

import dataclasses
import pickle
import re
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from analyzer import __version__
from analyzer.assemble import assemble_tables
from analyzer.cache import FactCache, fact_key
from analyzer.collect import Collected, file_diagnostic
from analyzer.config import Config
from analyzer.discover import Discovery, FileEntry
from analyzer.facts import PythonFacts
from analyzer.graph import build_graph
from analyzer.models import (
    Diagnostic,
    Report,
    Source,
    Stats,
    Use,
)
from analyzer.ordering import diagnostic_key, finding_key
from analyzer.orm.mapping import Mapper, OrmModel
from analyzer.orm.symbols import SymbolTable
from analyzer.orm.uses import orm_uses
from analyzer.python import expr as ir
from analyzer.readers.sql_file import SqlFileFacts
from analyzer.resolve.code_sql import Analysis, CodeSqlResolver, MemoKey, PythonSql, SqlMemo
from analyzer.resolve.evaluate import Evaluator
from analyzer.resolve.index import ModuleIndex
from analyzer.resolve.templates import TemplateExpander
from analyzer.resolve.uses import code_uses, routine_uses
from analyzer.rules import RULES
from analyzer.rules.base import RuleContext, plural
from analyzer.sources.alembic import AlembicHistory
from analyzer.sources.alembic_revisions import (
    add_documentation,
    alembic_histories,
    revision_models,
    squashes,
)
from analyzer.sources.attached import (
    ForeignSchema,
    attached_histories,
    foreign_schema_histories,
    own_file_histories,
    probed_histories,
    sqlite_file_openers,
    sqlite_modules,
    without_throwaway_tables,
)
from analyzer.sources.create_all import create_all_sources
from analyzer.sources.declarations import model_histories
from analyzer.sources.declared import declared_external_histories
from analyzer.sources.django_project import analyze_django, external_histories, order_inputs
from analyzer.sources.migration_modules import (
    Baseline,
    application_sql,
    continue_from_baselines,
    migration_modules,
)
from analyzer.sources.model import (
    SourceHistory,
    implicit_object_renames,
    is_schema_change,
    replay,
    serial_sequences,
)
from analyzer.sources.order import extend_environments, order_faults
from analyzer.sources.runtime import runtime_history
from analyzer.sources.spark import in_spark_sessions
from analyzer.sources.sql_files import final_routines, other_databases, sql_sources
from analyzer.sql.names import ANY_SCHEMA, TableKey
from analyzer.sql.refs import CREATING_OPERATIONS
from analyzer.sql.runnable import ENGINE_DIALECTS

_SELECTS = re.compile(r"\bSELECT\b", re.IGNORECASE)
#: Statements of a `.sql` file that do a job's work on rows (not a schema's seed rows).
_JOB_STATEMENTS = frozenset({"insert", "update", "delete", "select", "merge", "truncatetable"})


def script_dml(sql_facts: Mapping[str, SqlFileFacts]) -> dict[TableKey, tuple[str, int, str]]:
    """Tables a `.sql` file reads or changes the rows of as a job does, by the first place
    (path, line, "reads" / "writes"): `INSERT INTO report.annotations SELECT ... FROM
    annotation`, `UPDATE`, `DELETE`, `REFRESH MATERIALIZED VIEW` (a reporting task a
    scheduler runs) in a file that changes no schema (a migration's backfill is the
    migration's), never `INSERT ... VALUES` alone (a schema file's seed rows). No
    application code runs them as tabletrace sees, but something may: a dead-table says so
    (`rules.dead_table`)."""
    found: dict[TableKey, tuple[str, int, str]] = {}
    for path in sorted(sql_facts):
        statements = sql_facts[path].statements
        if any(is_schema_change(fact.ref) for statement in statements for fact in statement.refs):
            continue  # a schema file or a migration step: its data changes come with it
        for statement in statements:
            refreshed = statement.snippet.upper().startswith("REFRESH MATERIALIZED VIEW")
            # (a data statement's reads are not analysed in `.sql` files: its text says)
            reads = any(fact.ref.kind == "read" for fact in statement.refs) or bool(
                _SELECTS.search(statement.snippet)
            )
            if statement.statement_type not in _JOB_STATEMENTS and not refreshed:
                continue
            for fact in statement.refs:
                ref = fact.ref
                if ref.kind == "write" and statement.statement_type == "insert" and not reads:
                    continue  # seed rows
                verb = "reads" if ref.kind == "read" else "writes"
                found.setdefault(TableKey(ref.schema, ref.name), (path, fact.line, verb))
    return found


def query_file_uses(facts: SqlFileFacts) -> list[tuple[TableKey, Use]]:
    """The uses of a file of named queries: each table its statements read or write, at the
    statement's line; the file stands for the module that loads it."""
    uses: list[tuple[TableKey, Use]] = []
    for statement in facts.statements:
        for fact in statement.refs:
            ref = fact.ref
            uses.append((
                TableKey(ref.schema, ref.name),
                Use(
                    path=facts.path, line=fact.line, module=facts.path, kind=ref.kind,
                    via="sql", confidence=ref.confidence, operation=ref.operation,
                    snippet=statement.snippet,
                ),
            ))
    return uses


def placed_in_schemas(
    uses: list[tuple[TableKey, Use]], histories: list[SourceHistory], default_schema: str
) -> list[tuple[TableKey, Use]]:
    """Uses of a table whose schema the code names only at run time (`ANY_SCHEMA`: `"{db}".
    "{schema}"."PROJECTS"`), placed in each schema the repository has a table of that name in
    (a source creates it, or code names it in a known schema: the statement may reach any of
    them); in the default schema when there is none."""
    if not any(key.schema == ANY_SCHEMA for key, _ in uses):
        return uses
    schemas: dict[str, set[str]] = {}
    for key in [
        *(op.table for history in histories for op in history.operations),
        *(key for key, _ in uses),
    ]:
        if key.schema != ANY_SCHEMA:
            schemas.setdefault(key.name, set()).add(key.schema)
    placed = []
    for key, use in uses:
        if key.schema != ANY_SCHEMA:
            placed.append((key, use))
            continue
        for schema in sorted(schemas.get(key.name) or {default_schema}):
            placed.append((TableKey(schema, key.name), use))
    return placed


def _foreign_schema(foreign: ForeignSchema) -> Diagnostic:
    """Where the tables of a schema no source creates a table in were taken for another
    database's (`foreign_schema_histories`)."""
    keys = sorted(foreign.history.state, key=lambda key: (key.schema, key.name))
    names = ", ".join(key.display for key in keys[:5]) + (", ..." if len(keys) > 5 else "")
    return Diagnostic(
        code="foreign-schema", path=foreign.path, line=foreign.line,
        message=(
            f"no source of the repository creates a table in schema {foreign.schema}: the "
            "tables of it the code uses, and the unqualified ones its statements name beside "
            f"them ({plural(len(keys), 'table')}: {names}), are read as another database's "
            "(external), not undefined. If the repository should create them, a migration is "
            "missing; if they are another program's, list them in external_tables"
        ),
    )


def _unparsed(path: str, line: int, error: str) -> Diagnostic:
    return Diagnostic(
        code="sql-unparsed",
        path=path,
        line=line,
        message=(
            f"sqlglot could not parse this statement: {error}; its tables were found by a "
            "token scan and marked confidence low"
        ),
    )


def _map_orm(
    modules: list[PythonFacts], config: Config, index: ModuleIndex, expander: TemplateExpander,
    created: Collection[str] = (),
) -> tuple[Mapper, OrmModel, SymbolTable]:
    """Map ORM classes and Table objects; the evaluator can then read `Model.__tablename__`."""
    symbols = SymbolTable(index)
    mapper = Mapper(symbols, expander, config.default_schema)
    model = mapper.map_repository(modules, created)
    expander.evaluator.table_of_class = mapper.table_value
    return mapper, model, symbols


def _created_by_migrations(collected: Collected) -> set[str]:
    """Table names the migrations create as written (`op.create_table("ports", ...)`,
    `op.rename_table(OLD, NEW)` with the module's constants, in a revision or a helper it
    calls; `CREATE TABLE` in a `.sql` file): the evidence for a
    library base's naming rule (`LibraryNaming`), read before any replay."""
    names: set[str] = set()
    for _, facts in collected.python:
        for steps in facts.migration_steps.values():
            for step in steps:
                # the created table, or the new name of `rename_table(old, new)`
                position = {"create_table": 0, "rename_table": 1}.get(step.name)
                if step.kind != "op" or position is None or len(step.args) <= position:
                    continue
                name = step.args[position]
                if isinstance(name, ir.Global):  # `NEW_TABLE = "segments"` of the module
                    fact = facts.names.get(name.name)
                    name = fact.value if fact is not None and fact.kind == "value" else None
                if isinstance(name, ir.Str):
                    names.add(name.value)
    for _, sql in collected.sql:
        for statement in sql.statements:
            names.update(
                fact.ref.name for fact in statement.refs if fact.ref.operation == "create"
            )
    return names


@dataclass(slots=True)
class _Memo:
    """SQL analyses kept between scans in the fact cache (parsing dominates a warm scan)."""

    cache: FactCache | None
    key: str
    memo: SqlMemo | None

    def save(self) -> None:
        if self.cache is not None and self.memo is not None and self.memo.changed:
            self.cache.put(self.key, self.memo.state)


def _sql_memo(cache: FactCache | None, root: Path, settings: Config, collected: Collected) -> _Memo:
    """The memo of the last scan's analyses, with those extraction made: ahead in the workers,
    and in the relevance rounds' helper search."""
    made: dict[MemoKey, Analysis] = dict(collected.analyses_made)
    for pickled in collected.analyses_ahead:
        made.update(pickle.loads(pickled))
    key = fact_key("sql-memo", str(root), settings.dialect, settings.default_schema)
    if cache is None:  # still one analysis per distinct text within this scan
        return _Memo(None, key, SqlMemo(ahead=made))
    loaded = cache.get(key)
    # an older scan's memo (another shape) is only not used
    usable = isinstance(loaded, tuple) and len(loaded) == 2
    return _Memo(cache, key, SqlMemo(loaded if usable else None, ahead=made))


def _dialect_notes(
    sql_files: list[tuple[FileEntry, SqlFileFacts]], dialect: str
) -> list[Diagnostic]:
    """One note per engine whose syntax PostgreSQL rejected in definitions (`AUTO_INCREMENT`,
    `ENGINE=`) in at least half of the `.sql` files that define something, at the first:
    each is a broken-definition finding, and only the `dialect` setting says the database is
    that engine (it is never guessed). A project with a few files for another engine beside
    its PostgreSQL ones (synapse's first SQLite deltas) gets no note."""
    places: dict[str, list[tuple[str, int]]] = {}
    defining: set[str] = set()
    for _, facts in sql_files:
        for statement in facts.statements:
            if any(fact.ref.operation == "create" for fact in statement.refs):
                defining.add(facts.path)
            verdict = statement.cannot_run
            if verdict is not None and verdict.engine in ENGINE_DIALECTS:
                places.setdefault(verdict.engine, []).append((facts.path, statement.line))
    notes = []
    for engine, found in places.items():
        files = len({path for path, _ in found})
        if 2 * files < len(defining):
            continue
        count = f"{len(found)} definition{'s' if len(found) > 1 else ''}"
        where = (
            "in the one .sql file that defines tables" if len(defining) == 1
            else f"in {files} of the {len(defining)} .sql files that define tables"
        )
        notes.append(
            Diagnostic(
                code="sql-dialect",
                path=found[0][0],
                line=found[0][1],
                message=(
                    f"{count} {where} use {engine} syntax that PostgreSQL rejects (the "
                    f"first here), and SQL is read as "
                    f"{dialect}: if the database is {engine}, set "
                    f'`dialect = "{ENGINE_DIALECTS[engine]}"` in [tool.tabletrace]; until '
                    "then each is a broken-definition finding"
                ),
            )
        )
    return notes


def _orm_diagnostics(model: OrmModel) -> list[Diagnostic]:
    """Model classes whose table name is computed by code tabletrace could not evaluate."""
    return [
        Diagnostic(
            code="orm-dynamic-tablename",
            path=info.facts.path,
            line=info.cls.line,
            message=(
                f"class {info.cls.name} looks like a mapped model but {info.unresolved}; its "
                "table is not known, so its uses and declaration are not reported"
            ),
        )
        for info in model.classes.values()
        if info.unresolved
    ] + [
        Diagnostic(
            code="orm-dynamic-tablename",
            path=path,
            line=line,
            message=(
                f"Table(...) here declares a table whose name cannot be computed ({why}); its "
                "table is not known, so its uses and declaration are not reported"
            ),
        )
        for path, line, why in model.unnamed_tables
    ] + [
        Diagnostic(
            code="orm-tablename-rule",
            path=naming.path,
            line=naming.line,
            message=(
                f"{naming.candidates} classes with columns on {naming.base} (another "
                "library's base) have no __tablename__: read as named by "
                f"{naming.rule}, which names {naming.named} of them after tables the "
                "migrations create; those are mapped, their uses at confidence medium, "
                "the others not"
            ),
        )
        for naming in model.namings
    ]


def _baseline_diagnostic(baseline: Baseline) -> Diagnostic:
    """What a home-made upgrade was read as continuing from (`continue_from_baselines`)."""
    first = baseline.first
    if baseline.alternative:
        reading = (
            f"none of its steps creates and {', '.join(baseline.files)} does, with tables the "
            "upgrade creates too: read as two ways to one schema (the script builds it fresh, "
            "the upgrade brings an older database to it), the upgrade starting from the tables "
            "it needs"
        )
    else:
        origin = (
            "the module's own code creates it outside the version checks" if baseline.runtime
            else f"{', '.join(baseline.files)} beside it "
            + ("creates it" if len(baseline.files) == 1 else "create it")
        )
        reading = (
            f"none of its earlier steps creates, but {origin}: read as the baseline it "
            "upgrades, run before its first step"
        )
    return Diagnostic(
        code="migration-baseline", path=first.path, line=first.line,
        message=(
            f"the upgrade in {baseline.upgrade.path} changes {first.table.display} "
            f"(`{first.snippet}`), which {reading}"
        ),
    )


def _revision_parents(history: AlembicHistory) -> dict[str, tuple[str, ...]]:
    """Each revision's parents (down_revision and depends_on), in replay order."""
    known = {node.revision for node in history.revisions}
    return {
        node.revision: tuple(
            parent
            for parent in (*node.facts.down_revisions, *node.facts.depends_on)
            if parent in known
        )
        for node in history.revisions
    }


def _migration_tooling(collected: Collected) -> tuple[str, ...]:
    """Folders (with a trailing "/") of Alembic environments no configuration names, found by
    their revisions and an `env.py` beside their `versions/`: the helper modules there
    (`migrations/utils/legacy_workflows.py`, imported by revisions only) are migration
    tooling, not application code, as everything under a configured `script_location` is."""
    python = {entry.path for entry, _ in collected.python}
    folders: set[str] = set()
    for _, facts in collected.python:
        if facts.alembic_revision is None:
            continue
        parent = PurePosixPath(facts.path).parent
        while parent.name and parent.name != "versions":
            parent = parent.parent
        if not parent.name:
            continue
        script = parent.parent
        prefix = "" if str(script) == "." else f"{script}/"
        if f"{prefix}env.py" in python:
            folders.add(prefix)
    return tuple(sorted(folder for folder in folders if folder))


def _created_sequences(
    collected: Collected, resolved: Mapping[str, PythonSql]
) -> frozenset[TableKey]:
    """The sequences some statement of the repository creates (`CREATE SEQUENCE`), in its
    `.sql` files or its code (a migration function's included)."""
    found = {
        key
        for _, facts in collected.sql
        for statement in facts.statements
        for key in statement.sequences
    }
    found.update(key for sql in resolved.values() for key in sql.sequences)
    return frozenset(found)


def _without_sequence_reads(
    resolved: dict[str, PythonSql], sequences: frozenset[TableKey]
) -> dict[str, PythonSql]:
    """The code's SQL without its reads of those sequences: PostgreSQL reads a sequence as a
    relation (`SELECT last_value FROM events_stream_seq`), and tables and sequences share one
    namespace, so a relation of that name is no table (it was `undefined-table`)."""
    if not sequences:
        return resolved
    out: dict[str, PythonSql] = {}
    for path, sql in resolved.items():
        refs = [r for r in sql.refs if r.ref.kind != "read" or r.ref.key not in sequences]
        out[path] = sql if len(refs) == len(sql.refs) else dataclasses.replace(sql, refs=refs)
    return out


def analyse(
    root: Path,
    settings: Config,
    discovery: Discovery,
    files: frozenset[str],
    collected: Collected,
    cache: FactCache | None,
) -> tuple[Report, str]:
    """The report of what extraction `collected` from `files` (before the policy), and the
    cache key of the SQL memo it kept for the next scan."""
    diagnostics = list(collected.diagnostics)
    # resolve: one evaluator for the whole repository; Django projects first (their migration
    # files are not application code), then ORM mapping (it names tables that SQL templates
    # and migrations use, `Model.__tablename__`)
    index = ModuleIndex(facts for _, facts in collected.python)
    evaluator = Evaluator(index, files=files)
    expander = TemplateExpander(evaluator)
    django = analyze_django([facts for _, facts in collected.python], evaluator, expander, settings)
    diagnostics.extend(django.diagnostics)
    tooling = _migration_tooling(collected)
    app = [
        facts
        for entry, facts in collected.python
        if entry.role != "alembic"
        and facts.alembic_revision is None
        and facts.path not in django.migration_files
        and not any(facts.path.startswith(folder) for folder in tooling)
    ]
    mapper, orm_model, symbols = _map_orm(
        app, settings, index, expander, _created_by_migrations(collected)
    )
    diagnostics.extend(_orm_diagnostics(orm_model))
    diagnostics.extend(_dialect_notes(collected.sql, settings.dialect))
    memo = _sql_memo(cache, root, settings, collected)
    resolved = CodeSqlResolver(
        evaluator, dialect=settings.dialect, default_schema=settings.default_schema,
        memo=memo.memo,
    ).resolve(app)
    memo.save()
    resolved = _without_sequence_reads(resolved, _created_sequences(collected, resolved))
    resolved = without_throwaway_tables(app, resolved)
    resolved = in_spark_sessions(app, resolved, collected.spark_packages)
    # Ordered migration functions (`m001_initial(db)`) are a source: their SQL is neither a use
    # nor runtime DDL.
    migrations = migration_modules(
        app, resolved, configured=settings.migration_modules,
        function_pattern=settings.migration_function_pattern, mapper=mapper,
    )
    diagnostics.extend(file_diagnostic(path, problem) for path, problem in migrations.problems)
    # foreign keys of the repository's CREATE and ALTER statements in Python code (the
    # migration steps' too), by their target (`rules.dangling_foreign_key`)
    foreign_keys = [
        (facts.path, line, snippet, key)
        for facts in app
        for line, key, snippet in resolved[facts.path].references
    ]
    resolved = application_sql(app, resolved, migrations)
    code = code_uses(app, resolved, settings.ignores)
    for key, use in [*orm_uses(app, symbols, mapper, orm_model), *django.uses]:
        # a migration step's model (`migrator.add_fields(Event, ...)`, a data migration's
        # `Event.update(...)`) is the migration's business, no use of the application
        if not settings.ignores(key) and not (
            use.via == "orm" and migrations.owns(use.path, use.function, use.line)
        ):
            code.uses.append((key, use))
            code.add_module(use.module, use.path)
    # named queries in .sql files (aiosql, PugSQL...): the application's SQL, loaded by name
    for path, facts in sorted((e.path, f) for e, f in collected.sql if f.queries):
        for key, use in query_file_uses(facts):
            if not settings.ignores(key):
                code.uses.append((key, use))
                code.add_module(use.module, use.path)
        code.statements += len(facts.statements)
        code.unparsed.extend(
            (path, statement.line, statement.error or "not parsed")
            for statement in facts.statements
            if not statement.parsed
        )
    # functions and procedures of .sql files the code calls: their bodies' tables
    routines = final_routines({entry.path: facts for entry, facts in collected.sql})
    for key, use in routine_uses(app, resolved, routines, settings.ignores):
        code.uses.append((key, use))
        code.add_module(use.module, use.path)
    diagnostics.extend(_unparsed(path, line, error) for path, line, error in code.unparsed)
    # replay: every source from facts
    sql_facts = {
        entry.path: facts for entry, facts in collected.sql if not facts.queries
    }
    alembic = alembic_histories(
        discovery.alembic_environments, collected.revisions, expander, sql_facts,
        dialect=settings.dialect, default_schema=settings.default_schema,
    )
    for history in alembic:
        diagnostics.extend(file_diagnostic(path, problem) for path, problem in history.diagnostics)
    read_by_revisions = {path for history in alembic for path in history.sql_files}
    alembic_trees = {entry.path for entry, _ in collected.sql if entry.role == "alembic"}
    sql = sql_sources(
        {
            path: facts
            for path, facts in sql_facts.items()
            if path not in read_by_revisions and path not in alembic_trees
        },
        settings.ignores,
    )
    diagnostics.extend(_unparsed(path, line, error) for path, line, error in sql.unparsed)
    switched = other_databases(sql, {key for key, _ in code.uses})
    runtime = [
        history
        for facts in app
        if (history := runtime_history(facts.path, resolved[facts.path].refs)) is not None
    ]
    diagnostics.extend(
        _baseline_diagnostic(baseline)
        for baseline in continue_from_baselines(migrations, sql.histories, runtime)
    )
    histories = [h.history for h in alembic] + migrations.histories + sql.histories + runtime
    histories += model_histories(orm_model)
    create_all = create_all_sources(app, mapper, orm_model)
    diagnostics.extend(file_diagnostic(path, problem) for path, problem in create_all.diagnostics)
    histories += create_all.histories
    histories += django.histories
    order: dict[str, tuple[Mapping[str, tuple[str, ...]] | None, frozenset[TableKey]]] = {
        h.history.id: (_revision_parents(h), frozenset()) for h in alembic
    }
    order.update(order_inputs(django))
    for history in histories:
        history.operations = [op for op in history.operations if not settings.ignores(op.table)]
    for op in implicit_object_renames(histories):
        diagnostics.append(
            Diagnostic(
                code="index-rename", path=op.path, line=op.line,
                message=(
                    f"`{op.snippet}` renames {op.table.display}, which no source creates and "
                    "which is named like an index, constraint or sequence of a table "
                    "(PostgreSQL's ALTER TABLE renames those too): read as no table"
                ),
            )
        )
    for history in histories:
        replay(history)
        parents, outside = order.get(history.id, (None, frozenset()))
        history.faults = order_faults(history, parents, outside)
    for squash in squashes(alembic):
        diagnostics.append(
            Diagnostic(
                code="alembic-squash", path=squash.path, line=squash.line,
                message=(
                    f"the revisions of {squash.older.path}/ end at revision "
                    f"{squash.revision}, where those of {squash.squash.path}/ start (a squash, "
                    "the older ones bringing old databases up to it): their tables are "
                    "compared by what an old database becomes once the later revisions run"
                ),
            )
        )
    for extension in extend_environments(histories, {k: v[0] for k, v in order.items()}):
        first = extension.first
        diagnostics.append(
            Diagnostic(
                code="alembic-extends-environment", path=first.path, line=first.line,
                message=(
                    f"the revisions of {extension.history.path}/ change "
                    f"{', '.join(key.display for key in extension.tables)}, which none of them "
                    f"creates and {extension.base.path}/ does: read as running after that "
                    "environment's head (a plugin's own migrations), its changes applied to "
                    "that head state"
                ),
            )
        )
    # `SELECT last_value FROM app_project_id_seq`: the sequence of a serial column, no table
    sequences = serial_sequences(
        (key for key, use in code.uses if use.kind == "read"), histories
    )
    code.uses = placed_in_schemas(code.uses, histories, settings.default_schema)
    if sequences:
        code.uses = [(key, use) for key, use in code.uses if key not in sequences]
    histories += external_histories(django, histories, settings.ignores)
    histories += switched
    histories += attached_histories(
        resolved, code.uses, histories,
        {facts.path: facts.orm.memory_databases for facts in app if facts.orm.memory_databases},
        settings.default_schema,
    )
    histories += own_file_histories(sqlite_file_openers(app), code.uses, histories)
    histories += probed_histories(resolved, (key for key, _ in code.uses), histories)
    elsewhere = {key for key, use in code.uses if settings.runs_elsewhere(use.path)}
    histories += declared_external_histories(
        (key for key, _ in code.uses), histories,
        lambda key: key in elsewhere or settings.declares_external(key),
    )
    foreign = [] if settings.dialect == "sqlite" else foreign_schema_histories(
        code.uses, histories, settings.default_schema, sqlite_modules(app)
    )
    histories += [schema.history for schema in foreign]
    diagnostics.extend(_foreign_schema(schema) for schema in foreign)
    known = {key for key, _ in code.uses} | {op.table for h in histories for op in h.operations}
    add_documentation(alembic, known)
    references = [
        r
        for r in [*orm_model.references, *django.references]
        if not settings.ignores(r.source) and not settings.ignores(r.target)
    ]
    graph = build_graph(code.modules, code.uses, histories, alembic, references)
    # Models whose table tabletrace could not name: any "dead" table may be one of theirs.
    graph.graph["unnamed_models"] = sum(
        1 for info in orm_model.classes.values() if info.unresolved
    ) + len(orm_model.unnamed_tables)
    graph.graph["unresolved_lookups"] = django.unresolved_lookups
    # no Python application code at all (a service in another language keeping its SQL
    # migrations here): "no code uses it" says nothing then
    graph.graph["application_modules"] = len(app)
    graph.graph["maybe_reached"] = {
        key: sorted(set(places)) for key, places in django.maybe_reached.items()
    }
    graph.graph["script_dml"] = script_dml(sql_facts)
    # (a table a `.sql` file creates in another database, after `\connect powerdns`, is in
    # no source of this one, yet the keys of that file's tables reference it there)
    created_in_files = {
        TableKey(fact.ref.schema, fact.ref.name)
        for facts in sql_facts.values() for statement in facts.statements
        for fact in statement.refs if fact.ref.operation in CREATING_OPERATIONS
    }
    graph.graph["foreign_keys"] = sorted(
        (
            item for item in [
                *foreign_keys,
                *(
                    (path, statement.line, statement.snippet, key)
                    for path, facts in sql_facts.items()
                    for statement in facts.statements
                    for key in statement.references
                ),
            ]
            if item[3] not in created_in_files
        ),
        key=lambda item: (item[0], item[1], item[3].schema, item[3].name),
    )
    context = RuleContext(graph=graph, config=settings)
    findings = sorted(
        (finding for rule in RULES for finding in rule.check(context)),
        key=lambda f: finding_key(f.code, f.table, f.path, f.line, f.message),
    )
    tables = assemble_tables(graph)
    sources = sorted(
        (
            Source(
                id=h.id,
                kind=h.kind,
                path=h.path,
                files=h.files,
                ordered=h.ordered,
                tables=sorted(key.display for key in h.state),
                alternative_of=h.variant_of,
            )
            for h in histories
        ),
        key=lambda s: s.id,
    )
    finding_counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        finding_counts[finding.name] += 1
    diagnostics = sorted(
        set(diagnostics), key=lambda d: diagnostic_key(d.path, d.line, d.code, d.message)
    )
    stats = Stats(
        files_scanned=len(discovery.files),
        python_files=len(collected.python),
        sql_files=len(collected.sql),
        skipped_test_files=len(discovery.skipped_tests),
        skipped_example_files=len(discovery.skipped_examples),
        excluded_files=len(discovery.excluded),
        alembic_files=sum(
            1
            for entry, facts in collected.python
            if entry.role == "alembic" or facts.alembic_revision is not None
        ),
        alembic_revisions=sum(len(h.revisions) for h in alembic),
        django_migrations=django.migration_count,
        sql_strings=code.sql_strings,
        sql_statements=code.statements + sql.statements,
        sql_statements_unparsed=len(code.unparsed) + len(sql.unparsed),
        tables=len(tables),
        uses=sum(len(t.uses) for t in tables),
        findings=dict(sorted(finding_counts.items())),
        diagnostics=len(diagnostics),
    )
    report = Report(
        tool_version=__version__,
        root=root.resolve().name,
        config=settings.as_dict(),
        stats=stats,
        tables=tables,
        findings=findings,
        diagnostics=diagnostics,
        sources=sources,
        revisions=revision_models(alembic),
    )
    return report, memo.key
