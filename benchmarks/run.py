#!/usr/bin/env python3
"""Time tabletrace on one repository against a parse-only baseline, and check its output.

Why a baseline: absolute seconds depend on the machine; the targets are ratios to the cheapest
conceivable whole-repository pass, one ``ast.parse`` per Python file in one process. Every
command (baseline included) runs as its own process and is timed whole (interpreter start,
imports, work, exit), so the ratios compare like with like.

Measured, each ``--runs`` times (median, min, max of wall-clock seconds):

* baseline: a fresh interpreter that walks PATH and ``ast.parse``-es every ``.py`` file
  (the in-process parse time it reports is shown too);
* cold: ``tabletrace scan PATH --format json --output F --cache-dir <new empty dir> --jobs N``;
* warm: the same with the cache left by a cold run;
* one file changed: a comment appended to one application file, then the warm command (its
  facts stay equal, so the early cutoff answers: what most edits of a file without SQL get);
* one file changed, lines shifted: a comment inserted as the file's first line instead, which
  moves every line of its facts and runs the whole pipeline (an edit above the SQL);
* one query edited: the first table an upper-case ``FROM`` names in that file renamed
  (``FROM users`` -> ``FROM users_edited``): the report changes, the pipeline runs from cached
  facts (a code edit that matters; the relevance rounds are not asked when the query is a
  literal they read only as "starts like SQL", ``analyzer/rounds_view.py``);
* optionally (``--compare-prefilter``) cold with ``--no-prefilter``.

Cold, warm and the one-file-changed and query-edited scans are measured for each ``--jobs`` value
(``--jobs 1,2``).

Before measuring, tabletrace's own bytecode is compiled (``compileall`` of its package), as
``pip install`` does for an installed package: where ``PYTHONDONTWRITEBYTECODE`` is set (this
machine sets it) every process would otherwise compile tabletrace's modules again. Then one
scan of a two-file repository keeps the code of the methods ``dataclasses`` writes for
LibCST's, the pipeline's and the report's classes in the user cache directory
(``analyzer/dataclass_code.py``), as any earlier scan on the machine leaves it: a cold scan
is one with no facts for the repository, not the first scan of an installation.

Also reported: the selection, i.e. how many Python files LibCST parsed (the rest only went
through the cheap pre-filter) against how many Python files the report cites (any ``path`` in
tables, findings, sources and revisions): the gap is work that changed nothing.

Peak memory of each command is read in a wrapper process (see ``WRAPPER`` below) so that one
command's peak never leaks into the next. Finally the JSON reports of cold, warm and a warm run
after the edited file is restored must be byte-identical.

Usage: ``python benchmarks/run.py PATH [--runs 5] [--jobs 1,2] [--json OUT] [--name NAME]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.status import Status
from rich.table import Table

# Directories tabletrace never scans (mirrors analyzer.discover.SKIPPED_DIRS, copied so that the
# baseline process does not import tabletrace).
SKIPPED_DIRS = (
    ".git", ".hg", ".svn", ".venv", "venv", "env", ".env", "node_modules", "__pycache__",
    ".tox", ".nox", ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages", ".eggs",
)

# Issue 14's targets, for scans with at least TARGET_JOBS workers (this 2-core machine's count).
TARGETS = {"cold": 4.0, "warm": 0.2, "changed": 0.3, "shifted": 0.3, "query": 0.3}
TARGET_JOBS = 2
REFERENCES = ("baseline", "parse_only")  # what the ratios are relative to
# held to the memory target
SCANS = ("cold", "warm", "changed", "shifted", "query", "cold_no_prefilter")
RSS_TARGET_MB = 500.0

# The baseline: the same walk as tabletrace's discovery, ast.parse of every .py file. It prints
# its own in-process time (walk + read + parse) as JSON.
BASELINE = r"""
import ast, json, os, sys, time
skip = set(json.loads(sys.argv[2]))
start = time.perf_counter()
files = errors = 0
for dirpath, dirnames, filenames in os.walk(sys.argv[1]):
    dirnames[:] = sorted(d for d in dirnames if d not in skip and not d.endswith(".egg-info"))
    for name in sorted(filenames):
        if not name.endswith(".py"):
            continue
        path = os.path.join(dirpath, name)
        with open(path, "rb") as handle:
            source = handle.read()
        try:
            ast.parse(source, filename=path)
        except (SyntaxError, ValueError):
            errors += 1
        files += 1
