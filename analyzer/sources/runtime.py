"""DDL in application code as a source: one unordered history per module, in line order.

A module that both creates and drops a table keeps it (replay's runtime rule): code creating a
staging table and dropping it when done still needs it.
"""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.resolve.code_sql import ResolvedRef
from analyzer.sources.model import SourceHistory, is_schema_change, schema_op


def runtime_history(path: str, refs: Iterable[ResolvedRef]) -> SourceHistory | None:
    """The schema changes a module's own SQL makes, or None when it makes none."""
    history = SourceHistory(
        id=f"runtime:{path}", kind="runtime", path=path, files=[path], ordered=False
    )
    seen: set[tuple[int, str, str, str]] = set()
    for resolved in refs:
        ref = resolved.ref
        marker = (resolved.line, ref.schema, ref.name, ref.operation)
        if ref.kind != "ddl" or not is_schema_change(ref) or marker in seen:
            continue
        seen.add(marker)
        history.operations.append(schema_op(history, path, resolved.line, ref, resolved.snippet))
    if not history.operations:
        return None
    history.operations.sort(key=lambda op: (op.line, op.operation))
    return history
