"""Per-file extraction at scale: worker processes, the fact cache, and a relevance pre-filter.

LibCST costs about eight times CPython's own parser, so files are first looked at cheaply:
a Python file with no SQL-looking string, no ORM or Alembic marker and no name that the
relevant files define or ask for is only checked with `ast.parse` (so syntax errors are still
reported exactly as LibCST would report them: such files take the full path) and gets empty
facts. Relevance is decided in rounds: names defined by the parsed files (constants, models,
tables) and modules they import for holes, models and bases pull more files in, until nothing
changes. The result is the same facts a full parse of every file would give for everything
the later stages look at (a test compares both).
"""

from __future__ import annotations

import ast
import contextlib
import gc
import hashlib
import pickle
import re
import signal
import sys
import threading
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from analyzer import heap
from analyzer.cache import FactCache, fact_key
from analyzer.config import Config
from analyzer.discover import Discovery, FileEntry, module_name
from analyzer.facts import AlembicRevision, FileProblem, PythonFacts
from analyzer.outline import Outline, outline_of, parse_reporting_nesting
from analyzer.relevance import Closure, Demand, Glance, glance
from analyzer.resolve.index import ModuleIndex
from analyzer.sources.migration_places import is_declared
from analyzer.sql.detect import Parsed, sharing_parses
from analyzer.sql.engine_files import dialect_of

if TYPE_CHECKING:
    from analyzer.readers.sql_file import SqlFileFacts
    from analyzer.resolve.code_sql import Analysis, CodeSqlResolver, HelperSignatures, MemoKey

ProgressCallback = Callable[[int, int], None]
NESTING_CHECK_THRESHOLD = 500  # brackets of one kind before nesting depth is checked
# Never cached: a crash says nothing about the file. A `file-timeout` is cached (under a key
# holding the time budget), so that a warm scan reports it again instead of parsing for long.
TRANSIENT_PROBLEMS = frozenset({"worker-crashed"})
# The cache entry holding the files the last scan of a scope read after its first round.
SELECTION_KEY = fact_key("selection")


@dataclass(frozen=True, slots=True)
class Selection:
    """What the relevance rounds of a scan read after their first round, known from the last
    scan (`analyzer.cutoff.Verdict.selection`), with the string literals those rounds read
    (`Evaluator.texts`; None when not known: `rounds_view.same_for_rounds`)."""

    paths: frozenset[str]
    rounds_texts: frozenset[str] | None = None


@dataclass(frozen=True)
class Job:
    path: str
    kind: str  # "python" | "sql"
    module: str
    revision_candidate: bool
    data: bytes
    dialect: str
    default_schema: str
    prefilter: bool
    time_budget: float | None = None
    digest: str = ""  # sha256 of `data` when the caller has it already (hashed once a scan)
    max_size: int = 0  # bytes above which the file is not read (0: no limit)
    # `[tool.tabletrace] migration-modules` names it: read whatever the first look says
    migration_module: bool = False
    # CPython's parser read these bytes already (the first look of an earlier round did), so
    # they are not nested too deeply for LibCST: `_run_job` need not parse them once more.
    # Never part of the cache key: it changes how long a reading takes, not what it gives.
    ast_parses: bool = False
    # sqlglot's answers the last first look at this file was given (`Glance.verdicts`), for
    # the early cutoff's look at it again. Not part of the cache key either, for that reason.
    verdicts: tuple[tuple[str, bool | None], ...] = ()


@dataclass
class Extracted:
    path: str
    python: PythonFacts | None = None
    sql: SqlFileFacts | None = None
    revision: AlembicRevision | None = None
    skipped: bool = False  # the pre-filter found nothing relevant; facts are empty
    # The first look (`analyzer.relevance`) at a Python file, for the relevance rounds; None
    # without the pre-filter or when `ast` cannot parse the file.
    glance: Glance | None = None
    # A Python file's top-level statements' lines and text, for the next scan's early cutoff
    # (`analyzer.outline`), from the first look's `ast` parse: a file a later round reads in
    # full has it in its first look's result. None when `ast` did not parse the file in that
    # job. Not compared: nothing after extraction reads it.
    outline: Outline | None = field(default=None, compare=False)


