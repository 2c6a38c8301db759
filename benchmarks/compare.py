#!/usr/bin/env python3
"""Compare two commits of tabletrace on one repository: cold scans of each, interleaved.

Why: on a shared machine whole runs move by more than most changes (the same commit's cold
scan of synapse has read 7.7 s to 12.3 s within an hour), so two benchmark tables taken at
different times cannot tell two commits apart. Running both in turn, several times, exposes
them to the same load; each round alternates which one goes first.

For each ``--runs``: a cold scan (``--no-cache``) by the base commit and by the working tree,
each a fresh process timed whole by ``run.py``'s wrapper (wall-clock, CPU of all processes,
peak memory of all processes). The base commit is checked out in a temporary ``git worktree``
and run with this interpreter (its dependencies must be the installed ones). Both JSON reports
of every round must be byte-identical: a change meant to be faster must not change a report.

Usage: ``python benchmarks/compare.py PATH [--base REV] [--runs 3] [--jobs 2]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import CommandFailed, Sample, measure_once

PROJECT = Path(__file__).resolve().parent.parent


def scan_command(tree: Path, repository: Path, jobs: int, output: Path) -> list[str]:
    """A cold scan by the tabletrace in `tree` (its `analyzer` package first on the path)."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from analyzer.cli import main; "
        "sys.argv = ['tabletrace', 'scan', *sys.argv[2:]]; main()"
    )
    return [
        sys.executable, "-c", code, str(tree), str(repository), "--no-cache", "--jobs",
        str(jobs), "--format", "json", "--output", str(output), "--fail-on", "never",
    ]


def compile_tree(tree: Path) -> None:
    """Bytecode for the tree's package, as an installed package has (see `run.py`)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "analyzer")],
                   check=True)


def summary(samples: list[Sample]) -> str:
    walls = [s.seconds for s in samples]
    cpus = [s.cpu_seconds for s in samples]
    peak = max(s.tree_mb for s in samples)
    return (
        f"wall {min(walls):.2f}-{max(walls):.2f} s (median {statistics.median(walls):.2f}), "
        f"CPU {min(cpus):.2f}-{max(cpus):.2f} s (median {statistics.median(cpus):.2f}), "
        f"peak {peak:.0f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="repository to scan")
    parser.add_argument("--base", default="HEAD~1", help="commit to compare with")
    parser.add_argument("--runs", type=int, default=3, help="rounds (each scans with both)")
    parser.add_argument("--jobs", type=int, default=2, help="tabletrace scan --jobs")
    args = parser.parse_args()
    repository = args.path.resolve()
    base = subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "--short", args.base],
                          check=True, capture_output=True, text=True).stdout.strip()
    samples: dict[str, list[Sample]] = {base: [], "working tree": []}
    identical = True
    with tempfile.TemporaryDirectory(prefix="tabletrace-compare-") as scratch:
        worktree = Path(scratch) / "base"
        subprocess.run(["git", "-C", str(PROJECT), "worktree", "add", "--detach", "--quiet",
                        str(worktree), base], check=True)
        try:
            trees = {base: worktree, "working tree": PROJECT}
            for tree in trees.values():
                compile_tree(tree)
            for round_ in range(args.runs):
                order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
                outputs = {}
                for name in order:
                    output = Path(scratch) / f"report-{round_}-{len(outputs)}.json"
                    try:
                        sample = measure_once(
                            scan_command(trees[name], repository, args.jobs, output)
                        )
                    except CommandFailed as failure:
                        print(f"{name}: {failure}", file=sys.stderr)
                        return 1
                    samples[name].append(sample)
                    outputs[name] = output.read_bytes()
                    print(f"round {round_ + 1} {name}: {sample.seconds:.2f} s wall, "
                          f"{sample.cpu_seconds:.2f} s CPU", flush=True)
                identical = identical and len(set(outputs.values())) == 1
        finally:
            subprocess.run(["git", "-C", str(PROJECT), "worktree", "remove", "--force",
                            str(worktree)], check=False)
    print(f"{repository.name}, cold, --jobs {args.jobs}, {args.runs} rounds")
    for name, taken in samples.items():
        print(f"  {name:>12}: {summary(taken)}")
    print(f"  reports byte-identical in every round: {identical}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
