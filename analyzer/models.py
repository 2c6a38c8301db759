"""The report: the one model every renderer reads and the versioned JSON contract.

Other tools parse the JSON, so field names here are a public API: add fields, never rename.
Every list is sorted by the pipeline before the report is built, so the same repository always
serialises to the same bytes.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.1"

SourceKind = Literal[
    "alembic", "sql", "runtime", "model", "create_all", "migration-module", "django", "external"
]
UseKind = Literal["read", "write", "ddl"]
Severity = Literal["error", "warning", "info"]
Confidence = Literal["high", "medium", "low"]


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)


class Location(_Model):
    path: str
    line: int | None = None
    snippet: str | None = None


class Definition(_Model):
    """One schema operation a source performs on a table (create, drop, rename, alter...)."""

    source_kind: SourceKind
    source: str = Field(description="id of the source (see sources[])")
    path: str
    line: int
    operation: str = Field(
        description="create | drop | rename_from | rename_to | alter | declare | document"
    )
    revision: str | None = None
    object_type: str = "table"
    columns: list[str] | None = Field(
        default=None, description="columns declared by a create, in order, when known"
    )
    detail: str | None = Field(
        default=None, description="human-readable detail: rename peer, column changes..."
    )
    snippet: str = ""
    conditional: bool = Field(
        default=False, description="inside an if/try of an Alembic upgrade()"
    )
    sequence: int = Field(
        default=0, description="position in its source's replay order (for timelines)"
    )


class Use(_Model):
    """A table referenced by application code, with the evidence."""

    path: str
    line: int
    module: str
    kind: UseKind
    via: Literal["sql", "orm"] = "sql"
    confidence: Confidence = "high"
    operation: str = Field(description="select, insert, update, delete, create, drop, ...")
    function: str | None = None
    snippet: str = ""


class TableState(_Model):
    """The table as it stands at the end of one source's history."""

    source: str
    source_kind: SourceKind
    object_type: str = "table"
    columns: list[str] | None = None


class TableLink(_Model):
    """A foreign key or relationship() between tables, declared by an ORM model."""

    table: str
    path: str
    line: int
    via: str = Field(description="foreign_key | relationship | many_to_many")


class TableStatistics(_Model):
    """One table's row of PostgreSQL's `pg_stat_user_tables`: counters since the last reset."""

    seq_scan: int = Field(description="sequential scans")
    idx_scan: int = Field(description="index scans")
    n_tup_ins: int = Field(description="rows inserted")
    n_tup_upd: int = Field(description="rows updated")
    n_tup_del: int = Field(description="rows deleted")
    n_live_tup: int = Field(description="estimated live rows")
    last_vacuum: str | None = None
    last_autovacuum: str | None = None
    last_analyze: str | None = None
    last_autoanalyze: str | None = None


class DatabaseEvidence(_Model):
    """What the database given by `--database-url` says about one table."""

    present: bool = Field(description="the database has a relation of this name")
    object_type: str | None = Field(
        default=None, description="table | view | materialized_view | foreign_table"
    )
    columns: list[str] | None = None
    column_types: list[str] | None = Field(
        default=None, description="PostgreSQL's format_type() of each column, in order"
    )
    statistics: TableStatistics | None = Field(
        default=None, description="null for SQLite and for relations without statistics"
    )
    stats_reset: str | None = Field(
        default=None, description="pg_stat_database.stats_reset: counters count since then"
    )


class Table(_Model):
    name: str = Field(description="the name as the database sees it (case kept if quoted)")
    schema_name: str = Field(alias="schema")
    qualified_name: str
    object_type: str = "table"
    status: str = Field(
        description=(
            "used | dead | undefined (used by code, or the target of a foreign key, and "
            "created by no source) | broken (created only by statements that cannot run) | "
            "dropped | runtime-only | temporary (created only as a temporary table, in the "
            "code's session) | system (a database catalog) | external (owned outside the "
            "repository: a Django contrib or third-party app, an unmanaged model, an attached "
            "database, `external_tables`) | removed "
            "(history only)"
        )
    )
    present_in: list[SourceKind]
    definitions: list[Definition]
    uses: list[Use]
    states: list[TableState] = Field(default_factory=list)
    used_by_modules: list[str] = Field(default_factory=list)
    references: list[TableLink] = Field(
        default_factory=list, description="tables this one points to (ForeignKey, relationship)"
    )
    referenced_by: list[TableLink] = Field(default_factory=list)
    database: DatabaseEvidence | None = Field(
        default=None, description="the live database's catalogue and statistics (--database-url)"
    )


class Finding(_Model):
    code: str
    name: str
    severity: Severity
    table: str | None = Field(description="schema.name, or null when not about one table")
    path: str | None
    line: int | None
    message: str
    locations: list[Location] = Field(default_factory=list)
    confidence: Confidence = Field(
        default="high",
        description=(
            "high: the sources say so; medium: it rests on a reading tabletrace cannot be sure "
            "of (a SQL statement sqlglot cannot parse, a helper matched by name), and the "
            "message says how to confirm it"
        ),
    )
    fingerprint: str = Field(
        default="",
        description=(
            "stable identity for baselines and SARIF partialFingerprints: a hash of the rule, "
            "the table and the path (never line numbers), so it survives lines moving"
        ),
    )


