#!/usr/bin/env python3
"""Check on any repository that a scan answered from the cache says what a scan without it says.

Why: after an edit, a cached scan takes one of three paths: the stored report (nothing
changed), the early cutoff (the changed files give the results the last scan used, or the
same results with their lines moved: `analyzer/cutoff.py`, `analyzer/lineshift.py`) or the
whole pipeline from cached facts. The first two rest on claims about which edits cannot
change the report; `tests/test_cutoff.py` checks them on small repositories written for the
purpose, and this script checks them on real code, where fact shapes the tests never built
turn up (a field holding a line under another name; a field `==` leaves out that the report
reads).

What it does: copies PATH to a temporary directory (the repository itself is never edited),
scans the copy once with a cache, then for each chosen file and each edit below scans the
copy with that cache and without any, compares the two JSON reports byte for byte, restores
the file and scans again to bring the cache back to the original.

Edits: `append` (a comment after the last line: the facts usually stay equal), `top` (a
comment as the first line: every line moves), `mention` (a comment naming two tables after
the first line: lines move, and a documentation-only revision may name tables in another
order), `middle` (a comment and a blank line before the first top-level statement of the
file's second half: the lines above stay, those below move by two; the last report's
evidence is moved by that map, `analyzer/remap.py`), `remove` (the last blank line before
that statement removed: the lines below move up by one), `query` (the first table an
upper-case `FROM` names renamed, `FROM users` -> `FROM users_edited`: the report changes; when
the query is a literal the relevance rounds read only as "starts like SQL", the pipeline runs
with the last scan's selection, `analyzer/rounds_view.py`).

Without `--fresh-from-facts`, the scan to compare with writes its own empty cache, and the
files the two scans' relevance rounds chose to read after their first round are compared too
(`LastScan.selection`): a cached scan may take the last scan's selection without asking the
rounds (`analyzer/rounds_view.py`), and that must be the selection a cold scan chooses.

`--fresh-from-facts`: the scan to compare with runs the whole pipeline from a second cache
(its stored report removed before each scan, so neither the stored report nor the early
cutoff answers) instead of from nothing: much faster on large repositories, and still
independent of the early cutoff (that the cache's facts equal fresh ones is checked by the
test suite and by a run without this option).

Files: the Python files holding SQL, models or migrations (`SELECT`, `select(`, `.objects.`,
`op.`, `Column(`, `mapped_column`), shuffled with `--seed`; `--files` of them.

Usage: ``python benchmarks/cutoff_check.py PATH [--files 5] [--seed 0] [--jobs 2]
[--keep DIR]``. Exit status 1 when any report or selection differs (the reports kept in DIR
with `--keep`).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from run import SKIPPED_DIRS, find_tabletrace, query_edited, walk_files

MARKERS = (b"SELECT", b"select(", b".objects.", b"op.", b"Column(", b"mapped_column")
EDITS = ("append", "top", "mention", "middle", "remove", "query")
#: A line where a top-level statement starts (a comment inserted before it lands between two).
TOP_LEVEL = re.compile(rb"^(?:def |class |async def |@|[A-Za-z_]\w* = )", re.MULTILINE)


def edited(data: bytes, edit: str) -> bytes:
    """The file's bytes after one of `EDITS`."""
    if edit == "append":
        return data + (b"" if data.endswith(b"\n") or not data else b"\n") + b"# reviewed\n"
    if edit == "top":
        return b"# header\n" + data
    if edit == "query":
        return query_edited(data) or data
    if edit in ("middle", "remove"):
        # before the first top-level statement of the second half: the lines above stay, the
        # lines below move (down by two, or up by one when the blank line above it goes)
        starts = [m.start() for m in TOP_LEVEL.finditer(data) if m.start() >= len(data) // 2]
        at = starts[0] if starts else len(data)
        if edit == "middle":
            return data[:at] + b"# reviewed\n\n" + data[at:]
        blank = data.rfind(b"\n\n", 0, at)
        return data if blank < 0 else data[:blank] + data[blank + 1:]
    return data.replace(b"\n", b"\n# see the users and orders tables\n", 1)


def candidates(root: Path, count: int, seed: int) -> list[Path]:
    """`count` Python files under root holding SQL, models or migrations, chosen by `seed`."""
    found = [p for p in walk_files(root)
             if p.suffix == ".py" and any(m in p.read_bytes() for m in MARKERS)]
    random.Random(seed).shuffle(found)
    return found[:count]


def scan(tool: list[str], root: Path, output: Path, cache: Path | None, jobs: int) -> str:
    """Scan into `output`; how the scan was answered: `stored` (the report as the cache kept
    it, or the early cutoff: the pipeline was not imported), `moved` (the last report with a
    file's lines moved, `analyzer/remap.py`) or `pipeline`. Told by the modules the scan
    imported (`PYTHONPROFILEIMPORTTIME`), never by timing."""
    command = [*tool, "scan", str(root), "--format", "json", "--output", str(output),
               "--fail-on", "never", "--jobs", str(jobs)]
    command += ["--cache-dir", str(cache)] if cache is not None else ["--no-cache"]
    environment = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    if "analyzer.pipeline" in imported:
        return "pipeline"
    return "moved" if "analyzer.remap" in imported else "stored"


def selection_of(cache: Path, root: Path) -> tuple[str, ...]:
    """The files the last scan of `root` with `cache` read after its first round
    (`LastScan.selection`)."""
    from analyzer.cache import FactCache
    from analyzer.config import load_config
    from analyzer.cutoff import LAST_SCAN_KEY, LastScan
    from analyzer.scan import use_cache_scope

    facts = FactCache(cache)
    use_cache_scope(facts, root, load_config(root))
    last = facts.get(LAST_SCAN_KEY)
    if not isinstance(last, LastScan):
        raise SystemExit(f"{cache}: no scan of {root} is remembered there")
    return last.selection


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="repository to check (it is copied, not edited)")
    parser.add_argument("--files", type=int, default=5, help="files to edit")
    parser.add_argument("--seed", type=int, default=0, help="which files (shuffle seed)")
    parser.add_argument("--jobs", type=int, default=2, help="tabletrace scan --jobs")
    parser.add_argument("--keep", type=Path, help="keep differing reports in this directory")
    parser.add_argument("--fresh-from-facts", action="store_true",
                        help="compare with the whole pipeline run from cached facts")
    parser.add_argument("--tabletrace", help="tabletrace executable (default: next to python)")
    args = parser.parse_args()
    tool = find_tabletrace(args.tabletrace)
    with tempfile.TemporaryDirectory(prefix="tabletrace-cutoff-") as scratch:
        work = Path(scratch)
        root = work / args.path.resolve().name
        shutil.copytree(args.path, root, ignore=shutil.ignore_patterns(*SKIPPED_DIRS))
        cache, cached_out, fresh_out = work / "cache", work / "cached.json", work / "fresh.json"
        facts = work / "facts" if args.fresh_from_facts else None
        chosen = candidates(root, args.files, args.seed)
        if not chosen:
            print(f"{args.path}: no Python file with SQL, models or migrations")
            return 0
        scan(tool, root, cached_out, cache, args.jobs)
        answered: dict[str, int] = {}
        if facts is not None:
            scan(tool, root, fresh_out, facts, args.jobs)
        differences = 0
        for path in chosen:
            original = path.read_bytes()
            for edit in EDITS:
                path.write_bytes(edited(original, edit))
                try:
                    how = scan(tool, root, cached_out, cache, args.jobs)
                    cached = cached_out.read_bytes()
                    if facts is not None:
                        for stored in facts.glob("packs/*.report"):
                            stored.unlink()
                    cold = work / "cold" if facts is None else None  # an empty cache of its own
                    if scan(tool, root, fresh_out, facts or cold, args.jobs) != "pipeline":
                        raise SystemExit("the scan to compare with did not run the pipeline")
                    fresh = fresh_out.read_bytes()
                    chose = None
                    if cold is not None:
                        chose = selection_of(cache, root) == selection_of(cold, root)
                        shutil.rmtree(cold)
                finally:
                    path.write_bytes(original)
                same = cached == fresh and chose is not False
                relative = path.relative_to(root).as_posix()
                answered[how] = answered.get(how, 0) + 1
                said = {None: "", True: " selection same", False: " selection DIFFERENT"}[chose]
                print(f"{'same' if same else 'DIFFERENT':9} {edit:8} {how:8} {relative}{said}",
                      flush=True)
                if not same:
                    differences += 1
                    if args.keep is not None:
                        args.keep.mkdir(parents=True, exist_ok=True)
                        stem = f"{differences}-{edit}-{path.stem}"
                        (args.keep / f"{stem}.cached.json").write_bytes(cached)
                        (args.keep / f"{stem}.fresh.json").write_bytes(fresh)
            scan(tool, root, cached_out, cache, args.jobs)  # the cache as the original left it
    how = ", ".join(f"{name} {count}" for name, count in sorted(answered.items()))
    print(f"{args.path}: {len(chosen) * len(EDITS)} edits ({how}), "
          f"{differences} different report(s) or selection(s)")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
