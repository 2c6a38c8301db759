"""`scan(path) -> Report`: the whole pipeline, in one direction.

discover -> read and hash -> (the cached report of these very bytes, or) extract (per file,
pure) -> resolve -> replay -> graph -> findings -> report.

This module imports only what the cached answer needs (configuration, discovery, the cache,
the report model): most scans in CI and pre-commit change nothing or little, and importing
the pipeline (LibCST, sqlglot, networkx, pglast) costs more than that whole answer.
`analyzer.pipeline` is imported when the cache does not answer.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.cache import FactCache, fact_key
from analyzer.config import Config, load_config
from analyzer.discover import Discovery, ReadProblem, adopt_imported_tests, discover
from analyzer.stored import StoredReport

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor  # (6 ms to import: not for a warm scan)

    from analyzer.engine import ProgressCallback, Selection
    from analyzer.models import Report

DEFAULT_FILE_TIMEOUT = 60.0


def default_jobs() -> int:
    """Worker processes when none are asked for: one per core."""
    return os.cpu_count() or 1


class ScanError(ValueError):
    """The scan cannot start (bad path, bad configuration); the message says why."""


def _read_files(root: Path, discovery: Discovery) -> tuple[dict[str, bytes], list[ReadProblem]]:
    contents: dict[str, bytes] = {}
    problems = [ReadProblem(path, "skipped-file", message) for path, message in discovery.problems]
    base = str(root)

    def read(path: str) -> bytes | None:
        try:
            # (os.path, not pathlib: 5,000 Path objects cost 0.1 s of a warm scan)
            with open(os.path.join(base, path), "rb") as handle:
                return handle.read()
        except OSError as exc:
            problems.append(
                ReadProblem(
                    path, "unreadable-file",
                    f"cannot read the file ({exc.strerror or exc}); it was skipped",
                )
            )
            return None

    for entry in discovery.files:
        data = read(entry.path)
        if data is not None:
            contents[entry.path] = data
    adopt_imported_tests(discovery, contents, read)
    return contents, problems


def _setting_parts(
    root: Path, settings: Config, discovery: Discovery, file_timeout: float | None
) -> list[str]:
    """What both keys below hold besides the files: settings, time budget, environments and
    what discovery could not read or left out."""
    return [
        root.resolve().name, settings.fingerprint(), repr(file_timeout),
        repr(discovery.alembic_environments), repr(sorted(discovery.problems)),
        str(len(discovery.skipped_tests)),
        str(len(discovery.skipped_examples)),
        str(len(discovery.excluded)),
    ]


def _report_key(setting_parts: list[str], digests: dict[str, str]) -> str:
    """Everything the report depends on: the settings' parts and the files' bytes."""
    return fact_key(
        "report", *setting_parts, *(f"{path}\0{digests[path]}" for path in sorted(digests))
    )


def _inputs_key(
    setting_parts: list[str], discovery: Discovery, problems: list[ReadProblem], prefilter: bool
) -> str:
    """Everything the results of extraction depend on besides the files' bytes (the early
    cutoff's `LastScan.inputs`): the settings' parts, the pre-filter, the files that could
    not be read, and every discovered file with its kind and role."""
    return fact_key(
        "inputs", *setting_parts, repr(prefilter),
        repr(sorted((d.path, d.code, d.message) for d in problems)),
        *(f"{entry.path}\0{entry.kind}\0{entry.role}" for entry in discovery.files),
    )


def scan(
    path: str | Path,
    config: Config | dict[str, Any] | None = None,
    *,
    jobs: int = 1,
    cache: FactCache | None = None,
    prefilter: bool = True,
    progress: ProgressCallback | None = None,
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
) -> Report:
    """Scan the repository at `path` and return the full report.

    `config` is a `Config`, or a dict of overrides applied on top of the repository's
    `[tool.tabletrace]` settings, or None for the repository's settings alone. `jobs` worker
    processes extract files (1: in this process); `cache` keeps per-file facts between scans;
    `prefilter` skips the LibCST parse of files that cannot matter. None of them changes a byte
    of the report. `file_timeout` bounds the seconds spent reading any one file.
    """
    result = scan_or_stored(
        path, config, jobs=jobs, cache=cache, prefilter=prefilter, progress=progress,
        file_timeout=file_timeout,
    )
    return result.report() if isinstance(result, StoredReport) else result


def scan_or_stored(
    path: str | Path,
    config: Config | dict[str, Any] | None = None,
    *,
    jobs: int = 1,
    cache: FactCache | None = None,
    prefilter: bool = True,
    progress: ProgressCallback | None = None,
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
) -> Report | StoredReport:
    """`scan`, but when nothing changed since the last scan the cached report comes as the
    cache stored it (`StoredReport`: its JSON and a summary), unread: a caller that writes
    JSON need not build the report model (see `analyzer.stored`)."""
    # Absolute, so that paths named in configuration files (`%(here)s`) resolve the same way
    # whatever the current directory; never resolved through symlinks.
    root = Path(path).absolute()
    if not root.is_dir():
        raise ScanError(f"{path}: not a directory")
    settings = config if isinstance(config, Config) else load_config(root, config)
    workers = _workers_ahead(jobs, cache, root, settings)
    try:
        return _scan(root, settings, jobs=jobs, cache=cache, prefilter=prefilter,
                     progress=progress, file_timeout=file_timeout, workers=workers)
    finally:
        if workers is not None:
            workers.shutdown(cancel_futures=True)


def _workers_ahead(jobs: int, cache: FactCache | None, root: Path, settings: Config
                   ) -> ProcessPoolExecutor | None:
    """Worker processes started before discovery, for a scan that will read every file (no
    cache, or none yet for this root and settings): they import LibCST while this process
    discovers and reads the files and imports the pipeline (0.2-0.3 s of CPU each). A scan
    with a cache to ask forks them only if the cache does not answer."""
    if jobs < 2:
        return None
    if cache is not None:
        use_cache_scope(cache, root, settings)
        if cache.pack_path.exists():
            return None
    from analyzer.engine import start_workers

    return start_workers(jobs)


def _scan(
    root: Path,
    settings: Config,
    *,
    jobs: int,
    cache: FactCache | None,
    prefilter: bool,
    progress: ProgressCallback | None,
    file_timeout: float | None,
    workers: ProcessPoolExecutor | None,
) -> Report | StoredReport:
    discovery = discover(root, settings)
    contents, problems = _read_files(root, discovery)
    # Each file is hashed once: the digests key both the cached report and the cached facts.
    digests = {path: hashlib.sha256(data).hexdigest() for path, data in contents.items()}
    report_key = inputs_key = ""
    confirmed: Selection | None = None
    if cache is not None:
        setting_parts = _setting_parts(root, settings, discovery, file_timeout)
        report_key = _report_key(setting_parts, digests)
        inputs_key = _inputs_key(setting_parts, discovery, problems, prefilter)
        use_cache_scope(cache, root, settings)
        # Nothing changed since a scan with the same settings: its report is the answer.
        stored = StoredReport.from_bytes(cache.get_report(report_key))
        if stored is not None:
            return stored
        # Only some files changed, and they give the facts they gave: the last report holds
        # (or they give them but for their lines: the last scan's selection holds).
        from analyzer.cutoff import verdict_of_last_scan

        verdict = verdict_of_last_scan(
            settings, discovery, contents, digests, cache=cache, prefilter=prefilter,
            file_timeout=file_timeout, report_key=report_key, inputs_key=inputs_key,
        )
        if verdict.report is not None:
            return verdict.report
        confirmed = verdict.selection
    from analyzer.pipeline import run_pipeline  # imported only now: see the module docstring

    return run_pipeline(
        root, settings, discovery, contents, digests, problems, jobs=jobs, cache=cache,
        prefilter=prefilter, progress=progress, file_timeout=file_timeout,
        report_key=report_key, inputs_key=inputs_key, workers=workers,
        confirmed=confirmed,
    )


def use_cache_scope(cache: FactCache, root: Path, settings: Config) -> None:
    """One pack of facts per scanned root and the settings that change facts: a scan reads
    only its own repository's facts, in one read (see `analyzer.cache`)."""
    cache.use_scope(str(root), settings.dialect, settings.default_schema)