# The files Alembic itself loads from a versions folder (alembic/script/base.py:
# `_only_source_rev_file`): `__init__.py` and editor lock files (`.#x.py`) are not revisions.
ALEMBIC_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")


def _in_versions_folder(entry: FileEntry, discovery: Discovery) -> bool:
    """A file Alembic would load from a versions folder is read as a revision even without
    its markers (and one it would not load is not)."""
    parent, _, name = entry.path.rpartition("/")
    return (
        entry.role == "alembic"
        and ALEMBIC_REVISION_FILE.match(name) is not None
        and any(
            parent == folder
            for env in discovery.alembic_environments
            for folder in env.version_dirs
        )
    )


def extraction_jobs(
    discovery: Discovery,
    contents: Mapping[str, bytes],
    digests: Mapping[str, str],
    config: Config,
    file_timeout: float | None,
    only: Collection[str] | None = None,
) -> list[Job]:
    """One job per discovered file that could be read (of `only` those paths, when given), in
    discovery order: what to read it as (its module, dialect, whether it may be a revision or
    a declared migration module)."""
    return [
        Job(
            path=entry.path,
            kind=entry.kind,
            module=module_name(entry.path) if entry.kind == "python" else "",
            revision_candidate=_in_versions_folder(entry, discovery),
            data=contents[entry.path],
            digest=digests[entry.path],
            dialect=(
                dialect_of(entry.path, contents[entry.path]) if entry.kind == "sql" else None
            ) or config.dialect,
            default_schema=config.default_schema,
            prefilter=True,
            time_budget=file_timeout,
            max_size=config.max_file_size,
            migration_module=is_declared(entry.path, config.migration_modules),
        )
        for entry in discovery.files
        if entry.path in contents and (only is None or entry.path in only)
    ]


def looks_relevant(
    data: bytes, module: str = "module", path: str = "module.py", dialect: str = "postgres"
) -> bool:
    """Whether the first look says a Python file must be read on its own (a file `ast` cannot
    parse must: LibCST reports its syntax error)."""
    look = glance(data, module, path, dialect=dialect)
    return look is None or look.relevant


class _OutOfTime(BaseException):
    """Not an Exception: extractors catch those, and a timeout must get through them."""


@contextlib.contextmanager
def _time_budget(seconds: float | None) -> Iterator[list[bool]]:
    """Interrupt a pathological parse after `seconds` (Unix main thread; else no limit).

    Yields a flag set when the time is up: a library's `finally` clause may replace the
    interruption with an error of its own (LibCST's position provider raises KeyError)."""
    expired = [False]
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield expired
        return

    def interrupt(signum: int, frame: object) -> None:
        expired[0] = True
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield expired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _budget_paused() -> Iterator[None]:
    """Stop `_time_budget`'s clock: importing LibCST once is not the file's time (with a short
    budget the first files would time out on the import alone, and an import cut in half)."""
    main = threading.current_thread() is threading.main_thread()
    if not hasattr(signal, "setitimer") or not main:
        yield
        return
    remaining, _ = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        if remaining > 0:
            signal.setitimer(signal.ITIMER_REAL, remaining)


def _problem_result(job: Job, code: str, message: str) -> Extracted:
    problem = FileProblem(code, None, message)
    if job.kind == "sql":
        from analyzer.readers.sql_file import SqlFileFacts

        return Extracted(job.path, sql=SqlFileFacts(job.path, problems=[problem]))
    return Extracted(job.path, python=PythonFacts(job.path, job.module, problems=[problem]))


