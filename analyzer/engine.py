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
import os
import re
import signal
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from analyzer.cache import FactCache, fact_key
from analyzer.facts import (
    AlembicRevision,
    FileProblem,
    Hole,
    ImportBinding,
    Literal,
    Part,
    PythonFacts,
)
from analyzer.python.expr import global_names, parameters
from analyzer.readers.sinks import METHOD_SINKS, SINKS
from analyzer.readers.sql_file import SqlFileFacts, extract_sql_file
from analyzer.resolve.index import ModuleIndex, absolute_module
from analyzer.sql.detect import SINK_KEYWORDS

_KEYWORDS = sorted(keyword.lower() for keyword in SINK_KEYWORDS)
_OPENING = rb"""['"]\s*\(?\s*"""
# A string literal that starts like SQL (after optional whitespace, a parenthesis or a SQL
# comment) with its keyword in one case: anything `analyzer.sql.detect` accepts anywhere.
SQL_START = re.compile(
    _OPENING
    + rb"(?:--|/\*|(?:"
    + "|".join(_KEYWORDS).encode()
    + rb"|"
    + "|".join(_KEYWORDS).upper().encode()
    + rb")\b)"
)
# Mixed-case keywords ("Select", "Update") count as SQL only at a sink: the file must call one.
SQL_START_ANY_CASE = re.compile(_OPENING + rb"(?i:" + "|".join(_KEYWORDS).encode() + rb")\b")
SINK_CALL = re.compile(
    rb"\b(?:" + "|".join(sorted(SINKS | METHOD_SINKS)).encode() + rb")\s*\("
)
MARKERS = re.compile(
    rb"sqlalchemy|sqlmodel|flask_sqlalchemy|alembic|down_revision|declarative|__tablename__"
    rb"|__table__|mapped_column|Column\(|Table\(|table\(|registry\("
    # Django: models, migrations, apps, settings, manage.py, managers, admin, shortcuts; files
    # that only use models by name are pulled in by the relevance rounds (`_defined_names`)
    rb"|django\.db|django\.contrib|AppConfig|INSTALLED_APPS|DJANGO_SETTINGS_MODULE"
    rb"|\.objects\b|_default_manager|_base_manager|get_user_model|get_object_or_404"
    rb"|models import|import models"
)
WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")

ProgressCallback = Callable[[int, int], None]
NESTING_CHECK_THRESHOLD = 500  # brackets of one kind before nesting depth is checked
# Never cached: a crash says nothing about the file. A `file-timeout` is cached (under a key
# holding the time budget), so that a warm scan reports it again instead of parsing for long.
TRANSIENT_PROBLEMS = frozenset({"worker-crashed"})


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


@dataclass
class Extracted:
    path: str
    python: PythonFacts | None = None
    sql: SqlFileFacts | None = None
    revision: AlembicRevision | None = None
    skipped: bool = False  # the pre-filter found nothing relevant; facts are empty
    # Identifiers of a skipped file, space-separated (a str unpickles far faster than a set).
    words: str = ""


def looks_relevant(data: bytes) -> bool:
    if SQL_START.search(data) or MARKERS.search(data):
        return True
    return bool(SQL_START_ANY_CASE.search(data) and SINK_CALL.search(data))


