"""The two database commands end to end, for the CLI: compare with a live database, verify."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analyzer.database.build import BuildResult, run_build
from analyzer.database.catalog import DEFAULT_TIMEOUT, read_catalog
from analyzer.database.compare import attach_database, attach_verification
from analyzer.database.plan import BuildPlan, build_plan
from analyzer.database.url import parse_database_url
from analyzer.models import Report


def compare_with_database(
    report: Report, url_text: str, timeout: float = DEFAULT_TIMEOUT
) -> Report:
    """`report` with the catalogue and statistics of the database at `url_text` folded in."""
    url = parse_database_url(url_text)
    schema = str(report.config.get("default_schema") or "public")
    catalog = read_catalog(url, default_schema=schema, timeout=timeout)
    return attach_database(report, catalog)


def verify_repository(
    report: Report,
    root: Path,
    dev_url: str,
    *,
    force_scratch: bool = False,
    plan: BuildPlan | None = None,
    announce: Callable[[str], None] | None = None,
) -> tuple[Report, BuildResult]:
    """Build the repository's sources on the `dev_url` server; the report with the verdicts."""
    url = parse_database_url(dev_url)
    build = run_build(
        plan if plan is not None else build_plan(report, root),
        url,
        force_scratch=force_scratch,
        announce=announce,
    )
    return attach_verification(report, build), build
