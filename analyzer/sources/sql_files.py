"""`.sql` files as sources: each file its own history, numbered folders one ordered history.

The facts come from the engine (`analyzer.readers.sql_file`); files an Alembic revision reads
belong to that revision's history instead (`analyzer.sources.alembic`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from analyzer.readers.sql_file import SqlFileFacts
from analyzer.sources.model import (
    SchemaOp,
    SourceHistory,
    is_schema_change,
    schema_op,
    sql_source_layout,
)
from analyzer.sql.engine_files import engine_family, variant_family
from analyzer.sql.names import TableKey


@dataclass(slots=True)
class SqlSources:
    histories: list[SourceHistory] = field(default_factory=list)
    statements: int = 0
    unparsed: list[tuple[str, int, str]] = field(default_factory=list)  # (path, line, error)


def sql_sources(
    files: Mapping[str, SqlFileFacts], ignored: Callable[[TableKey], bool]
) -> SqlSources:
    """One history per source, in replay order (numbered files by their number's value)."""
    result = SqlSources()
    for source_id, path, ordered, members in sql_source_layout(sorted(files)):
        history = SourceHistory(
            id=source_id, kind="sql", path=path, files=members, ordered=ordered,
            # `x.sql.postgres` / `x.sql.sqlite`, or a numbered folder's steps per engine
            # (`sql:db#postgres`, `sql:db#sqlite`): one schema per engine, alternatives
            variant_of=engine_family(source_id) or (variant_family(path) if not ordered else None),
        )
        for file_path in members:
            written: set[TableKey] = set()
            for statement in files[file_path].statements:
                result.statements += 1
                if not statement.parsed:
                    result.unparsed.append(
                        (file_path, statement.line, statement.error or "not parsed")
                    )
                for fact in statement.refs:
                    ref = fact.ref
                    key = TableKey(ref.schema, ref.name)
                    if ignored(key):
                        continue
                    if ref.kind == "write" and key not in written:
                        # The first write into each table, as migration data (replay ignores
                        # it; the order check needs the table there): a dump's 200,000 rows
                        # are one operation per table, not 200,000.
                        written.add(key)
                        history.operations.append(
                            SchemaOp(
                                source=history.id, source_kind=history.kind, path=file_path,
                                line=fact.line, operation="data", table=key,
                                snippet=statement.snippet, order_check_only=True,
                            )
                        )
                        continue
                    if not is_schema_change(ref):
                        continue
                    history.operations.append(
                        schema_op(
                            history, file_path, fact.line, ref, statement.snippet,
                            statement.cannot_run,
                        )
                    )
        result.histories.append(history)
    _pair_chains_with_fresh_scripts(result.histories)
    return result


def _pair_chains_with_fresh_scripts(histories: list[SourceHistory]) -> None:
    """A chain of upgrade scripts (`update_app_0.9_to_0.10.sql`...) and the script that builds
    the latest schema from nothing (`create_app.sql` beside it, or `schema.sql` in the folder
    above `migrations/`) are two ways to one schema: a fresh install runs the script, an
    existing database the chain. Both create the same tables, and that is no rivalry
    (`duplicate-definition`); where their final schemas differ, `definition-drift` says so.
    A script counts when it creates a table the chain also creates."""
    for chain in histories:
        if not (chain.ordered and chain.id.endswith("*")) or chain.variant_of is not None:
            continue
        folder = PurePosixPath(chain.path)
        created = _created_tables(chain)
        for script in histories:
            place = PurePosixPath(script.path).parent
            if (
                not script.ordered and script.variant_of is None
                and place in (folder, folder.parent)
                and created & _created_tables(script)
            ):
                script.variant_of = chain.variant_of = chain.id


def _created_tables(history: SourceHistory) -> set[TableKey]:
    return {op.table for op in history.operations if op.operation == "create"}
