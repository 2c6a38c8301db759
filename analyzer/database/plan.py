"""The build plan of `tabletrace verify`: every statement to run, in order, with its location.

`verify.py` runs whatever list of `BuildStep`s it is given and knows nothing of where they
came from; this module is the one place that decides the list. Today it builds it from what
the report carries:

1. the raw-SQL sources (`Report.sources` of kind `sql`), in the order the report gives them
   and each one's files in replay order (`10_` after `9_`), but for upgrades whose fresh-install
   script is built instead (`Source.alternative_of`), every file re-read and split with
   `analyzer.sql.split.split_statements` (so psql meta-commands and COPY data blocks are
   handled exactly as the static reader handles them);
2. then a generated `CREATE TABLE IF NOT EXISTS` for every table of the Alembic head states,
   of migration modules' and `create_all` calls' final states and of the ORM model
   declarations, from the replayed column names. Replay does not carry
   column types yet: `postgres_type` turns a declared type into PostgreSQL's, and gives `text`
   when none is known.

Raw SQL comes first because it carries real types and constraints: a generated all-`text`
table created before it would make a raw `FOREIGN KEY ... REFERENCES` to it fail for a reason
that is tabletrace's, not the repository's. `IF NOT EXISTS` makes the generated layer fill
only the gaps.

When the replay model orders every source (op.execute SQL, migration-module SQL, runtime DDL,
real column types), it hands `verify` its own `list[BuildStep]`; nothing else changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.models import Diagnostic, Report, Table, TableState
from analyzer.sql.engine_files import dialect_of, source_engine
from analyzer.sql.split import split_statements

# Sources whose Python tabletrace never runs: their tables are generated from the replayed state
GENERATED_STATES = ("alembic", "migration-module", "create_all", "model")
CREATING = frozenset({"create", "rename_to", "declare"})
_COPY_FROM_STDIN = re.compile(r"COPY\b.*\bFROM\s+STDIN\b", re.IGNORECASE | re.DOTALL)
_COPY_DATA_END = re.compile(r"^\\\.\r?$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class BuildStep:
    """One statement of the build, where it comes from, and how to run it.

    `session` groups steps that share one database session (SET search_path, an open
    BEGIN...): psql runs each file in a session of its own, so each file gets its own value.
    `generated` marks SQL that tabletrace wrote from a replayed state rather than read: a
    rejected generated step says something about tabletrace's reading, not about the
    repository. `copy_data` is the data block that follows `COPY ... FROM stdin`.
    """

    source_id: str
    source_kind: str
    path: str
    line: int
    sql: str
    revision: str | None = None
    generated: bool = False
    end_line: int = 0
    session: str = ""
    copy_data: str | None = None

    @property
    def last_line(self) -> int:
        return max(self.line, self.end_line)

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(slots=True)
class BuildPlan:
    steps: list[BuildStep] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


# (qualified table, column) -> the column's declared type as tabletrace read it, if known.
ColumnTypes = Callable[[str, str], str | None]

_SQLALCHEMY_TYPES = {
    "integer": "integer",
    "smallinteger": "smallint",
    "biginteger": "bigint",
    "boolean": "boolean",
    "text": "text",
    "unicodetext": "text",
    "float": "double precision",
    "double": "double precision",
    "date": "date",
    "time": "time",
    "interval": "interval",
    "largebinary": "bytea",
    "json": "json",
    "jsonb": "jsonb",
    "uuid": "uuid",
    "uuid_": "uuid",
    "inet": "inet",
    "tsvector": "tsvector",
}
_SQL_TYPE = re.compile(
    r"(?:[a-z_][a-z0-9_ ]*)(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\s*\[\s*\])*", re.IGNORECASE
)


def no_known_types(table: str, column: str) -> str | None:
    """Replay does not record column types yet."""
    return None


def postgres_type(declared: str | None) -> str:
    """The PostgreSQL type of a generated column, from the type tabletrace read for it.

    `declared` is SQLAlchemy's spelling (`sa.Integer()`, `String(50)`, `DateTime(timezone=
    True)`, `Numeric(10, 2)`) or a SQL type name (`varchar(50)`, `timestamptz`). None or
    anything unrecognised gives `text`, which accepts any literal a migration might insert.
    """
    if not declared:
        return "text"
    text = declared.strip().removeprefix("sa.").removeprefix("sqlalchemy.")
    text = re.sub(r"^(?:postgresql|dialects\.postgresql|types)\.", "", text)
    head, _, args = text.partition("(")
    name = head.strip().lower()
    args = args.rstrip(")").strip()
    if name in ("string", "unicode", "varchar"):
        length = re.match(r"\d+", args)
        return f"varchar({length[0]})" if length else "varchar"
    if name in ("numeric", "decimal"):
        numbers = re.findall(r"\d+", args)
        return f"numeric({', '.join(numbers[:2])})" if numbers else "numeric"
    if name == "datetime":
        return "timestamptz" if re.search(r"timezone\s*=\s*True", args) else "timestamp"
    if name in _SQLALCHEMY_TYPES:
        return _SQLALCHEMY_TYPES[name]
    plain = declared.strip()
    if _SQL_TYPE.fullmatch(plain) and plain in (plain.lower(), plain.upper()):
        return plain.lower()  # already a SQL type name: varchar(50), TIMESTAMPTZ, int[]
    return "text"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_plan(report: Report, root: Path, column_types: ColumnTypes = no_known_types) -> BuildPlan:
    """Every statement `verify` runs, in order: raw SQL sources, then generated tables."""
    plan = BuildPlan()
    fresh = {
        source.alternative_of for source in report.sources
        if source.kind == "sql" and not source.ordered and source.alternative_of is not None
    }
    for source in report.sources:
        if source.kind != "sql":
            continue
        if source_engine(source.id) not in (None, "postgres"):
            continue  # a numbered folder's steps for another engine (`sql:db#sqlite`)
        if source.ordered and source.alternative_of in fresh and source_engine(source.id) is None:
            # upgrades of an older database, whose latest schema a fresh-install script beside
            # them builds (`sql_files._pair_upgrades_with_fresh_scripts`): the script is built
            continue
        for file in source.files:
            if dialect_of(file) not in (None, "postgres"):
                continue  # written for another engine (`x.sql.sqlite`): not PostgreSQL's
            plan.steps.extend(sql_file_steps(source.id, file, root, plan.problems))
    plan.steps.extend(generated_steps(report.tables, column_types, plan.problems))
    return plan


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


