"""SQL that a migration runs from Python (`op.execute`, Django's `RunSQL`), statement by
statement: each statement's tables, its snippet, and whether a CREATE in it can run.

Shared by the Alembic and Django sources, which differ only in what they do with each table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from analyzer.readers.sql_file import snippet_of
from analyzer.resolve.templates import Template
from analyzer.sql.refs import StatementResult
from analyzer.sql.runnable import CannotRun, cannot_run
from analyzer.sql.split import Statement, split_statements
from analyzer.sql.statements import TableRef, analyze_statement


@dataclass(frozen=True, slots=True)
class MigrationStatement:
    statement: Statement
    analysis: StatementResult
    snippet: str
    # Why a CREATE in it cannot run; never judged when a hole (a run-time value) is in a
    # table position, since the hole may be what the parser stumbled on.
    broken: CannotRun | None


def template_statements(
    template: Template, dialect: str, default_schema: str
) -> Iterator[MigrationStatement]:
    """The statements of one filled-in SQL template, in order."""
    statements, _ = split_statements(template.text)
    for statement in statements:
        analysis = analyze_statement(
            statement.text, dialect=dialect, default_schema=default_schema
        )
        broken = (
            cannot_run(statement.text, analysis, dialect)
            if not any(ref.holes for ref in analysis.refs)
            else None
        )
        yield MigrationStatement(
            statement, analysis, snippet_of(template.display(statement.text)), broken
        )


def migration_operation(
    ref: TableRef, broken: CannotRun | None
) -> tuple[str, CannotRun | None] | None:
    """What one table reference of migration SQL does to its table, and why it cannot run
    (a CREATE that cannot run is `broken`: it defines nothing); None for a read, which a
    migration's history does not record."""
    if broken is not None and ref.operation == "create":
        return "broken", broken
    if ref.kind == "write":
        return "data", None  # migration data, never an application use
    if ref.kind == "read":
        return None
    if ref.operation == "alter" and not ref.column_changes:
        return "other", None  # ALTER of something other than the columns
    return ref.operation, None