# The garbage collector is paused while one file is extracted (benchmarks/gcstats.py turns
# this off to measure the difference).
GC_PAUSE = True
_frozen = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while one file is extracted.

    Why: a LibCST tree is hundreds of thousands of small container objects, and every
    young-generation collection that runs while one is alive walks it (about 7,400 collections
    and a third of the extraction time on 200 files). The tree has no reference cycles, so
    reference counting frees it the moment the file's extraction returns; nothing is lost by
    not collecting during that time. `tests/test_gc_discipline.py` checks that no node of a
    file's tree is alive after its extraction, with the collector off, on every kind of file.
    """
    if not GC_PAUSE or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def freeze_imports() -> None:
    """Move everything alive now (the imported modules: LibCST, sqlglot, pydantic...) out of
    the collector's sight, once per process: later full collections no longer walk them, and
    forked workers do not write to the pages they share with their parent."""
    global _frozen
    if GC_PAUSE and not _frozen:
        _frozen = True
        gc.freeze()


def run_job(job: Job) -> Extracted:
    """Extract one file. Pure: runs in worker processes; the result is plain data."""
    try:
        with _time_budget(job.time_budget) as expired, collector_paused():
            extracted = _run_job(job)
        if not expired[0]:
            return extracted
    except _OutOfTime:
        pass
    return _problem_result(
        job,
        "file-timeout",
        f"reading this file took more than {job.time_budget:g} s and was stopped; it was "
        "not analysed (raise --file-timeout to give it longer)",
    )


def _start_worker() -> None:
    """A worker reads file after file: it needs the collector on between files (paused only
    while one is read), whatever the process that forked it chose for itself (the command
    line turns it off: `analyzer.cli.main`). It imports LibCST and the Python readers at once:
    started early (`start_workers`), it does so while the main process is still discovering
    and reading files."""
    gc.enable()
    with _budget_paused():
        from analyzer.readers.python_module import read_python  # noqa: F401
        from analyzer.resolve.code_sql import literal_analyses  # noqa: F401

        freeze_imports()
    # The code of the classes LibCST and the readers defined, for the next scan's workers
    # (only when the command installed the keeper before forking, and it compiled any); the
    # worker needs none of it from here on.
    keeper = sys.modules.get("analyzer.dataclass_code")
    if keeper is not None:
        keeper.save()
        keeper.release()


def start_workers(jobs: int) -> ProcessPoolExecutor:
    """`jobs` worker processes, started now for a scan that will need them (`Extractor(pool=)`
    takes them over). Started before the main process discovers and reads the files, they
    import what reading needs meanwhile, and they are forked before it holds the files' bytes
    and the pipeline's modules (which the sum of the processes' memory counted once more per
    worker)."""
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker)
    pool.submit(int)  # with the fork start method, the first task starts every worker
    return pool


def run_job_pickled(job: Job) -> tuple[bytes, bytes | None]:
    """`run_job` in a worker, its result pickled there (see `Extractor._map`), and the
    analyses of its literal SQL made ahead (`analyses_ahead`); then the pages a large file's
    tree was freed from go back to the system (`analyzer.heap`)."""
    with sharing_parses() as parsed:  # the first look's parses, for the analyses ahead
        extracted = run_job(job)
        pickled = pickle.dumps(extracted, protocol=pickle.HIGHEST_PROTOCOL)
        ahead = analyses_ahead(job, extracted, parsed)
    heap.release_if_grown()
    return pickled, ahead


def analyses_ahead(job: Job, extracted: Extracted, parsed: Parsed | None = None
                   ) -> bytes | None:
    """The analyses of the file's literal SQL candidates (`literal_analyses`), pickled; None
    when it has none. `parsed`: what sqlglot parsed for the file's first look in this job
    (`detect.sharing_parses`), taken instead of parsing the same texts again.

    Why in the worker: after extraction, the resolver analyses every SQL text in one process
    while the workers are gone; a worker makes the literal ones while the main process waits
    for the round (synapse: 0.43 s of that one process's time). Outside the file's time budget
    and of its result: the report is the same whether they are made here or by the resolver
    (its memo takes them, `SqlMemo(ahead=)`), and a failure here only leaves them to it."""
    facts = extracted.python
    if (
        facts is None
        or not facts.candidates
        or extracted.skipped
        or extracted.revision is not None  # a revision's SQL is not the resolver's
        # nor a Django migration's (made ahead, they were saleor's 3,929 unused texts of
        # 13,811, netbox's 1,308 of 10,822)
        or (facts.django is not None and facts.django.migration is not None)
        or crashed(extracted)
    ):
        return None
    from analyzer.resolve.code_sql import literal_analyses

    try:
        analyses = literal_analyses(
            facts, dialect=job.dialect, default_schema=job.default_schema, parsed=parsed
        )
    except Exception:  # the resolver meets the same text again and reports what it does
        return None
    return pickle.dumps(analyses, protocol=pickle.HIGHEST_PROTOCOL) if analyses else None


def _deeply_bracketed(data: bytes) -> bool:
    """Enough brackets of one kind that the nesting may be too deep for LibCST."""
    return max(data.count(b"("), data.count(b"["), data.count(b"{")) >= NESTING_CHECK_THRESHOLD


def skipped_by_first_look(job: Job, look: Glance | None) -> bool:
    """Whether the file's first look lets it go unread: it found nothing to read, and the
    file is neither a possible Alembic revision nor a configured migration module (those are
    read whatever it says)."""
    return (
        look is not None
        and not look.relevant
        and not job.revision_candidate
        and not job.migration_module
    )


def _run_job(job: Job) -> Extracted:
    if job.kind == "sql":
        # imported here, like LibCST below: a scan that reads no SQL file does not pay for it
        with _budget_paused():
            from analyzer.readers.sql_file import extract_sql_file

        return Extracted(
            job.path,
            sql=extract_sql_file(
                job.path, job.data, dialect=job.dialect, default_schema=job.default_schema
            ),
        )
    # Parsed with `ast` at most once: for the first look and the outline, or for the nesting
    # check of a file read in full without one when its brackets are many and no first look
    # of an earlier round parsed it (synapse: 11 files, 0.13 s of CPU when it was parsed
    # twice). A round's reading takes its outline from that first look (parsing each such
    # file once more for it cost synapse 0.3 s of CPU of a cold scan).
    tree: ast.Module | None = None
    too_deep = False
    if job.prefilter or (not job.ast_parses and _deeply_bracketed(job.data)):
        tree, too_deep = parse_reporting_nesting(job.data)
        too_deep = too_deep and _deeply_bracketed(job.data)
    look = (
        glance(job.data, job.module, job.path, dialect=job.dialect, verdicts=job.verdicts,
               tree=tree)
        if job.prefilter and tree is not None else None
    )
    # kept by the first look too: should a later round read the file in full, its job has no
    # tree
    outline = outline_of(job.data, tree) if tree is not None else None
    if skipped_by_first_look(job, look):
        return Extracted(
            job.path, python=PythonFacts(job.path, job.module), skipped=True, glance=look,
            outline=outline,
        )
    if too_deep:
        return _problem_result(
            job,
            "python-too-deep",
            "expressions are nested too deeply for a Python parser (CPython refuses them too); "
            "the file's SQL was not analysed",
        )
    # LibCST is imported only when a file needs it: a warm scan never pays for it.
    with _budget_paused():
        from analyzer.readers.python_module import read_python

        freeze_imports()

    read = read_python(job.path, job.data, job.module, revision_candidate=job.revision_candidate)
    if (
        look is None
        and not job.revision_candidate
        and not job.migration_module
        and any(p.code == "python-recursion-limit" for p in read.facts.problems)
    ):
        # LibCST recursed too deep on a file CPython parses: when the first look finds
        # nothing in it to read, nothing was lost (and the pre-filter would have skipped it)
        second = glance(job.data, job.module, job.path, dialect=job.dialect, verdicts=job.verdicts)
        if second is not None and not second.relevant:
            return Extracted(job.path, python=PythonFacts(job.path, job.module))
    return Extracted(
        job.path, python=read.facts, revision=read.revision, glance=look, outline=outline
    )


def extract_in_process(job: Job) -> Extracted:
    """One file's result as `Extractor` computes it (the size limit, then `run_job`), here in
    this process."""
    return too_large(job) or run_job(job)


def job_key(job: Job) -> str:
    """The cache key of one job's result: every field that changes it, and the file's bytes."""
    stage = "pre" if job.prefilter else "full"
    return fact_key(
        job.kind, job.path, job.module, str(job.revision_candidate), job.dialect,
        str(job.migration_module),
        job.default_schema, stage, job.digest or hashlib.sha256(job.data).hexdigest(),
        repr(job.time_budget),
    )


def too_large(job: Job) -> Extracted | None:
    """The `file-too-large` result for a Python file above `job.max_size` that would need the
    full parse (it looks relevant, or may be a revision), else None.

    LibCST costs time and memory in proportion to the file (a 1 MB generated module of SQL
    strings: 20 s and 700 MB), so such a file is not parsed and a diagnostic says so. A big
    file with no SQL, ORM or Alembic marker costs only `ast.parse` and is read as usual; SQL
    files have a linear splitter and are always read. Decided before the cache is asked and
    never cached: it costs nothing, and the same bytes under a larger limit must be read."""
    size = len(job.data)
    if job.kind != "python" or not job.max_size or size <= job.max_size:
        return None
    if not (
        job.revision_candidate
        or job.migration_module
        or looks_relevant(job.data, job.module, job.path, job.dialect)
    ):
        return None
    return _problem_result(
        job,
        "file-too-large",
        f"this Python file is {_megabytes(size)}, above the {_megabytes(job.max_size)} limit "
        "for files holding SQL or ORM code (--max-file-size, `max-file-size` in "
        "[tool.tabletrace]); it was not parsed. Generated code is usually safe to leave out; "
        "raise the limit to analyse it",
    )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 104858 else f"{size} bytes"


# ---- relevance rounds ---------------------------------------------------------------------


class Extractor:
    """Runs jobs through the cache and (optionally) a process pool, in rounds of relevance."""

    def __init__(
        self,
        *,
        jobs: int = 1,
        cache: FactCache | None = None,
        prefilter: bool = True,
        progress: ProgressCallback | None = None,
        dialect: str = "postgres",  # `Config` defaults
        default_schema: str = "public",
        pool: ProcessPoolExecutor | None = None,
        confirmed: Selection | None = None,
    ) -> None:
        self.jobs = max(1, jobs)
        # What the rounds would read after the first one, known from the last scan (every
        # changed file gives its results but for its lines, or but for what the rounds do not
        # read: `analyzer.cutoff.Verdict`)
        self.confirmed = confirmed
        # The string literals this scan's rounds read (`Evaluator.texts`), or the last scan's
        # when they were not asked again; None when unknown (`rounds_view.same_for_rounds`)
        self.rounds_texts: frozenset[str] | None = None
        # the settings the resolver reads SQL with (which functions are helpers depends on it)
        self.dialect = dialect
        self.default_schema = default_schema
        self.cache = cache
        self.prefilter = prefilter
        self.progress = progress
        self._pool = pool  # workers started ahead (`start_workers`), else forked when needed
        self._done = 0
        self._total = 0
        self.parsed_files = 0
        self.skipped_files = 0
        self.pulled: dict[str, str] = {}  # path -> why a round read it after all
        # path -> the cache keys of the results this scan used for it: its first look, then
        # its full reading if a round read it in full (`analyzer.cutoff` compares them).
        self.stage_keys: dict[str, list[str]] = {}
        self._held: dict[str, bytes] = {}  # `_keep_for_rounds`
        # pickled SQL analyses the workers made ahead (`analyses_ahead`), and those the
        # rounds' helper search made (`_Rounds.analyses`), for the resolver
        self.analyses_ahead: list[bytes] = []
        self.analyses_made: dict[MemoKey, Analysis] = {}
        self._compressed = False  # whether `_held` is zlib-compressed

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def _run(self, jobs: list[Job]) -> list[Extracted]:
        results: list[Extracted | None] = [None] * len(jobs)
        todo: list[tuple[int, Job, str | None]] = []
        for index, job in enumerate(jobs):
            oversized = too_large(job)
            if oversized is not None:
                results[index] = oversized
                self._tick()
                continue
            key = job_key(job) if self.cache is not None else None
            if key is not None:
                self.stage_keys.setdefault(job.path, []).append(key)
            cached = self.cache.get(key) if self.cache is not None and key else None
            if isinstance(cached, Extracted) and cached.path == job.path:
                results[index] = cached
                self._tick()
            else:
                todo.append((index, job, key))
        extracted_all = self._map([job for _, job, _ in todo])
        for (index, _job, key), (extracted, pickled, ahead) in zip(
            todo, extracted_all, strict=True
        ):
            results[index] = extracted
            if ahead is not None:
                self.analyses_ahead.append(ahead)
            if self.cache is not None and key and not crashed(extracted):
                if pickled is not None:
                    self.cache.put_pickled(key, pickled)
                else:
                    self.cache.put(key, extracted)
            self._tick()
        return [r for r in results if r is not None]

    def _map(self, jobs: list[Job]) -> Iterator[tuple[Extracted, bytes | None, bytes | None]]:
        """Each job's result, its pickle when a worker made one (the cache keeps those bytes as
        they are: the main process, which every worker waits on, does not pickle each result a
        second time), and the analyses a worker made ahead (`analyses_ahead`; in this process
        the resolver makes them: the time is the same)."""
        # A few files are read here rather than forking workers for them; once the workers
        # exist (an earlier round), they read even one file: they have LibCST imported.
        if self.jobs == 1 or (self._pool is None and len(jobs) < 2 * self.jobs):
            yield from ((extracted, None, None) for extracted in map(run_job, jobs))
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_start_worker)
        chunk = max(1, min(32, len(jobs) // (self.jobs * 8)))
        done = 0
        try:
            for pickled, ahead in self._pool.map(run_job_pickled, jobs, chunksize=chunk):
                done += 1
                yield pickle.loads(pickled), pickled, ahead
        except BrokenProcessPool:
            # A worker died (a native crash, the OOM killer): find the file that kills it by
            # running the rest one per process, so that it takes only itself with it.
            self._pool = None
            yield from ((_isolated(job), None, None) for job in jobs[done:])

    def _tick(self) -> None:
        self._done += 1
        if self.progress is not None:
            self.progress(self._done, self._total)

    def extract(self, jobs: list[Job]) -> dict[str, Extracted]:
        """Facts for every job's file, parsing only what can matter. `jobs` is emptied: from
        here the Extractor holds the files' bytes, and lets go of those no later round can
        read (`_keep_for_rounds`)."""
        self._total = len(jobs)
        by_path = {job.path: replace(job, prefilter=self.prefilter) for job in jobs}
        jobs.clear()
        results = {extracted.path: extracted for extracted in self._run(list(by_path.values()))}
        by_path = self._keep_for_rounds(by_path, results)
        rounds = _Rounds(
            results, dialect=self.dialect, default_schema=self.default_schema,
            files=frozenset(by_path),
        )
        # What the last scan of this scope read after its first round is read at once: with
        # one file changed, the rounds then only confirm it instead of finding it again round
        # after round. Reading a file that is not needed never changes the report (the
        # pre-filter's tests compare with everything read), so a file the last scan needed
        # stays read while the cache lasts; a cold scan starts from what it needs again.
        previous = self._previous_selection(results)
        self._read_in_full(previous, results, by_path)
        rounds.reasons.update((path, "the last scan read it") for path in previous)
        # The rounds read no line (`analyzer.lineshift`): when the changed files moved only
        # their lines since the last scan, whose rounds ended with this selection, they would
        # end with it again.
        confirmed = self.confirmed is not None and previous == self.confirmed.paths
        while not confirmed:
            pull = rounds.to_parse(results)
            if not pull:
                break
            self._read_in_full(pull, results, by_path)
        self.rounds_texts = (
            self.confirmed.rounds_texts if self.confirmed is not None and confirmed
            else frozenset(rounds.texts_read)
        )
        self.parsed_files = sum(1 for r in results.values() if not r.skipped)
        self.skipped_files = sum(1 for r in results.values() if r.skipped)
        self.pulled = rounds.reasons
        self.analyses_made = rounds.analyses()
        if self.cache is not None and self.prefilter:
            self.cache.put(SELECTION_KEY, tuple(sorted(rounds.reasons)))
        return results

    def _keep_for_rounds(
        self, by_path: dict[str, Job], results: dict[str, Extracted]
    ) -> dict[str, Job]:
        """The jobs without their bytes. Only a file the first look skipped can be read again,
        by a later round: its bytes are kept, the others' are let go. While worker processes
        run, the sum of the processes' memory peaks with the rounds: they are then kept
        compressed (zlib, fastest level: at 5,000 modules 20 MB -> 7 MB in 0.25 s). A rescan
        whose first round came from the cache has no workers, and most of those bytes are
        never read again: compressing them would only cost the time."""
        self._compressed = self._pool is not None
        self._held = {
            path: zlib.compress(job.data, 1) if self._compressed else job.data
            for path, job in by_path.items()
            if results[path].skipped
        }
        kept = {path: replace(job, data=b"") for path, job in by_path.items()}
        by_path.clear()
        # The bytes were blocks of glibc's heap, which the facts (in Python's own arenas) do
        # not reuse: without this their pages stay resident.
        heap.release()
        return kept

    def _bytes_held(self, path: str) -> bytes:
        held = self._held[path]
        return zlib.decompress(held) if self._compressed else held

    def _previous_selection(self, results: dict[str, Extracted]) -> set[str]:
        """Files the last scan of this cache scope read after its first round, that this
        scan's first round skipped."""
        if self.cache is None or not self.prefilter:
            return set()
        stored = self.cache.get(SELECTION_KEY)
        if not isinstance(stored, tuple):
            return set()
        return {
            path for path in stored
            if isinstance(path, str) and path in results and results[path].skipped
        }

    def _read_in_full(self, paths: set[str], results: dict[str, Extracted],
                      by_path: dict[str, Job]) -> None:
        if not paths:
            return
        self._total += len(paths)
        # every file a round reads was skipped by its first look, which parsed it with `ast`
        full = [
            replace(
                by_path[path], data=self._bytes_held(path), prefilter=False,
                ast_parses=results[path].glance is not None,
            )
            for path in sorted(paths)
        ]
        for extracted in self._run(full):
            extracted.glance = results[extracted.path].glance
            results[extracted.path] = extracted


