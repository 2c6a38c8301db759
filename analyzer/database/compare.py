"""Fold a database's testimony into a report: a live catalogue (`--database-url`) or a scratch
build (`verify`). Both return a new `Report`; the static one is never mutated.

- `attach_database`: every table gets the live database's evidence (`Table.database`), tables
  only the database has join the inventory with status `unmanaged`, the database rules run,
  and each `dead-table` finding is checked against the statistics: kept with the numbers
  ("0 scans and 0 writes since statistics were reset on ..."), or replaced by
  `externally-used-table` when the database shows activity.
- `attach_verification`: the verify rules run on the build's outcomes, and findings that
  replay predicted about statement order are confirmed or refuted (`confirm_predictions`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from analyzer.database.build import BuildResult, StepOutcome
from analyzer.database.catalog import LiveCatalog, LiveTable
from analyzer.database.evidence import (
    DatabaseContext,
    activity_text,
    is_bookkeeping,
    table_key,
)
from analyzer.models import (
    DatabaseEvidence,
    DatabaseSummary,
    Finding,
    Report,
    Table,
    TableStatistics,
    Verification,
)
from analyzer.rules import DATABASE_RULES
from analyzer.rules.dead_table import RULE as DEAD_TABLE
from analyzer.rules.externally_used_table import RULE as EXTERNALLY_USED

# Findings whose claim "this statement fails when the sources are built in order" a real
# build can settle. Replay's `migration-order` finding (coming with the new replay model) is
# one; add a name here and `confirm_predictions` handles it.
PREDICTED_FAILURES = frozenset({"migration-order"})
# SQLSTATEs of "a table, column, schema or type this statement needs does not exist (yet)":
# undefined_table, undefined_column, undefined_object, invalid_schema_name.
MISSING_OBJECT_STATES = frozenset({"42P01", "42703", "42704", "3F000"})


def _sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings, key=lambda f: (f.code, f.table or "", f.path or "", f.line or 0, f.message)
    )


def _with_findings(report: Report, findings: list[Finding], **changes: object) -> Report:
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        counts[finding.name] += 1
    tables = changes.get("tables", report.tables)
    stats = report.stats.model_copy(
        update={"findings": dict(sorted(counts.items())), "tables": len(tables)}  # type: ignore[arg-type]
    )
    return report.model_copy(update={"findings": findings, "stats": stats, **changes})


def evidence_of(live: LiveTable | None, catalog: LiveCatalog) -> DatabaseEvidence:
    if live is None:
        return DatabaseEvidence(present=False, stats_reset=catalog.stats_reset)
    activity = live.activity
    statistics = (
        TableStatistics(
            seq_scan=activity.seq_scan,
            idx_scan=activity.idx_scan,
            n_tup_ins=activity.n_tup_ins,
            n_tup_upd=activity.n_tup_upd,
            n_tup_del=activity.n_tup_del,
            n_live_tup=activity.n_live_tup,
            last_vacuum=activity.last_vacuum,
            last_autovacuum=activity.last_autovacuum,
            last_analyze=activity.last_analyze,
            last_autoanalyze=activity.last_autoanalyze,
        )
        if activity is not None
        else None
    )
    return DatabaseEvidence(
        present=True,
        object_type=live.object_type,
        columns=list(live.columns),
        column_types=list(live.column_types),
        statistics=statistics,
        stats_reset=catalog.stats_reset,
    )


def _dead_table_with_evidence(finding: Finding, live: LiveTable | None,
                              catalog: LiveCatalog) -> Finding | None:
    """The dead-table claim, checked against the database; None when the database refutes it."""
    if live is None:
        note = f"; {catalog.url} does not have it either"
    elif live.activity is None:
        note = (
            f"; {catalog.url} has it, but keeps no usage statistics"
            if not catalog.has_statistics
            else f"; {catalog.url} has it, with no usage statistics for a {live.object_type}"
        )
    elif live.used:
        return None  # externally-used-table says what the database shows instead
    else:
        note = f"; {catalog.url} agrees: {activity_text(live, catalog.stats_reset)}"
    return finding.model_copy(update={"message": finding.message + note})


def attach_database(report: Report, catalog: LiveCatalog) -> Report:
    """The report with the live database's evidence, findings and unmanaged tables."""
    context = DatabaseContext(report=report, live=catalog)
    live_findings = [f for rule in DATABASE_RULES for f in rule.database_check(context)]  # type: ignore[misc]
    findings: list[Finding] = []
    by_name = {table.qualified_name: table for table in report.tables}
    for finding in report.findings:
        if finding.code == DEAD_TABLE.code and finding.table in by_name:
            live = catalog.get(table_key(by_name[finding.table]))
            checked = _dead_table_with_evidence(finding, live, catalog)
            if checked is None and any(
                f.code == EXTERNALLY_USED.code and f.table == finding.table for f in live_findings
            ):
                continue
            findings.append(checked or finding)
        else:
            findings.append(finding)
    findings.extend(live_findings)
    known = {table_key(table) for table in report.tables}
    tables = [
        table.model_copy(update={"database": evidence_of(catalog.get(table_key(table)), catalog)})
        for table in report.tables
    ]
    for live in catalog.tables.values():
        if live.key in known or is_bookkeeping(live):
            continue
        tables.append(
            Table(
                name=live.name,
                schema=live.schema,
                qualified_name=live.display,
                object_type=live.object_type,
                status="unmanaged",
                present_in=[],
                definitions=[],
                uses=[],
                database=evidence_of(live, catalog),
            )
        )
    tables.sort(key=lambda t: (t.schema_name, t.name))
    summary = DatabaseSummary(
        url=catalog.url,
        kind=catalog.kind,
        server_version=catalog.server_version,
        stats_reset=catalog.stats_reset,
        has_statistics=catalog.has_statistics,
        tables=len(catalog.tables),
    )
    return _with_findings(report, _sorted_findings(findings), tables=tables, database=summary)


