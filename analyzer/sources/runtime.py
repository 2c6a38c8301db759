"""DDL in application code as a source: one unordered history per module, in line order.

A module that both creates and drops a table keeps it (replay's runtime rule): code creating a
staging table and dropping it when done still needs it. Within one function, though, a table
created and dropped further down (`CREATE TABLE notes_copy AS SELECT ...`, work on it, `DROP
TABLE notes_copy`) is that call's scratch table, as a `CREATE TEMP TABLE` is its session's:
its creation is a temporary one (status `temporary`, neither `runtime-created-table` nor
`dead-table`), unless another function creates it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from analyzer.resolve.code_sql import ResolvedRef
from analyzer.sources.model import SourceHistory, is_schema_change, schema_op
from analyzer.sql.names import TableKey
from analyzer.sql.refs import TEMPORARY_CREATION


def runtime_history(path: str, refs: Iterable[ResolvedRef]) -> SourceHistory | None:
    """The schema changes a module's own SQL makes, or None when it makes none."""
    history = SourceHistory(
        id=f"runtime:{path}", kind="runtime", path=path, files=[path], ordered=False
    )
    refs = list(refs)
    scratch = _scratch_tables(refs)
    seen: set[tuple[int, str, str, str]] = set()
    for resolved in refs:
        ref = resolved.ref
        marker = (resolved.line, ref.schema, ref.name, ref.operation)
        if ref.kind != "ddl" or not is_schema_change(ref) or marker in seen:
            continue
        seen.add(marker)
        op = schema_op(history, path, resolved.line, ref, resolved.snippet)
        if op.operation == "create" and (op.table, resolved.function, op.line) in scratch:
            op = replace(op, operation=TEMPORARY_CREATION)
        history.operations.append(op)
    if not history.operations:
        return None
    history.operations.sort(key=lambda op: (op.line, op.operation))
    return history


def _scratch_tables(refs: list[ResolvedRef]) -> set[tuple[TableKey, str | None, int]]:
    """(table, function, line) of each creation a later line of the same function drops,
    when no other function creates that table."""
    creates: dict[TableKey, list[tuple[str | None, int]]] = {}
    drops: dict[TableKey, list[tuple[str | None, int]]] = {}
    renamed: set[TableKey] = set()
    for resolved in refs:
        ref = resolved.ref
        if ref.kind != "ddl":
            continue
        key = TableKey(ref.schema, ref.name)
        if ref.operation == "create":
            creates.setdefault(key, []).append((resolved.function, resolved.line))
        elif ref.operation == "drop":
            drops.setdefault(key, []).append((resolved.function, resolved.line))
        elif ref.operation in ("rename_to", "rename_from"):
            # a table rebuilt in place (`CREATE visits_new ...; DROP visits; ALTER TABLE
            # visits_new RENAME TO visits`): what the function leaves behind is no scratch
            renamed.add(key)
    out: set[tuple[TableKey, str | None, int]] = set()
    for key, made in creates.items():
        functions = {function for function, _ in made}
        if len(functions) != 1 or None in functions or key in renamed:
            continue
        last = max(line for _, line in made)
        dropped = [line for f, line in drops.get(key, ()) if f in functions]
        if not dropped or max(dropped) < last:
            continue  # created again after its last drop: the table stays
        out.update((key, function, line) for function, line in made if line < max(dropped))
    return out