class _Rounds:
    """Which skipped files to read next: those the glances say other files depend on
    (`relevance.Closure`, decided once), and the modules the parsed files ask names of."""

    def __init__(self, results: dict[str, Extracted], *, dialect: str, default_schema: str,
                 files: frozenset[str]) -> None:
        self.reasons: dict[str, str] = {}
        self._closure: Closure | None = None
        self._demand: Demand | None = None
        self._path_index: ModuleIndex | None = None  # `_paths`
        self._results = results
        self._dialect = dialect
        self._default_schema = default_schema
        self._files = files  # every path of the scan (the evaluator tells a path that exists)
        self._resolver: CodeSqlResolver | None = None  # what found the helpers so far
        self._parsed_before: set[str] = set()  # the files read when it was last asked
        # the string literals the helper search's evaluations read, over every round (the
        # closure and Demand read none: they follow names): the next scan's early cutoff
        # knows that an edit of any other literal leaves the rounds' answer as it was
        self.texts_read: set[str] = set()

    def _paths(self) -> ModuleIndex:
        """Dotted module names -> their files (the facts it holds are the first round's: the
        closure and Demand ask it for paths only)."""
        if self._path_index is None:
            self._path_index = ModuleIndex(
                r.python for r in self._results.values() if r.python is not None
            )
        return self._path_index

    def closure(self) -> Closure:
        if self._closure is None:
            results = self._results
            index = self._paths()

            def find(dotted: str, importer: str | None = None) -> str | None:
                found = index.find(dotted, importer)
                return found.path if found is not None else None

            self._closure = Closure(
                [
                    (path, r.python.module, r.glance)
                    for path, r in sorted(results.items())
                    if r.python is not None and r.glance is not None
                ],
                find,
                opaque=[  # read in full because `ast` could not parse them
                    (path, r.python.module)
                    for path, r in sorted(results.items())
                    if r.python is not None and r.glance is None and not r.skipped
                ],
            )
        return self._closure

    def demand(self) -> Demand:
        if self._demand is None:
            results = self._results
            index = self._paths()

            def find(dotted: str, importer: str | None = None) -> PythonFacts | None:
                found = index.find(dotted, importer)  # this round's facts (parsed since, or not)
                return results[found.path].python if found is not None else None

            stampers = {
                name
                for result in results.values()
                if result.glance is not None
                for name in result.glance.stampers
            }
            self._demand = Demand(
                find, stampers=stampers, subclasses=self.closure().subclasses_of
            )
        return self._demand

    def helpers(self, parsed: list[PythonFacts]) -> HelperSignatures:
        """What the resolver will take for helpers, found in the files read so far with the
        resolver's own code (`CodeSqlResolver.find_helpers`). Asked again each round: a file
        read since may hold a helper, pass its parameter on to one, or define what a helper's
        SQL reads (the files whose SQL looked a file read since up are read again)."""
        from analyzer.resolve.code_sql import CodeSqlResolver, SqlMemo
        from analyzer.resolve.evaluate import Evaluator

        index = ModuleIndex(r.python for r in self._results.values() if r.python is not None)
        evaluator = Evaluator(index, files=self._files)
        evaluator.texts = self.texts_read
        if self._resolver is None:
            self._resolver = CodeSqlResolver(
                evaluator, dialect=self._dialect, default_schema=self._default_schema,
                memo=SqlMemo(),
            )
        else:
            self._resolver.use_evaluator(evaluator)
        paths = {facts.path for facts in parsed}
        changed = paths - self._parsed_before
        self._parsed_before = paths
        return self._resolver.find_helpers(parsed, changed)

    def analyses(self) -> dict[MemoKey, Analysis]:
        """The SQL analyses the helper search made, by memo key: the resolver after extraction
        asks for many of the same texts (`analyze_text` is pure, so any of them will do)."""
        return self._resolver.memo.used if self._resolver and self._resolver.memo else {}

    def to_parse(self, results: dict[str, Extracted]) -> set[str]:
        skipped = {path for path, r in results.items() if r.skipped}
        if not skipped:
            return set()
        parsed = [
            facts for path in sorted(results)
            if (facts := results[path].python) is not None and not results[path].skipped
        ]
        return self._pulls(skipped, parsed, self.helpers(parsed))

    def _pulls(self, skipped: set[str], parsed: list[PythonFacts],
               helpers: HelperSignatures) -> set[str]:
        closure = self.closure()
        closure.use_helpers(helpers, skipped)
        pull: set[str] = set()
        for path in sorted(skipped):
            why = closure.pulled(path)
            if why is not None:
                pull.add(path)
                self.reasons.setdefault(path, why)
        for path in sorted(self.demand().pulls(parsed, skipped, closure.helpers)):
            if path not in pull:
                pull.add(path)
                self.reasons.setdefault(path, "a parsed module's facts read a name of it")
        return pull


def _isolated(job: Job) -> Extracted:
    with ProcessPoolExecutor(max_workers=1, initializer=_start_worker) as solo:
        try:
            return solo.submit(run_job, job).result()
        except BrokenProcessPool:
            return _problem_result(
                job,
                "worker-crashed",
                "the extractor process died while reading this file (a crash in a native "
                "parser, or out of memory); the file was skipped and the rest of the scan "
                "went on",
            )


def crashed(extracted: Extracted) -> bool:
    """Whether the result is a transient failure (never cached, never reused)."""
    facts = extracted.python or extracted.sql
    return bool(facts and any(p.code in TRANSIENT_PROBLEMS for p in facts.problems))