def _step_at(outcomes: list[StepOutcome], path: str | None, line: int | None) -> StepOutcome | None:
    if path is None or line is None:
        return None
    for outcome in outcomes:
        step = outcome.step
        if step.path == path and step.line <= line <= step.last_line and not step.generated:
            return outcome
    return None


def confirm_predictions(findings: list[Finding], build: BuildResult) -> list[Finding]:
    """Settle each finding of `PREDICTED_FAILURES` with the real build.

    The finding's `path:line` names the statement predicted to fail. PostgreSQL rejecting it
    with a missing-object SQLSTATE confirms the prediction (its message is appended); accepting
    it refutes the prediction, which is then kept but downgraded to info and says so (the
    statement may rely on something tabletrace cannot see, such as a database default). A
    statement the build did not run leaves the finding unchanged.
    """
    settled = []
    for finding in findings:
        outcome = (
            _step_at(build.outcomes, finding.path, finding.line)
            if finding.name in PREDICTED_FAILURES
            else None
        )
        if outcome is None or outcome.status in ("skipped", "aborted"):
            settled.append(finding)
        elif outcome.status == "rejected":
            verdict = f"{outcome.sqlstate} {outcome.message}"
            confirmed = outcome.sqlstate in MISSING_OBJECT_STATES
            settled.append(
                finding.model_copy(
                    update={
                        "message": finding.message
                        + (
                            f"; PostgreSQL confirms: {verdict}"
                            if confirmed
                            else f"; PostgreSQL rejects it for another reason: {verdict}"
                        )
                    }
                )
            )
        else:
            settled.append(
                finding.model_copy(
                    update={
                        "severity": "info",
                        "message": finding.message
                        + "; but PostgreSQL accepted this statement when verify built the "
                        "sources in this order, so the prediction is refuted",
                    }
                )
            )
    return settled


def verification_summary(build: BuildResult) -> Verification:
    return Verification(
        url=build.url,
        scratch=build.scratch,
        server_version=build.server_version,
        steps=len(build.outcomes),
        applied=build.count("applied"),
        rejected=build.count("rejected"),
        skipped=build.count("skipped"),
        aborted=build.count("aborted"),
        generated=sum(1 for outcome in build.outcomes if outcome.step.generated),
    )


def attach_verification(report: Report, build: BuildResult) -> Report:
    """The report with verify's findings, and predictions settled by the build."""
    context = DatabaseContext(report=report, build=build)
    found = [f for rule in DATABASE_RULES for f in rule.database_check(context)]  # type: ignore[misc]
    findings = confirm_predictions(list(report.findings), build) + found
    diagnostics = sorted(
        set(report.diagnostics) | set(build.plan.problems),
        key=lambda d: (d.path, d.line or 0, d.code, d.message),
    )
    stats = report.stats.model_copy(update={"diagnostics": len(diagnostics)})
    return _with_findings(
        report.model_copy(update={"stats": stats}),
        _sorted_findings(findings),
        diagnostics=diagnostics,
        verification=verification_summary(build),
    )
