"""`scan(path) -> Report`: the whole pipeline, in one direction.

discover -> extract (per file, pure) -> resolve -> replay -> graph -> findings -> report.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.assemble import assemble_tables
from analyzer.cache import FactCache, fact_key
from analyzer.config import Config, load_config
from analyzer.discover import Discovery, FileEntry, discover, module_name
from analyzer.django_scan import analyze_django, external_histories
from analyzer.engine import TRANSIENT_PROBLEMS, Extractor, Job, ProgressCallback
from analyzer.facts import AlembicRevision, FileProblem, PythonFacts
from analyzer.graph import DynamicUse, ModuleInfo, build_graph
from analyzer.migrations.alembic_scan import (
    add_documentation,
    alembic_histories,
    revision_models,
)
from analyzer.models import (
    Diagnostic,
    Report,
    Source,
    Stats,
    Use,
)
from analyzer.orm.mapping import Mapper, OrmModel
from analyzer.orm.symbols import SymbolTable
from analyzer.orm.uses import model_histories, orm_uses
from analyzer.policy import apply_policy
from analyzer.readers.sql_file import SqlFileFacts
from analyzer.replay import (
    SCHEMA_OPERATIONS,
    SchemaOp,
    SourceHistory,
    replay,
    sql_source_layout,
)
from analyzer.resolve.code_sql import CodeSqlResolver, SqlMemo
from analyzer.resolve.evaluate import Evaluator
from analyzer.resolve.index import ModuleIndex
from analyzer.resolve.templates import TemplateExpander
from analyzer.rules import RULES
from analyzer.rules.base import RuleContext
from analyzer.sql.names import TableKey
from analyzer.sql.refs import TableRef

DEFAULT_FILE_TIMEOUT = 60.0


class ScanError(ValueError):
    """The scan cannot start (bad path, bad configuration); the message says why."""


@dataclass(slots=True)
class _Collected:
    python: list[tuple[FileEntry, PythonFacts]] = field(default_factory=list)
    sql: list[tuple[FileEntry, SqlFileFacts]] = field(default_factory=list)
    revisions: list[tuple[AlembicRevision, PythonFacts]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _diagnostic(path: str, problem: FileProblem) -> Diagnostic:
    return Diagnostic(code=problem.code, path=path, line=problem.line, message=problem.message)


def _read_files(root: Path, discovery: Discovery) -> tuple[dict[str, bytes], list[Diagnostic]]:
    contents: dict[str, bytes] = {}
    problems = [
        Diagnostic(code="skipped-file", path=path, message=message)
        for path, message in discovery.problems
    ]
    for entry in discovery.files:
        try:
            contents[entry.path] = (root / entry.path).read_bytes()
        except OSError as exc:
            problems.append(
                Diagnostic(
                    code="unreadable-file",
                    path=entry.path,
                    message=f"cannot read the file ({exc.strerror or exc}); it was skipped",
                )
            )
    return contents, problems


def _report_key(
    root: Path,
    settings: Config,
    discovery: Discovery,
    digests: dict[str, str],
    file_timeout: float | None,
) -> str:
    """Everything the report depends on: settings, time budget, environments, file bytes."""
    parts = [
        "report", root.resolve().name, settings.model_dump_json(), repr(file_timeout),
        repr(discovery.alembic_environments), repr(sorted(discovery.problems)),
        str(len(discovery.skipped_tests)),
        str(len(discovery.excluded)),
    ]
    parts.extend(f"{path}\0{digests[path]}" for path in sorted(digests))
    return fact_key(*parts)


def _extract(
    discovery: Discovery,
    contents: dict[str, bytes],
    digests: dict[str, str],
    problems: list[Diagnostic],
    config: Config,
    extractor: Extractor,
    file_timeout: float | None,
) -> _Collected:
    collected = _Collected(diagnostics=list(problems))
    jobs: list[Job] = []
    entries: dict[str, FileEntry] = {}
    for entry in discovery.files:
        if entry.path not in contents:
            continue
        data = contents[entry.path]
        entries[entry.path] = entry
        jobs.append(
            Job(
                path=entry.path,
                kind=entry.kind,
                module=module_name(entry.path) if entry.kind == "python" else "",
                revision_candidate=_in_versions_folder(entry, discovery),
                data=data,
                digest=digests[entry.path],
                dialect=config.dialect,
                default_schema=config.default_schema,
                prefilter=True,
                time_budget=file_timeout,
                max_size=config.max_file_size,
            )
        )
    results = extractor.extract(jobs)
    for path in sorted(results):  # a fixed order, whatever order the workers finished in
        extracted, entry = results[path], entries[path]
        if extracted.python is not None:
            facts = extracted.python
            collected.python.append((entry, facts))
            collected.diagnostics.extend(_diagnostic(path, p) for p in facts.problems)
            if extracted.revision is not None:
                collected.revisions.append((extracted.revision, facts))
                if not facts.problems:
                    collected.diagnostics.extend(
                        _diagnostic(path, p) for p in extracted.revision.problems
                    )
        elif extracted.sql is not None:
            collected.sql.append((entry, extracted.sql))
            collected.diagnostics.extend(_diagnostic(path, p) for p in extracted.sql.problems)
    return collected


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


def _in_versions_folder(entry: FileEntry, discovery: Discovery) -> bool:
    """A file in an Alembic versions folder is read as a revision even without its markers."""
    parent = entry.path.rpartition("/")[0]
    return entry.role == "alembic" and any(
        parent == folder for env in discovery.alembic_environments for folder in env.version_dirs
    )


def _is_ignored(key: TableKey, patterns: list[str]) -> bool:
    names = (key.name, f"{key.schema}.{key.name}", key.display)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns for name in names)


@dataclass(slots=True)
class _CodeResult:
    modules: list[ModuleInfo] = field(default_factory=list)
    uses: list[tuple[TableKey, Use]] = field(default_factory=list)
    runtime: list[SourceHistory] = field(default_factory=list)
    sql_strings: int = 0
    statements: int = 0
    unparsed: int = 0


def _application(collected: _Collected, migrations: set[str]) -> list[PythonFacts]:
    """Modules that are application code: not Alembic tooling, not a Django migration."""
    return [
        facts
        for entry, facts in collected.python
        if entry.role != "alembic" and facts.alembic_revision is None
        and facts.path not in migrations
    ]


def _analyse_code(
    collected: _Collected,
    config: Config,
    diagnostics: list[Diagnostic],
    evaluator: Evaluator,
    memo: SqlMemo | None,
    migrations: set[str],
) -> _CodeResult:
    result = _CodeResult()
    modules = _application(collected, migrations)
    resolver = CodeSqlResolver(
        evaluator, dialect=config.dialect, default_schema=config.default_schema, memo=memo
    )
    resolved = resolver.resolve(modules)
    for facts in modules:
        sql = resolved[facts.path]
        result.sql_strings += sql.sql_strings
        result.statements += sql.statements
        result.unparsed += len(sql.unparsed)
        module = ModuleInfo(name=facts.module, path=facts.path)
        for dynamic in sorted(sql.dynamic, key=lambda d: (d.line, d.expressions, d.snippet)):
            module.dynamic.append(
                DynamicUse(
                    facts.path, dynamic.line, facts.module, dynamic.expressions,
                    dynamic.kind, dynamic.snippet, dynamic.reason,
                )
            )
        diagnostics.extend(
            _unparsed(facts.path, unparsed.line, unparsed.error) for unparsed in sql.unparsed
        )
        history = SourceHistory(
            id=f"runtime:{facts.path}", kind="runtime", path=facts.path,
            files=[facts.path], ordered=False,
        )
        seen: set[tuple[int, TableKey, str, str]] = set()
        for resolved_ref in sql.refs:
            ref = resolved_ref.ref
            key = TableKey(ref.schema, ref.name)
            if _is_ignored(key, config.ignore_tables):
                continue
            marker = (resolved_ref.line, key, ref.kind, ref.operation)
            if marker in seen:
                continue
            seen.add(marker)
            result.uses.append(
                (
                    key,
                    Use(
                        path=facts.path,
                        line=resolved_ref.line,
                        module=facts.module,
                        kind=ref.kind,
                        via="sql",
                        confidence=resolved_ref.confidence,
                        operation=ref.operation,
                        function=resolved_ref.function,
                        snippet=resolved_ref.snippet,
                    ),
                )
            )
            if ref.kind == "ddl" and _is_schema_change(ref):
                history.operations.append(
                    _schema_op(history, facts.path, resolved_ref.line, ref, resolved_ref.snippet)
                )
        result.modules.append(module)
        if history.operations:
            history.operations.sort(key=lambda op: (op.line, op.operation))
            result.runtime.append(history)
    return result


def _map_orm(
    collected: _Collected, config: Config, index: ModuleIndex, expander: TemplateExpander,
    migrations: set[str],
) -> tuple[Mapper, OrmModel, SymbolTable]:
    """Map ORM classes and Table objects; the evaluator can then read `Model.__tablename__`."""
    modules = _application(collected, migrations)
    symbols = SymbolTable(index)
    mapper = Mapper(symbols, expander, config.default_schema)
    model = mapper.map_repository(modules)
    expander.evaluator.table_of_class = mapper.table_value
    return mapper, model, symbols


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
    ]


def _add_orm_uses(
    collected: _Collected,
    config: Config,
    symbols: SymbolTable,
    mapper: Mapper,
    model: OrmModel,
    code: _CodeResult,
    migrations: set[str],
    extra: list[tuple[TableKey, Use]],
) -> None:
    """SQLAlchemy uses, and the uses other frameworks found (`extra`: Django's)."""
    modules = _application(collected, migrations)
    known_modules = {module.name for module in code.modules}
    for key, use in [*orm_uses(modules, symbols, mapper, model), *extra]:
        if _is_ignored(key, config.ignore_tables):
            continue
        code.uses.append((key, use))
        if use.module not in known_modules:
            known_modules.add(use.module)
            code.modules.append(ModuleInfo(name=use.module, path=use.path))


def _is_schema_change(ref: TableRef) -> bool:
    """Operations that change which tables exist or their columns (not constraints, owners)."""
    if ref.operation == "alter":
        return bool(ref.column_changes)
    return ref.operation in SCHEMA_OPERATIONS


def _schema_op(
    history: SourceHistory, path: str, line: int, ref: TableRef, snippet: str
) -> SchemaOp:
    return SchemaOp(
        source=history.id,
        source_kind=history.kind,
        path=path,
        line=line,
        operation=ref.operation,
        table=TableKey(ref.schema, ref.name),
        object_type=ref.object_type,
        columns=ref.columns,
        column_changes=ref.column_changes,
        peer=TableKey(*ref.peer) if ref.peer else None,
        if_not_exists=ref.if_not_exists,
        snippet=snippet,
    )


def _sql_histories(
    collected: _Collected,
    config: Config,
    diagnostics: list[Diagnostic],
    read_by_revisions: set[str],
) -> tuple[list[SourceHistory], int, int]:
    # SQL files under an Alembic tree or read by a revision belong to that revision's history.
    facts_by_path = {
        entry.path: facts
        for entry, facts in collected.sql
        if entry.role != "alembic" and entry.path not in read_by_revisions
    }
    histories: list[SourceHistory] = []
    statements = unparsed = 0
    for source_id, path, ordered, files in sql_source_layout(sorted(facts_by_path)):
        history = SourceHistory(id=source_id, kind="sql", path=path, files=files, ordered=ordered)
        for file_path in files:
            for statement in facts_by_path[file_path].statements:
                statements += 1
                if not statement.parsed:
                    unparsed += 1
                    diagnostics.append(
                        _unparsed(file_path, statement.line, statement.error or "not parsed")
                    )
                for fact in statement.refs:
                    ref = fact.ref
                    key = TableKey(ref.schema, ref.name)
                    if not _is_schema_change(ref) or _is_ignored(
                        key, config.ignore_tables
                    ):
                        continue
                    history.operations.append(
                        _schema_op(history, file_path, fact.line, ref, statement.snippet)
                    )
        histories.append(history)
    return histories, statements, unparsed


def scan(
    path: str | Path,
    config: Config | dict[str, Any] | None = None,
    *,
    jobs: int = 1,
    cache: FactCache | None = None,
    prefilter: bool = True,
    progress: ProgressCallback | None = None,
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
) -> Report:
    """Scan the repository at `path` and return the full report.

    `config` is a `Config`, or a dict of overrides applied on top of the repository's
    `[tool.tabletrace]` settings, or None for the repository's settings alone. `jobs` worker
    processes extract files (1: in this process); `cache` keeps per-file facts between scans;
    `prefilter` skips the LibCST parse of files that cannot matter. None of them changes a byte
    of the report. `file_timeout` bounds the seconds spent reading any one file.
    """
    # Absolute, so that paths named in configuration files (`%(here)s`) resolve the same way
    # whatever the current directory; never resolved through symlinks.
    root = Path(path).absolute()
    if not root.is_dir():
        raise ScanError(f"{path}: not a directory")
    settings = config if isinstance(config, Config) else load_config(root, config)
    discovery = discover(root, settings)
    contents, problems = _read_files(root, discovery)
    # Each file is hashed once: the digests key both the cached report and the cached facts.
    digests = {path: hashlib.sha256(data).hexdigest() for path, data in contents.items()}
    report_key = (
        _report_key(root, settings, discovery, digests, file_timeout) if cache is not None else ""
    )
    if cache is not None:
        use_cache_scope(cache, root, settings)
        # Nothing changed since a scan with the same settings: its report is the answer.
        cached = cache.get(report_key)
        if isinstance(cached, bytes):
            with contextlib.suppress(ValueError):
                return Report.model_validate_json(cached)
    with Extractor(jobs=jobs, cache=cache, prefilter=prefilter, progress=progress) as extractor:
        collected = _extract(
            discovery, contents, digests, problems, settings, extractor, file_timeout
        )
    diagnostics = list(collected.diagnostics)
    index = ModuleIndex(facts for _, facts in collected.python)
    evaluator = Evaluator(index, files=frozenset(contents))
    expander = TemplateExpander(evaluator)
    django = analyze_django(
        [facts for _, facts in collected.python], evaluator, expander, settings
    )
    diagnostics.extend(django.diagnostics)
    mapper, orm_model, symbols = _map_orm(
        collected, settings, index, expander, django.migration_files
    )
    diagnostics.extend(_orm_diagnostics(orm_model))
    memo_key = fact_key("sql-memo", str(root), settings.dialect, settings.default_schema)
    memo: SqlMemo | None = None
    if cache is not None:
        loaded = cache.get(memo_key)
        memo = SqlMemo(loaded if isinstance(loaded, dict) else None)
    code = _analyse_code(
        collected, settings, diagnostics, evaluator, memo, django.migration_files
    )
    if cache is not None and memo is not None and memo.changed:
        cache.put(memo_key, memo.used)
    _add_orm_uses(
        collected, settings, symbols, mapper, orm_model, code, django.migration_files,
        django.uses,
    )
    orm_histories = model_histories(orm_model)
    alembic = alembic_histories(
        root, discovery.alembic_environments, collected.revisions, expander,
        dialect=settings.dialect, default_schema=settings.default_schema,
    )
    for history in alembic:
        diagnostics.extend(_diagnostic(path, problem) for path, problem in history.diagnostics)
    read_by_revisions = {path for history in alembic for path in history.sql_files}
    sql_histories, sql_statements, sql_unparsed = _sql_histories(
        collected, settings, diagnostics, read_by_revisions
    )
    histories = (
        [h.history for h in alembic] + sql_histories + code.runtime + orm_histories
        + django.histories
    )
    for history in histories:
        history.operations = [
            op for op in history.operations if not _is_ignored(op.table, settings.ignore_tables)
        ]
        replay(history)
    for history in external_histories(django, histories):
        history.state = {
            key: entry for key, entry in history.state.items()
            if not _is_ignored(key, settings.ignore_tables)
        }
        histories.append(history)
    known = {key for key, _ in code.uses} | {op.table for h in histories for op in h.operations}
    add_documentation(alembic, known, root)
    references = [
        r
        for r in [*orm_model.references, *django.references]
        if not _is_ignored(r.source, settings.ignore_tables)
        and not _is_ignored(r.target, settings.ignore_tables)
    ]
    graph = build_graph(code.modules, code.uses, histories, alembic, references)
    context = RuleContext(graph=graph, config=settings)
    findings = sorted(
        (finding for rule in RULES for finding in rule.check(context)),
        key=lambda f: (f.code, f.table or "", f.path or "", f.line or 0, f.message),
    )
    tables = assemble_tables(graph, findings)
    sources = sorted(
        (
            Source(
                id=h.id,
                kind=h.kind,
                path=h.path,
                files=h.files,
                ordered=h.ordered,
                tables=sorted(key.display for key in h.state),
            )
            for h in histories
        ),
        key=lambda s: s.id,
    )
    finding_counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        finding_counts[finding.name] += 1
    diagnostics = sorted(
        set(diagnostics), key=lambda d: (d.path, d.line or 0, d.code, d.message)
    )
    stats = Stats(
        files_scanned=len(discovery.files),
        python_files=len(collected.python),
        sql_files=len(collected.sql),
        skipped_test_files=len(discovery.skipped_tests),
        excluded_files=len(discovery.excluded),
        alembic_files=sum(
            1
            for entry, facts in collected.python
            if entry.role == "alembic" or facts.alembic_revision is not None
        ),
        alembic_revisions=sum(len(h.revisions) for h in alembic),
        django_migrations=django.migration_count,
        sql_strings=code.sql_strings,
        sql_statements=code.statements + sql_statements,
        sql_statements_unparsed=code.unparsed + sql_unparsed,
        tables=len(tables),
        uses=sum(len(t.uses) for t in tables),
        findings=dict(sorted(finding_counts.items())),
        diagnostics=len(diagnostics),
    )
    report = Report(
        tool_version=__version__,
        root=root.resolve().name,
        config=settings.model_dump(mode="json"),
        stats=stats,
        tables=tables,
        findings=findings,
        diagnostics=diagnostics,
        sources=sources,
        revisions=revision_models(alembic),
    )
    # Selection, per-file-ignores, inline suppressions, fingerprints (analyzer/policy).
    report = apply_policy(report, contents, settings)
    if cache is not None and not any(d.code in TRANSIENT_PROBLEMS for d in diagnostics):
        # (a crashed worker is not what the next scan of these files will see)
        cache.put(report_key, report.to_json().encode("utf-8"))
    if cache is not None:
        cache.flush()  # one write of the scope's pack, with everything this scan added
    return report


def use_cache_scope(cache: FactCache, root: Path, settings: Config) -> None:
    """One pack of facts per scanned root and the settings that change facts: a scan reads
    only its own repository's facts, in one read (see `analyzer.cache`)."""
    cache.use_scope(str(root), settings.dialect, settings.default_schema)
