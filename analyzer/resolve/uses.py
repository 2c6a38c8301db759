"""Resolved SQL of application modules -> the uses and dynamic names the graph records."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from analyzer.facts import PythonFacts
from analyzer.graph import DynamicUse, ModuleInfo
from analyzer.models import Use
from analyzer.readers.sql_file import SqlRoutineFact
from analyzer.resolve.code_sql import PythonSql
from analyzer.sql.names import TableKey
from analyzer.sql.refs import TableRef

#: One use per line, table, kind and operation in a module.
_UseMarker = tuple[int, TableKey, str, str]


@dataclass(slots=True)
class CodeUses:
    """What application code does with tables, module by module."""

    modules: list[ModuleInfo] = field(default_factory=list)
    uses: list[tuple[TableKey, Use]] = field(default_factory=list)
    sql_strings: int = 0
    statements: int = 0
    unparsed: list[tuple[str, int, str]] = field(default_factory=list)  # (path, line, error)
    # names in `modules`: one check per ORM or Django use (a scan over the list was quadratic:
    # 33 million comparisons, about a second, on 5,000 modules)
    _names: set[str] = field(default_factory=set)

    def add(self, module: ModuleInfo) -> None:
        self.modules.append(module)
        self._names.add(module.name)

    def add_module(self, name: str, path: str) -> None:
        if name not in self._names:
            self.add(ModuleInfo(name=name, path=path))


def code_uses(
    modules: Iterable[PythonFacts],
    resolved: Mapping[str, PythonSql],
    ignored: Callable[[TableKey], bool],
) -> CodeUses:
    """One `Use` per (line, table, kind, operation) of each module's SQL, in module order."""
    result = CodeUses()
    for facts in modules:
        sql = resolved[facts.path]
        result.sql_strings += sql.sql_strings
        result.statements += sql.statements
        result.unparsed.extend((facts.path, u.line, u.error) for u in sql.unparsed)
        module = ModuleInfo(name=facts.module, path=facts.path)
        for dynamic in sorted(sql.dynamic, key=lambda d: (d.line, d.expressions, d.snippet)):
            module.dynamic.append(
                DynamicUse(
                    facts.path, dynamic.line, facts.module, dynamic.expressions,
                    dynamic.kind, dynamic.snippet, dynamic.reason, dynamic.operation,
                    dynamic.engine,
                )
            )
        seen: set[_UseMarker] = set()
        for resolved_ref in sql.refs:
            ref = resolved_ref.ref
            key = _first_use(resolved_ref.line, ref, seen, ignored)
            if key is None:
                continue
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
        result.add(module)
    return result


def routine_uses(
    modules: Iterable[PythonFacts],
    resolved: Mapping[str, PythonSql],
    defined: Mapping[str, list[tuple[str, SqlRoutineFact]]],
    ignored: Callable[[TableKey], bool],
) -> list[tuple[TableKey, Use]]:
    """What code does to tables through the database functions it calls: a statement calling
    `add_new_package(...)`, which a `.sql` file defines, writes what that function's body
    writes. One use per table, kind and operation of the function's final definition in each
    source that defines it (`sql_files.final_routines`), at the calling statement's line,
    `confidence: medium` (a function is found by its name alone, and its body read
    statically), the definition in the snippet."""
    if not defined:
        return []
    out: list[tuple[TableKey, Use]] = []
    for facts in modules:
        seen: set[_UseMarker] = set()
        for call in resolved[facts.path].calls:
            definitions = [d for name in call.names for d in defined.get(name, ())]
            for path, routine in definitions:
                for fact in routine.refs:
                    ref = fact.ref
                    key = _first_use(call.line, ref, seen, ignored)
                    if key is None:
                        continue
                    out.append((key, Use(
                        path=facts.path, line=call.line, module=facts.module,
                        kind=ref.kind, via="sql", confidence="medium",
                        operation=ref.operation, function=call.function,
                        snippet=(
                            f"{call.snippet} -> {_qualified(routine)}() at {path}:{fact.line}"
                        ),
                    )))
    return out


def _first_use(
    line: int, ref: TableRef, seen: set[_UseMarker], ignored: Callable[[TableKey], bool]
) -> TableKey | None:
    """The table `ref` names at `line`, unless `ignore_tables` leaves it out or the module
    already has that use (the same line, table, kind and operation): both readers of a
    module's SQL, its own statements (`code_uses`) and the functions they call
    (`routine_uses`), keep a module's uses unique this way."""
    key = TableKey(ref.schema, ref.name)
    marker = (line, key, ref.kind, ref.operation)
    if ignored(key) or marker in seen:
        return None
    seen.add(marker)
    return key


def _qualified(routine: SqlRoutineFact) -> str:
    return f"{routine.schema}.{routine.name}" if routine.schema else routine.name