def _syntax_ok(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except Exception:  # SyntaxError, ValueError (NUL bytes), RecursionError, MemoryError...
        return False
    return True


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


def _too_deep(data: bytes) -> bool:
    """Nesting deep enough to crash LibCST's native parser (CPython refuses it too)."""
    if max(data.count(b"("), data.count(b"["), data.count(b"{")) < NESTING_CHECK_THRESHOLD:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except SyntaxError as exc:
        return "too many nested" in str(exc)
    except (RecursionError, MemoryError):
        return True
    except Exception:
        return False
    return False


def _run_job(job: Job) -> Extracted:
    if job.kind == "sql":
        return Extracted(
            job.path,
            sql=extract_sql_file(
                job.path, job.data, dialect=job.dialect, default_schema=job.default_schema
            ),
        )
    if (
        job.prefilter
        and not job.revision_candidate
        and not looks_relevant(job.data)
        and _syntax_ok(job.data)
    ):
        words = b" ".join(sorted(set(WORD.findall(job.data)))).decode("ascii")
        return Extracted(
            job.path, python=PythonFacts(job.path, job.module), skipped=True, words=words
        )
    if _too_deep(job.data):
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
    return Extracted(job.path, python=read.facts, revision=read.revision)


def _job_key(job: Job) -> str:
    stage = "pre" if job.prefilter else "full"
    return fact_key(
        job.kind, job.path, job.module, str(job.revision_candidate), job.dialect,
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
    if not (job.revision_candidate or looks_relevant(job.data)):
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


def _is_sqlish(parts: tuple[Part, ...]) -> bool:
    text = "".join(p.text for p in parts if isinstance(p, Literal))
    return any(isinstance(p, Hole) for p in parts) or bool(
        SQL_START_ANY_CASE.search(b'"' + text.encode("utf-8", "replace"))
    )


def _defined_names(facts: PythonFacts) -> set[str]:
    """Names whose mere use in another file can make that file relevant: SQL constants
    (`cur.execute(QUERY)`), models and Table objects, declarative bases."""
    names = {name for name, binding in facts.constants.items() if _is_sqlish(binding.parts)}
    orm = facts.orm
    if orm.tables or orm.bases or any(
        cls.tablename or cls.tablename_expr or cls.table or cls.table_ref or cls.columns
        for cls in orm.classes
    ):
        names.update(cls.name for cls in orm.classes if cls.bases)
    names.update(table.variable for table in orm.tables if table.variable)
    names.update(base.variable for base in orm.bases)
    if any(binding.module.split(".")[0] == "django" for binding in facts.imports):
        # Django models (and managers, querysets) are used by name in files that need not
        # import Django themselves: `report.notes.all()` with `report: Report`
        names.update(name for name in facts.classes if "." not in name)
    # helpers taking a table name: a file calling `db.insert("accounts", row)` matters
    for candidate in facts.candidates:
        if candidate.function is None:
            continue
        for part in candidate.parts:
            if isinstance(part, Hole) and any(
                function == candidate.function for function, _ in parameters(part.value)
            ):
                names.add(candidate.function.rsplit(".", 1)[-1])
    for function, steps in facts.migration_steps.items():
        if any(parameters(arg) for step in steps for arg in step.args):
            names.add(function.rsplit(".", 1)[-1])
    return names


def _asked_names(facts: PythonFacts) -> set[str]:
    """First parts of the names this module needs resolved in other modules."""
    refs: list[str] = []
    for candidate in facts.candidates:
        refs.extend(p.ref for p in candidate.parts if isinstance(p, Hole) and p.ref)
    for binding in facts.constants.values():
        refs.extend(p.ref for p in binding.parts if isinstance(p, Hole) and p.ref)
    refs.extend(reference.name for reference in facts.orm.references)
    values = [loop.iterable for loop in facts.loops]
    for steps in facts.migration_steps.values():
        for step in steps:
            values.extend((*step.args, *(v for _, v in step.kwargs)))
            values.extend(v for v in (step.receiver, step.value) if v is not None)
    values.extend(call.func for call in facts.calls)
    for value in values:
        refs.extend(global_names(value))
    for cls in facts.orm.classes:
        refs.extend(cls.bases)
        refs.extend(cls.decorators)
        if cls.table_ref:
            refs.append(cls.table_ref)
        refs.extend(target.strip("'\"") for target, _ in cls.relationships)
    return {ref.split(".")[0] for ref in refs}


def _requested_modules(facts: PythonFacts, names: set[str]) -> set[str]:
    """Modules that may define (or re-export) `names` as imported by `facts`."""
    wanted: set[str] = set()
    for binding in facts.imports:
        head = binding.local.split(".")[0]
        if head in names or binding.local == "*" or (binding.name and binding.name in names):
            wanted.update(_import_targets(facts, binding))
    return wanted


def _import_targets(facts: PythonFacts, binding: ImportBinding) -> list[str]:
    base = absolute_module(facts, binding)
    targets = [base]
    if binding.name not in (None, "*"):
        targets.append(f"{base}.{binding.name}")  # `from pkg import submodule`
    return targets


class Extractor:
    """Runs jobs through the cache and (optionally) a process pool, in rounds of relevance."""

    def __init__(
        self,
        *,
        jobs: int = 1,
        cache: FactCache | None = None,
        prefilter: bool = True,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.jobs = max(1, jobs)
        self.cache = cache
        self.prefilter = prefilter
        self.progress = progress
        self._pool: ProcessPoolExecutor | None = None
        self._done = 0
        self._total = 0
        self.parsed_files = 0
        self.skipped_files = 0

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
            key = _job_key(job) if self.cache is not None else None
            cached = self.cache.get(key) if self.cache is not None and key else None
            if isinstance(cached, Extracted) and cached.path == job.path:
                results[index] = cached
                self._tick()
            else:
                todo.append((index, job, key))
        extracted_all = self._map([job for _, job, _ in todo])
        for (index, _job, key), extracted in zip(todo, extracted_all, strict=True):
            results[index] = extracted
            if self.cache is not None and key and not _crashed(extracted):
                self.cache.put(key, extracted)
            self._tick()
        return [r for r in results if r is not None]

    def _map(self, jobs: list[Job]) -> Iterator[Extracted]:
        if self.jobs == 1 or len(jobs) < 2 * self.jobs:
            yield from map(run_job, jobs)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        chunk = max(1, min(32, len(jobs) // (self.jobs * 8)))
        done = 0
        try:
            for extracted in self._pool.map(run_job, jobs, chunksize=chunk):
                done += 1
                yield extracted
        except BrokenProcessPool:
            # A worker died (a native crash, the OOM killer): find the file that kills it by
            # running the rest one per process, so that it takes only itself with it.
            self._pool = None
            yield from (_isolated(job) for job in jobs[done:])

    def _tick(self) -> None:
        self._done += 1
        if self.progress is not None:
            self.progress(self._done, self._total)

    def extract(self, jobs: list[Job]) -> dict[str, Extracted]:
        """Facts for every job's file, parsing only what can matter."""
        self._total = len(jobs)
        jobs = [Job(**{**_fields(job), "prefilter": self.prefilter}) for job in jobs]
        results = {extracted.path: extracted for extracted in self._run(jobs)}
        by_path = {job.path: job for job in jobs}
        while True:
            pull = self._to_parse(results)
            if not pull:
                break
            self._total += len(pull)
            full = [Job(**{**_fields(by_path[path]), "prefilter": False}) for path in sorted(pull)]
            results.update((extracted.path, extracted) for extracted in self._run(full))
        self.parsed_files = sum(1 for r in results.values() if not r.skipped)
        self.skipped_files = sum(1 for r in results.values() if r.skipped)
        return results

    @staticmethod
    def _to_parse(results: dict[str, Extracted]) -> set[str]:
        skipped = {path: r for path, r in results.items() if r.skipped}
        if not skipped:
            return set()
        parsed = [r.python for r in results.values() if r.python is not None and not r.skipped]
        defined: set[str] = set()
        asked: set[str] = set()
        for facts in parsed:
            defined |= _defined_names(facts)
            asked |= _asked_names(facts)
        # Against every parsed module, so that re-exports (`from .tables import X` in a
        # package __init__) pull the defining module in the next round.
        requested: set[str] = set()
        for facts in parsed:
            requested |= _requested_modules(facts, asked)
        index = ModuleIndex(r.python for r in results.values() if r.python is not None)
        pull = {
            path for path, r in skipped.items() if not defined.isdisjoint(r.words.split())
        }
        for module in requested:
            found = index.find(module)
            if found is not None and found.path in skipped:
                pull.add(found.path)
        return pull


def _isolated(job: Job) -> Extracted:
    with ProcessPoolExecutor(max_workers=1) as solo:
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


def _crashed(extracted: Extracted) -> bool:
    facts = extracted.python or extracted.sql
    return bool(facts and any(p.code in TRANSIENT_PROBLEMS for p in facts.problems))


def _fields(job: Job) -> dict[str, object]:
    return {name: getattr(job, name) for name in Job.__dataclass_fields__}


def default_jobs() -> int:
    return os.cpu_count() or 1