print(json.dumps({"files": files, "errors": errors, "seconds": time.perf_counter() - start}))
"""

# Counts the Python files LibCST parses in a scan (run with this interpreter, which must be the
# one tabletrace is installed in): every file's extraction result, not skipped by the
# pre-filter. Prints JSON.
SELECTION = r"""
import json, sys
from analyzer import engine, scan
results = {}
extract = engine.Extractor.extract
def recording(self, jobs):
    found = extract(self, jobs)
    results.update(found)
    return found
engine.Extractor.extract = recording
scan(sys.argv[1], jobs=1)
parsed = sorted(p for p, r in results.items() if p.endswith(".py") and not r.skipped)
print(json.dumps({"parsed": parsed, "python_files": sum(p.endswith(".py") for p in results)}))
"""

# Runs one command and reports its wall time and memory. Two memory figures:
# - largest_mb: ru_maxrss of RUSAGE_CHILDREN, the exact peak of the largest single process of
#   the command's tree (the kernel keeps it for every waited-for descendant). This wrapper runs
#   nothing else, so the figure belongs to this command only.
# - tree_mb: the sum of VmRSS over the whole process tree (children found through
#   /proc/PID/task/TID/children), sampled every 20 ms: it sees worker pools, may miss a
#   shorter spike, and counts pages shared between forked workers once per process.
WRAPPER = r"""
import json, os, resource, subprocess, sys, threading, time

def tree_kb(root):
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            pass
    return total

def sample(pid, stop, peak):
    while not stop.wait(0.02):
        peak[0] = max(peak[0], tree_kb(pid))

argv = json.loads(sys.argv[1])
peak, stop = [0], threading.Event()
start = time.perf_counter()
proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
thread = threading.Thread(target=sample, args=(proc.pid, stop, peak), daemon=True)
thread.start()
out, err = proc.communicate()
wall = time.perf_counter() - start
stop.set()
thread.join()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
largest = usage.ru_maxrss
if sys.platform == "darwin":  # bytes there, KiB on Linux
    largest //= 1024
