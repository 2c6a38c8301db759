"""The pipeline behind `scan()` when its cached report does not answer: extract (per file,
pure; `analyzer.collect`) -> resolve -> replay -> graph -> findings -> report
(`analyzer.analysis`) -> policy, data flowing one way.

A module of its own so that a scan answered from the cache never imports it (nor LibCST,
sqlglot, networkx or pglast, which it brings in): see `analyzer.scan`.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from analyzer.cache import FactCache
from analyzer.collect import collect
from analyzer.config import Config
from analyzer.cutoff import remember
from analyzer.discover import Discovery, ReadProblem
from analyzer.engine import (
    SELECTION_KEY,
    TRANSIENT_PROBLEMS,
    Extractor,
    ProgressCallback,
    Selection,
    collector_paused,
)
from analyzer.marker import MARKER
from analyzer.models import Report
from analyzer.stored import StoredReport


# The collector stays off for the whole pipeline (as it already was for each file's reading):
# it builds and unpickles millions of small acyclic objects (facts, IR, states), and every
# collection would walk them all again; one changed file on a 1,900-file repository took
# 8.5 s with it, 2.5 s without. What the scan leaves is collected later.
@collector_paused()
def run_pipeline(
    root: Path,
    settings: Config,
    discovery: Discovery,
    contents: dict[str, bytes],
    digests: dict[str, str],
    problems: list[ReadProblem],
    *,
    jobs: int,
    cache: FactCache | None,
    prefilter: bool,
    progress: ProgressCallback | None,
    file_timeout: float | None,
    report_key: str,
    inputs_key: str,
    workers: ProcessPoolExecutor | None = None,
    confirmed: Selection | None = None,
) -> Report:
    """The report of the files `discover` listed and `scan` read (`contents`, hashed in
    `digests`); stored in `cache` under `report_key` for the next scan of the same bytes, and
    what it rested on under `inputs_key` for the next scan's early cutoff (`analyzer.cutoff`).
    `workers`: worker processes `scan` started ahead (`engine.start_workers`), taken over.
    `confirmed`: what the relevance rounds would read after their first round, known from
    the last scan (`analyzer.cutoff.Verdict.selection`). `contents` is emptied
    (extraction takes the bytes over, `analyzer.collect`)."""
    files = frozenset(contents)
    # The policy reads the files that hold a suppression comment, and only those.
    marked = {path: data for path, data in contents.items() if MARKER in data}
    with Extractor(
        jobs=jobs, cache=cache, prefilter=prefilter, progress=progress,
        dialect=settings.dialect, default_schema=settings.default_schema, pool=workers,
        confirmed=confirmed,
    ) as extractor:
        collected = collect(
            discovery, contents, digests, problems, settings, extractor, file_timeout
        )
    # Imported now, not with this module: see `analyzer.analysis`.
    from analyzer.analysis import analyse
    from analyzer.policy import apply_policy

    report, memo_key = analyse(root, settings, discovery, files, collected, cache)
    before_policy = report
    # Selection, per-file-ignores, inline suppressions, fingerprints (analyzer/policy).
    report = apply_policy(report, marked, settings)
    if cache is not None and not any(
        d.code in TRANSIENT_PROBLEMS for d in before_policy.diagnostics
    ):
        # (a crashed worker is not what the next scan of these files will see)
        cache.put_report(report_key, StoredReport.of(report).to_bytes())
        remember(
            cache, inputs_key, digests, extractor.stage_keys, before_policy, report_key,
            kept=(SELECTION_KEY, memo_key), selection=tuple(extractor.pulled),
            marked=tuple(sorted(marked)), rounds_texts=extractor.rounds_texts,
        )
    if cache is not None:
        cache.flush()  # one write of the scope's pack, with everything this scan added
    return report