def sql_file_steps(
    source_id: str, path: str, root: Path, problems: list[Diagnostic]
) -> list[BuildStep]:
    """The statements of one `.sql` file, each with its line span and any COPY data."""
    try:
        data = (root / path).read_bytes()
    except OSError as exc:
        problems.append(
            Diagnostic(
                code="verify-unreadable-file",
                path=path,
                message=f"cannot read the file ({exc.strerror or exc}); its statements were "
                "not built",
            )
        )
        return []
    if b"\x00" in data:
        problems.append(
            Diagnostic(code="verify-binary-file", path=path, message="binary file; not built")
        )
        return []
    text = _decode(data)
    statements, _ = split_statements(text)
    steps = []
    for statement in statements:
        copy_data = None
        if _COPY_FROM_STDIN.match(statement.text):
            copy_data = _copy_data(text, statement.offset + len(statement.text))
        steps.append(
            BuildStep(
                source_id=source_id,
                source_kind="sql",
                path=path,
                line=statement.line,
                end_line=statement.line + statement.text.count("\n"),
                sql=statement.text,
                session=f"file:{path}",
                copy_data=copy_data,
            )
        )
    return steps


def _copy_data(text: str, statement_end: int) -> str:
    """The rows after `COPY ... FROM stdin;`: from the next line up to the `\\.` line."""
    semicolon = text.find(";", statement_end)
    newline = text.find("\n", semicolon if semicolon >= 0 else statement_end)
    if newline < 0:
        return ""
    end = _COPY_DATA_END.search(text, newline + 1)
    return text[newline + 1 : end.start() if end else len(text)]


def _creating_definition(table: Table, state: TableState) -> tuple[str, int, str | None] | None:
    creates = [
        d for d in table.definitions if d.source == state.source and d.operation in CREATING
    ]
    if not creates:
        return None
    last = max(creates, key=lambda d: (d.sequence, d.path, d.line))
    return last.path, last.line, last.revision


def generated_steps(
    tables: Iterable[Table], column_types: ColumnTypes, problems: list[Diagnostic]
) -> list[BuildStep]:
    """`CREATE TABLE IF NOT EXISTS` for each table of an Alembic head or model state."""
    steps: list[tuple[tuple[int, str, str], BuildStep]] = []
    schemas: dict[str, BuildStep] = {}
    for table in tables:
        for state in table.states:
            if state.source_kind not in GENERATED_STATES or state.object_type != "table":
                continue
            origin = _creating_definition(table, state)
            path, line, revision = origin if origin else (state.source, 0, None)
            if state.columns is None:
                problems.append(
                    Diagnostic(
                        code="verify-not-generated",
                        path=path,
                        line=line or None,
                        message=f"{table.qualified_name}: its columns in {state.source} are "
                        "unknown, so verify could not create it",
                    )
                )
                continue
            columns = ", ".join(
                f"{quote_identifier(column)} "
                f"{postgres_type(column_types(table.qualified_name, column))}"
                for column in state.columns
            )
            name = f"{quote_identifier(table.schema_name)}.{quote_identifier(table.name)}"
            step = BuildStep(
                source_id=state.source,
                source_kind=state.source_kind,
                path=path,
                line=line,
                sql=f"CREATE TABLE IF NOT EXISTS {name} ({columns})",
                revision=revision,
                generated=True,
                session="generated",
            )
            rank = GENERATED_STATES.index(state.source_kind)
            steps.append(((rank, state.source, table.qualified_name), step))
            if table.schema_name != "public" and table.schema_name not in schemas:
                schemas[table.schema_name] = BuildStep(
                    source_id=state.source,
                    source_kind=state.source_kind,
                    path=path,
                    line=line,
                    sql=f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(table.schema_name)}",
                    revision=revision,
                    generated=True,
                    session="generated",
                )
    ordered = [step for _, step in sorted(steps, key=lambda item: item[0])]
    return [schemas[name] for name in sorted(schemas)] + ordered