print(json.dumps({
    "rc": proc.returncode, "seconds": wall, "largest_kb": largest,
    "cpu_seconds": usage.ru_utime + usage.ru_stime,
    "tree_kb": max(peak[0], largest),
    "stdout": out.decode("utf-8", "replace")[-20000:],
    "stderr": err.decode("utf-8", "replace")[-4000:],
}))
"""


@dataclass(slots=True)
class Sample:
    """One run of one command."""

    seconds: float
    largest_mb: float
    tree_mb: float
    stdout: str = ""
    cpu_seconds: float = 0.0  # user + system of the whole process tree


@dataclass(slots=True)
class Measurement:
    """All runs of one command, summarised."""

    name: str
    label: str
    command: list[str]
    samples: list[Sample] = field(default_factory=list)
    jobs: int | None = None  # the --jobs of a scan measurement

    @property
    def key(self) -> str:
        """Unique among the measurements of one benchmark: the name, and @jobs for scans."""
        return self.name if self.jobs is None else f"{self.name}@{self.jobs}"

    @property
    def times(self) -> list[float]:
        return [s.seconds for s in self.samples]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)

    @property
    def peak_tree_mb(self) -> float:
        return max(s.tree_mb for s in self.samples)

    @property
    def peak_largest_mb(self) -> float:
        return max(s.largest_mb for s in self.samples)

    def summary(self) -> dict[str, Any]:
        return {"label": self.label, "command": self.command, "runs": self.times,
                "name": self.name, "jobs": self.jobs,
                "median": self.median, "min": min(self.times), "max": max(self.times),
                "cpu_median": self.cpu_median,
                "peak_rss_tree_mb": self.peak_tree_mb,
                "peak_rss_largest_process_mb": self.peak_largest_mb}


class CommandFailed(RuntimeError):
    pass


# ----------------------------------------------------------------------------- measuring


def measure_once(command: list[str]) -> Sample:
    """Run a command inside a fresh wrapper process; fail loudly on a non-zero exit."""
    wrapper = subprocess.run([sys.executable, "-c", WRAPPER, json.dumps(command)],
                             capture_output=True, text=True, check=False)
    if wrapper.returncode != 0:
        raise CommandFailed(f"measuring wrapper failed: {wrapper.stderr.strip()[-2000:]}")
    result = json.loads(wrapper.stdout)
    if result["rc"] != 0:
        raise CommandFailed(f"{' '.join(command)} exited {result['rc']}:\n{result['stderr']}")
    return Sample(result["seconds"], result["largest_kb"] / 1024, result["tree_kb"] / 1024,
                  result["stdout"], result["cpu_seconds"])


# ----------------------------------------------------------------------------- tabletrace


@dataclass(slots=True)
class Tool:
    """How to call tabletrace, and which of the performance flags this version has."""

    argv: list[str]
    version: str
    flags: dict[str, bool]

    def scan(self, path: Path, output: Path, cache: Path | None, jobs: int,
             extra: tuple[str, ...] = ()) -> list[str]:
        command = [*self.argv, "scan", str(path), "--format", "json", "--output", str(output)]
        if cache is not None and self.flags["--cache-dir"]:
            command += ["--cache-dir", str(cache)]
        if self.flags["--jobs"]:
            command += ["--jobs", str(jobs)]
        if self.flags.get("--fail-on"):  # a repository with error findings is no failed run
            command += ["--fail-on", "never"]
        return command + [flag for flag in extra if self.flags.get(flag)]


def find_tabletrace(explicit: str | None) -> list[str]:
    """The tabletrace next to this interpreter (a venv), else the one on PATH."""
    if explicit:
        return [explicit]
    sibling = Path(sys.executable).parent / "tabletrace"
    if sibling.exists():
        return [str(sibling)]
    found = shutil.which("tabletrace")
    if found is None:
        raise SystemExit("tabletrace not found: pass --tabletrace or run with its venv's python")
    return [found]


def detect_tool(argv: list[str]) -> Tool:
    """Read `scan --help` (wide, uncoloured) to learn which flags exist."""
    env = {**os.environ, "COLUMNS": "300", "NO_COLOR": "1", "TERM": "dumb"}
    help_text = subprocess.run([*argv, "scan", "--help"], capture_output=True, text=True,
                               env=env, check=False).stdout
    help_text = re.sub(r"\x1b\[[0-9;]*m", "", help_text)
    flags = {flag: re.search(re.escape(flag) + r"(?![\w-])", help_text) is not None
             for flag in ("--jobs", "--cache-dir", "--no-cache", "--no-prefilter", "--fail-on")}
    version = subprocess.run([*argv, "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
    return Tool(argv, version or "unknown", flags)


# ----------------------------------------------------------------------------- the repository


def walk_files(root: Path) -> Iterator[Path]:
    """Files under root, skipping what tabletrace skips."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames
                             if d not in SKIPPED_DIRS and not d.endswith(".egg-info"))
        for name in sorted(filenames):
            yield Path(dirpath) / name


def describe_repository(root: Path) -> dict[str, int]:
    py = [p for p in walk_files(root) if p.suffix == ".py"]
    sql = [p for p in walk_files(root) if p.suffix == ".sql"]
    lines = sum(p.read_bytes().count(b"\n") for p in py)
    return {"python_files": len(py), "python_lines": lines, "sql_files": len(sql)}


def is_application_file(rel: Path) -> bool:
    """Not a test, not migration tooling, not an empty package marker."""
    parts = rel.parts
    name = parts[-1]
    if any(p in ("tests", "test", "alembic", "migrations", "versions") for p in parts[:-1]):
        return False
    return not (name == "__init__.py" or name == "conftest.py" or name.startswith("test_")
                or name.endswith("_test.py"))