class Diagnostic(_Model):
    """A file or statement tabletrace could not fully read; the scan went on."""

    code: str
    path: str
    line: int | None = None
    message: str


class Source(_Model):
    """Something that can create tables: a SQL file or ordered folder, a runtime module..."""

    id: str
    kind: SourceKind
    path: str
    files: list[str]
    ordered: bool = Field(description="true when files form one history in numeric order")
    tables: list[str] = Field(description="tables present at the end of this source's history")
    alternative_of: str | None = Field(
        default=None,
        description=(
            "sources sharing this value are alternative ways to one schema, never both run on "
            "one database: one engine's variant of a SQL file or numbered folder, or a "
            "fresh-install script and the upgrades beside it"
        ),
    )


class RevisionTable(_Model):
    table: str
    operation: str
    path: str
    line: int
    conditional: bool = False


class Revision(_Model):
    """One Alembic revision, as read statically and placed in its environment's DAG."""

    environment: str
    revision: str
    path: str
    line: int | None = None
    down_revisions: list[str]
    depends_on: list[str] = Field(default_factory=list)
    branch_labels: list[str] = Field(default_factory=list)
    order: int = Field(description="position in the replay order of its environment")
    is_head: bool
    is_merge: bool
    category: str = Field(description="schema | data | documentation | merge | opaque")
    message: str | None = Field(default=None, description="first line of the docstring")
    tables: list[RevisionTable] = Field(default_factory=list)


class Stats(_Model):
    files_scanned: int
    python_files: int
    sql_files: int
    skipped_test_files: int
    skipped_example_files: int = Field(
        default=0, description="files under examples/ or docs/ left out (`include_examples`)"
    )
    excluded_files: int
    alembic_files: int
    alembic_revisions: int = 0
    django_migrations: int = Field(
        default=0, description="Django migration files read (replaced ones included)"
    )
    sql_strings: int
    sql_statements: int
    sql_statements_unparsed: int
    tables: int
    uses: int
    findings: dict[str, int]
    diagnostics: int
    suppressed: dict[str, int] = Field(
        default_factory=dict,
        description=(
            "findings not reported, by mechanism: `comment` (a `tabletrace: ignore` comment), "
            "`per-file-ignores`, `baseline`"
        ),
    )


class DatabaseSummary(_Model):
    """The live database a report was compared with (`--database-url`)."""

    url: str = Field(description="the URL with its password masked")
    kind: str = Field(description="postgresql | sqlite")
    server_version: str | None = None
    stats_reset: str | None = Field(
        default=None, description="pg_stat_database.stats_reset (null: never reset, or SQLite)"
    )
    has_statistics: bool
    tables: int = Field(description="tables and views the database holds")


class Verification(_Model):
    """How `tabletrace verify` built the sources in a scratch database."""

    url: str = Field(description="the --dev-url with its password masked")
    scratch: str = Field(description="database (created and dropped) | transaction (rolled back)")
    server_version: str | None = None
    steps: int
    applied: int
    rejected: int
    skipped: int = Field(description="not run: acts outside the scratch database, or owner/grant")
    aborted: int = Field(description="not run by PostgreSQL: inside an already failed transaction")
    generated: int = Field(description="steps tabletrace generated from a replayed state")


class Report(_Model):
    schema_version: str = SCHEMA_VERSION
    tool_version: str
    root: str = Field(description="name of the scanned directory (never an absolute path)")
    config: dict[str, Any]
    stats: Stats
    tables: list[Table]
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    sources: list[Source]
    revisions: list[Revision] = Field(default_factory=list)
    database: DatabaseSummary | None = None
    verification: Verification | None = None

    def to_json(self) -> str:
        """Canonical JSON: fields in model order, lists sorted, two-space indent, newline.

        pydantic's serializer (Rust) writes it; keys follow the field order of the models, so
        the same report always gives the same bytes.
        """
        return self.model_dump_json(indent=2, by_alias=True) + "\n"

    def table(self, name: str) -> Table | None:
        """Look a table up by `name`, `schema.name` or its qualified display name."""
        for table in self.tables:
            if name in (table.qualified_name, f"{table.schema_name}.{table.name}"):
                return table
        matches = [t for t in self.tables if t.name == name]
        if not matches:
            lowered = name.lower()
            matches = [t for t in self.tables if t.name == lowered]
        return matches[0] if len(matches) == 1 else None


def report_json_schema() -> dict[str, Any]:
    """The published JSON Schema of the report (serialisation mode, by alias)."""
    schema = Report.model_json_schema(by_alias=True, mode="serialization")
    schema["$id"] = f"https://tabletrace.dev/schema/report-{SCHEMA_VERSION}.json"
    schema["title"] = "tabletrace report"
    return schema
