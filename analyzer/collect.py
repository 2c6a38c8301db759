"""Extraction's results grouped for the stages after it: Python facts, SQL files, Alembic
revisions and the problems files had, in path order whatever order the workers finished in.

Its own module so that `analyzer.pipeline` (which extracts) and `analyzer.analysis` (which
takes it from there) share it without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analyzer.config import Config
from analyzer.discover import Discovery, FileEntry, ReadProblem
from analyzer.engine import Extractor, extraction_jobs
from analyzer.facts import AlembicRevision, FileProblem, ImportBinding, PythonFacts
from analyzer.models import Diagnostic
from analyzer.readers.sql_file import SqlFileFacts
from analyzer.sources.spark import spark_packages

if TYPE_CHECKING:
    from analyzer.resolve.code_sql import Analysis, MemoKey


@dataclass(slots=True)
class Collected:
    """Extraction's results, grouped for the stages after it (in path order)."""

    python: list[tuple[FileEntry, PythonFacts]] = field(default_factory=list)
    sql: list[tuple[FileEntry, SqlFileFacts]] = field(default_factory=list)
    revisions: list[tuple[AlembicRevision, PythonFacts]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: SQL analyses the workers made ahead, pickled (`engine.analyses_ahead`), for the memo
    analyses_ahead: list[bytes] = field(default_factory=list)
    #: those the relevance rounds' helper search made (`engine._Rounds.analyses`)
    analyses_made: dict[MemoKey, Analysis] = field(default_factory=dict)
    #: the top-level packages running PySpark and no database library (`sources.spark`)
    spark_packages: set[str] = field(default_factory=set)


def file_diagnostic(path: str, problem: FileProblem) -> Diagnostic:
    """A problem a reader found in one file, as the report's diagnostic."""
    return Diagnostic(code=problem.code, path=path, line=problem.line, message=problem.message)


def collect(
    discovery: Discovery,
    contents: dict[str, bytes],
    digests: dict[str, str],
    problems: list[ReadProblem],
    config: Config,
    extractor: Extractor,
    file_timeout: float | None,
) -> Collected:
    """Extract every file `discover` listed and `scan` read (`contents`), and group the
    results. `contents` is emptied once the jobs hold the bytes: what extraction lets go of
    is then freed (`Extractor.extract`)."""
    collected = Collected(
        diagnostics=[Diagnostic(code=p.code, path=p.path, message=p.message) for p in problems]
    )
    entries = {entry.path: entry for entry in discovery.files if entry.path in contents}
    jobs = extraction_jobs(discovery, contents, digests, config, file_timeout)
    contents.clear()
    results = extractor.extract(jobs)
    collected.analyses_ahead = extractor.analyses_ahead
    collected.analyses_made = extractor.analyses_made
    imports: list[tuple[str, Iterable[ImportBinding]]] = []
    for path in sorted(results):  # a fixed order, whatever order the workers finished in
        extracted, entry = results[path], entries[path]
        if extracted.python is not None:
            facts = extracted.python
            imports.append((facts.module, (
                extracted.glance.imports if extracted.skipped and extracted.glance is not None
                else facts.imports
            )))
            collected.python.append((entry, facts))
            collected.diagnostics.extend(file_diagnostic(path, p) for p in facts.problems)
            if extracted.revision is not None:
                collected.revisions.append((extracted.revision, facts))
                if not facts.problems:
                    collected.diagnostics.extend(
                        file_diagnostic(path, p) for p in extracted.revision.problems
                    )
        elif extracted.sql is not None:
            collected.sql.append((entry, extracted.sql))
            collected.diagnostics.extend(file_diagnostic(path, p) for p in extracted.sql.problems)
    collected.spark_packages = spark_packages(imports)
    return collected