def pick_changed_file(root: Path) -> Path:
    """The median-sized application file with SQL in it: a typical edit that matters."""
    candidates = [p for p in walk_files(root)
                  if p.suffix == ".py" and is_application_file(p.relative_to(root))]
    if not candidates:
        raise SystemExit(f"no application .py file under {root}")
    with_sql = [p for p in candidates
                if re.search(rb"\b(SELECT|INSERT|UPDATE|DELETE)\b", p.read_bytes())]
    pool = sorted(with_sql or candidates, key=lambda p: (p.stat().st_size, str(p)))
    return pool[len(pool) // 2]


#: The first table a query names after an upper-case FROM (the `query` edit renames it).
FROM_TABLE = re.compile(rb"\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)")


def query_edited(data: bytes) -> bytes | None:
    """`data` with the first table an upper-case FROM names renamed; None without one."""
    found = FROM_TABLE.search(data)
    return None if found is None else data[: found.end(1)] + b"_edited" + data[found.end(1):]


def pick_query_file(root: Path, changed: Path) -> Path | None:
    """The file whose query the `query` edit renames: the changed file when it holds one, else
    the median-sized application file that does; None when none does."""
    if query_edited(changed.read_bytes()) is not None:
        return changed
    pool = sorted(
        (p for p in walk_files(root) if p.suffix == ".py"
         and is_application_file(p.relative_to(root)) and query_edited(p.read_bytes())),
        key=lambda p: (p.stat().st_size, str(p)),
    )
    return pool[len(pool) // 2] if pool else None


@contextmanager
def edited(path: Path, run: int, *, first_line: bool = False, query: bool = False
           ) -> Iterator[None]:
    """Append a comment (different each run, so the cache sees a change every time), insert
    it as the first line, or rename the table of the first query (`query_edited`); restore the
    bytes and the timestamps afterwards, whatever happens."""
    original = path.read_bytes()
    stat = path.stat()
    comment = f"# benchmark edit {run}\n".encode()
    prefix = b"" if original.endswith(b"\n") else b"\n"
    if query:
        changed = query_edited(original) or original
    elif first_line:
        changed = comment + original
    else:
        changed = original + prefix + comment
    try:
        path.write_bytes(changed)
        yield
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


# ----------------------------------------------------------------------------- the benchmark


@dataclass(slots=True)
class Bench:
    """State shared by the phases of one benchmark."""

    root: Path
    tool: Tool
    runs: int
    jobs: int
    work: Path
    console: Console
    outputs: dict[str, list[bytes]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warm_cache: Path | None = None
    counter: int = 0
    status: Status | None = None

    def fresh_dir(self, prefix: str) -> Path:
        self.counter += 1
        path = self.work / f"{prefix}-{self.counter}"
        path.mkdir()
        return path

    def output_file(self, phase: str) -> Path:
        self.counter += 1
        return self.work / f"{phase}-{self.counter}.json"

    def run_scan(self, phase: str, command: list[str], output: Path, m: Measurement) -> None:
        if self.status is not None:
            self.status.update(f"{phase} --jobs {self.jobs}: run {len(m.samples) + 1}/{self.runs}")
        m.samples.append(measure_once(command))
        self.outputs.setdefault(phase, []).append(output.read_bytes())
        output.unlink()


def run_baseline(bench: Bench) -> tuple[Measurement, Measurement]:
    """Whole-process ast.parse, plus the parse-only time the process reports about itself."""
    command = [sys.executable, "-c", BASELINE, str(bench.root), json.dumps(SKIPPED_DIRS)]
    whole = Measurement("baseline", "baseline (ast.parse)", command)
    inner = Measurement("parse_only", "parse only (in-process)", command)
    for _ in range(bench.runs):
        sample = measure_once(command)
        whole.samples.append(sample)
        reported = json.loads(sample.stdout)
        inner.samples.append(Sample(reported["seconds"], sample.largest_mb, sample.tree_mb))
    return whole, inner


def run_startup(bench: Bench) -> Measurement:
    """`tabletrace --version`: interpreter start and imports, the floor under any scan."""
    command = [*bench.tool.argv, "--version"]
    m = Measurement("startup", "startup (--version)", command)
    for _ in range(bench.runs):
        m.samples.append(measure_once(command))
    return m


def run_cold(bench: Bench, name: str = "cold", extra: tuple[str, ...] = ()) -> Measurement:
    """A fresh empty cache directory per run; the last one becomes the warm cache."""
    label = "cold" + (" " + " ".join(extra) if extra else "")
    m: Measurement | None = None
    for _ in range(bench.runs):
        cache = bench.fresh_dir("cache")
        output = bench.output_file(name)
        command = bench.tool.scan(bench.root, output, cache, bench.jobs, extra)
        m = m or Measurement(name, f"{label} --jobs {bench.jobs}", command, jobs=bench.jobs)
        bench.run_scan(name, command, output, m)
        if name == "cold":
            if bench.warm_cache is not None:
                shutil.rmtree(bench.warm_cache, ignore_errors=True)
            bench.warm_cache = cache
        else:
            shutil.rmtree(cache, ignore_errors=True)
    assert m is not None
    return m


def run_warm(bench: Bench, name: str = "warm") -> Measurement:
    m: Measurement | None = None
    for _ in range(bench.runs):
        output = bench.output_file(name)
        command = bench.tool.scan(bench.root, output, bench.warm_cache, bench.jobs)
        m = m or Measurement(name, f"warm --jobs {bench.jobs}", command, jobs=bench.jobs)
        bench.run_scan(name, command, output, m)
    assert m is not None
    return m


def run_changed(bench: Bench, changed: Path, *, shifted: bool = False, query: bool = False
                ) -> Measurement:
    name = "query" if query else "shifted" if shifted else "changed"
    label = ("one query edited" if query else
             "one file changed, lines shifted" if shifted else "one file changed")
    m: Measurement | None = None
    for run in range(bench.runs):
        output = bench.output_file(name)
        cache = bench.warm_cache
        if (shifted or query) and cache is not None:
            # A copy per run: after one shifted edit, the next run's (the same shift, another
            # comment) would give equal facts and be answered by the early cutoff; after one
            # query edit, the next (the same edit) would find the report stored.
            cache = bench.fresh_dir("cache")
            shutil.copytree(bench.warm_cache, cache, dirs_exist_ok=True)
        command = bench.tool.scan(bench.root, output, cache, bench.jobs)
        m = m or Measurement(name, f"{label} --jobs {bench.jobs}", command, jobs=bench.jobs)
        with edited(changed, run, first_line=shifted, query=query):
            bench.run_scan(name, command, output, m)
        if cache is not bench.warm_cache and cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
    assert m is not None
    return m


def prepare_installation(tool: Tool) -> None:
    """Leave the installation as a user's is before a cold scan: tabletrace's package
    compiled, as `pip install` does, and the code of the dataclass methods its imports compile
    kept by one scan, as any earlier scan on the machine does (see the module docstring)."""
    python = Path(tool.argv[0]).parent / "python"
    if python.exists():
        subprocess.run(
            [str(python), "-c", "import analyzer, compileall, os; "
             "compileall.compile_dir(os.path.dirname(analyzer.__file__), quiet=2)"],
            capture_output=True, check=False,
        )
    with tempfile.TemporaryDirectory(prefix="tabletrace-bench-") as scratch:
        repository = Path(scratch) / "repository"
        (repository / "app").mkdir(parents=True)
        (repository / "app" / "queries.py").write_text(
            'def names(cursor):\n    return cursor.execute("SELECT name FROM users")\n')
        (repository / "schema.sql").write_text("CREATE TABLE users (name text);\n")
        output = Path(scratch) / "report.json"
        cache = Path(scratch) / "cache"
        subprocess.run(tool.scan(repository, output, cache, 1), capture_output=True,
                       check=False)


def final_warm(bench: Bench) -> None:
    """One more warm scan after the edited file is restored (for the determinism check)."""
    output = bench.output_file("final")
    command = bench.tool.scan(bench.root, output, bench.warm_cache, bench.jobs)
    bench.run_scan("final", command, output, Measurement("final", "final warm", command))


def report_stats(bench: Bench) -> dict[str, Any]:
    """The scanned report's own counts: a benchmark of a scan that read nothing is no result."""
    cold = bench.outputs.get("cold", [])
    if not cold:
        return {}
    stats = json.loads(cold[0]).get("stats", {})
    keys = ("files_scanned", "python_files", "sql_files", "sql_statements", "sql_strings",
            "tables", "uses", "alembic_revisions", "diagnostics")
    out = {key: stats[key] for key in keys if key in stats}
    if isinstance(stats.get("findings"), dict):
        out["findings"] = sum(stats["findings"].values())
    return out


def determinism(bench: Bench) -> dict[str, Any]:
    """Every cold and warm report and the final one must be the same bytes."""
    reports = bench.outputs.get("cold", []) + bench.outputs.get("warm", [])
    reports += bench.outputs.get("final", [])
    identical = bool(reports) and all(r == reports[0] for r in reports)
    result: dict[str, Any] = {"identical": identical, "reports_compared": len(reports)}
    if "cold_no_prefilter" in bench.outputs:
        result["no_prefilter_identical"] = all(
            r == reports[0] for r in bench.outputs["cold_no_prefilter"])
    changed = bench.outputs.get("changed", [])
    if changed:
        result["changed_identical"] = all(r == reports[0] for r in changed)
    shifted = bench.outputs.get("shifted", [])
    if shifted:  # the same one-line shift every run: the same report
        result["shifted_identical"] = all(r == shifted[0] for r in shifted)
    query = bench.outputs.get("query", [])
    if query:  # the same edit every run: the same report
        result["query_identical"] = all(r == query[0] for r in query)
    return result


# ----------------------------------------------------------------------------- reporting


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Hardware", "Processor")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_total_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def machine(tool: Tool) -> dict[str, Any]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {"cores": os.cpu_count(), "usable_cores": usable, "cpu": cpu_model(),
            "memory_mb": memory_total_mb(), "platform": platform.platform(),
            "python": platform.python_version(), "python_executable": sys.executable,
            "tabletrace": tool.version, "tabletrace_command": tool.argv}


def target_of(m: Measurement) -> float | None:
    if m.jobs is not None and m.jobs < TARGET_JOBS:
        return None
    return TARGETS.get(m.name)


def verdict(ok: bool | None) -> str:
    return "" if ok is None else "[green]ok[/]" if ok else "[red]over[/]"


def results_table(measurements: list[Measurement], baseline: float) -> Table:
    table = Table(title="tabletrace benchmark (wall-clock seconds)")
    base_cpu = next((m.cpu_median for m in measurements if m.name == "baseline"), 0.0)
    for column in ("measurement", "median", "min", "max", "ratio", "CPU ratio", "target",
                   "RSS tree MB", "RSS proc MB", ""):
        table.add_column(column, justify="left" if column == "measurement" else "right")
    for m in measurements:
        ratio = None if m.name in REFERENCES else m.median / baseline
        target = target_of(m)
        ok = None
        if m.name in SCANS:
            ok = m.peak_tree_mb <= RSS_TARGET_MB
            if target is not None and ratio is not None:
                ok = ok and ratio <= target
        table.add_row(
            m.label, f"{m.median:.3f}", f"{min(m.times):.3f}", f"{max(m.times):.3f}",
            "" if ratio is None else f"{ratio:.2f}",
            "" if ratio is None or not base_cpu else f"{m.cpu_median / base_cpu:.2f}",
            "" if target is None else f"<= {target}",
            "" if m.name == "parse_only" else f"{m.peak_tree_mb:.0f}",
            "" if m.name == "parse_only" else f"{m.peak_largest_mb:.0f}",
            verdict(ok),
        )
    return table


def ratios(measurements: list[Measurement], baseline: float) -> dict[str, dict[str, Any]]:
    """Wall-clock ratios to the baseline, and CPU-time ratios (user + system of the whole tree:
    the figure that holds when other work shares the machine, but that cannot show what
    workers gain)."""
    out = {}
    base_cpu = next((m.cpu_median for m in measurements if m.name == "baseline"), 0.0)
    for m in measurements:
        if m.name in REFERENCES:
            continue
        ratio = m.median / baseline
        target = target_of(m)
        out[m.key] = {"ratio": ratio, "target": target, "jobs": m.jobs, "name": m.name,
                       "cpu_ratio": m.cpu_median / base_cpu if base_cpu else None,
                       "met": None if target is None else ratio <= target,
                       "rss_met": m.peak_tree_mb <= RSS_TARGET_MB if m.name in SCANS else None}
    return out


def print_header(console: Console, info: dict[str, Any], repo: dict[str, int], root: Path,
                 changed: Path) -> None:
    memory = f", {info['memory_mb']:.0f} MB RAM" if info["memory_mb"] else ""
    console.print(f"[bold]machine[/]    {info['cores']} cores ({info['usable_cores']} usable), "
                  f"{info['cpu']}{memory}")
    console.print(f"[bold]python[/]     {info['python']} ({info['python_executable']})")
    command = " ".join(info["tabletrace_command"])
    console.print(f"[bold]tool[/]       {info['tabletrace']} ({command})")
    console.print(f"[bold]repository[/] {root}: {repo['python_files']} Python files "
                  f"({repo['python_lines']} lines), {repo['sql_files']} SQL files")
    console.print(f"[bold]edited[/]     {changed.relative_to(root).as_posix()}")


# ----------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="repository to scan (generated or real)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--jobs", type=jobs_list, default=default_jobs(),
                        help="tabletrace scan --jobs, one value or several separated by commas "
                        "(default: 1 and all cores)")
    parser.add_argument("--name", help="how README's speed table names the repository "
                        "(default: the directory name)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--compare-prefilter", action="store_true",
                        help="also time a cold scan with --no-prefilter")
    parser.add_argument("--changed-file", type=Path,
                        help="file to edit for the one-file-changed scan (relative to PATH)")
    parser.add_argument("--tabletrace", help="tabletrace executable (default: next to python)")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a target is missed (not only on failures)")
    return parser.parse_args(argv)


def jobs_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("--jobs values must be 1 or more")
    return list(dict.fromkeys(values))


def default_jobs() -> list[int]:
    return list(dict.fromkeys([1, os.cpu_count() or 1]))


def selection(bench: Bench) -> dict[str, Any]:
    """Python files LibCST parsed (an in-process scan with this interpreter) against Python
    files the cold report cites."""
    out: dict[str, Any] = {}
    cold = bench.outputs.get("cold", [])
    if cold:
        out["cited_files"] = len(cited_files(json.loads(cold[0])))
    if bench.status is not None:
        bench.status.update("selection: counting the files LibCST parses")
    done = subprocess.run([sys.executable, "-c", SELECTION, str(bench.root)],
                          capture_output=True, text=True, check=False)
    if done.returncode == 0:
        counted = json.loads(done.stdout.strip().splitlines()[-1])
        out["parsed_files"] = len(counted["parsed"])
        out["python_files"] = counted["python_files"]
    else:
        bench.notes.append("could not count parsed files with this interpreter: "
                           + done.stderr.strip()[-300:])
    return out


def cited_files(report: dict[str, Any]) -> set[str]:
    """Python files named by any `path` of a report, diagnostics aside."""
    found: set[str] = set()

    def visit(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "path" and isinstance(item, str) and item.endswith(".py"):
                    found.add(item)
                elif key != "diagnostics":
                    visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit({key: item for key, item in report.items() if key != "diagnostics"})
    return found


def flag_notes(tool: Tool, compare_prefilter: bool) -> list[str]:
    notes = []
    missing = [f for f in ("--jobs", "--cache-dir") if not tool.flags[f]]
    if missing:
        notes.append(f"this tabletrace has no {' / '.join(missing)}: scans run without them"
                     + ("; cold, warm and one-file-changed are all uncached scans"
                        if "--cache-dir" in missing else ""))
    if compare_prefilter and not tool.flags["--no-prefilter"]:
        notes.append("this tabletrace has no --no-prefilter: the comparison is skipped")
    return notes


def benchmark(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    root = args.path.resolve()
    tool = detect_tool(find_tabletrace(args.tabletrace))
    prepare_installation(tool)
    changed = (root / args.changed_file) if args.changed_file else pick_changed_file(root)
    queried = pick_query_file(root, changed)
    info, repo = machine(tool), describe_repository(root)
    print_header(console, info, repo, root, changed)
    if queried is not None and queried != changed:
        console.print(f"[bold]query in[/]   {queried.relative_to(root).as_posix()}")
    notes = flag_notes(tool, args.compare_prefilter)
    for note in notes:
        console.print(f"[yellow]note[/]       {note}")
    with (tempfile.TemporaryDirectory(prefix="tabletrace-bench-") as work,
          console.status("baseline") as status):
        bench = Bench(root, tool, args.runs, args.jobs[0], Path(work), console, notes=notes,
                      status=status)
        baseline, parse_only = run_baseline(bench)
        measurements = [baseline, parse_only, run_startup(bench)]
        for jobs in args.jobs:
            bench.jobs, bench.warm_cache = jobs, None
            measurements += [run_cold(bench), run_warm(bench), run_changed(bench, changed),
                             run_changed(bench, changed, shifted=True)]
            if queried is not None:
                measurements.append(run_changed(bench, queried, query=True))
            final_warm(bench)
        if args.compare_prefilter and tool.flags["--no-prefilter"]:
            measurements.append(run_cold(bench, "cold_no_prefilter", ("--no-prefilter",)))
        checked, scanned = determinism(bench), report_stats(bench)
        selected = selection(bench)
    base = baseline.median
    if scanned:
        console.print("[bold]report[/]     " + ", ".join(f"{v} {k}" for k, v in scanned.items()))
    if selected:
        console.print(f"[bold]selection[/]  LibCST parsed {selected.get('parsed_files', '?')} of "
                      f"{selected.get('python_files', '?')} Python files; the report cites "
                      f"{selected.get('cited_files', '?')}")
    console.print(results_table(measurements, base))
    same = "[green]identical[/]" if checked["identical"] else "[red]DIFFERENT[/]"
    console.print(f"determinism: cold, warm and final warm reports are {same} "
                  f"({checked['reports_compared']} reports)")
    if "no_prefilter_identical" in checked:
        console.print(f"--no-prefilter report identical: {checked['no_prefilter_identical']}")
    for key, what in (("changed_identical", "one file changed (comment): the cold report"),
                      ("shifted_identical", "lines shifted: the same report every run"),
                      ("query_identical", "query edited: the same report every run")):
        if key in checked:
            console.print(f"{what}: {checked[key]}")
    return {"machine": info, "repository": {"path": str(root), **repo,
                                            "name": args.name or root.name,
                                            "edited_file": str(changed.relative_to(root)),
                                            "query_file": str(queried.relative_to(root))
                                            if queried is not None else None},
            "settings": {"runs": args.runs, "jobs": args.jobs, "flags": tool.flags},
            "selection": selected,
            "results": {m.key: m.summary() for m in measurements},
            "ratios": ratios(measurements, base),
            "targets": {**TARGETS, "peak_rss_mb": RSS_TARGET_MB},
            "determinism": checked, "report_stats": scanned, "notes": notes}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 120)
    if not args.path.is_dir():
        console.print(f"[red]error[/]: {args.path} is not a directory")
        return 2
    try:
        result = benchmark(args, console)
    except CommandFailed as exc:
        console.print(f"[red]command failed[/]: {exc}")
        return 1
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
        console.print(f"results written to {args.json}")
    if not result["determinism"]["identical"]:
        return 1
    missed = [k for k, v in result["ratios"].items()
              if v["met"] is False or v["rss_met"] is False]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
