#!/usr/bin/env python3
"""Garbage-collector cost of one cold in-process scan: collections per generation and the time
spent in them, next to the scan's own time.

Why: LibCST trees are hundreds of thousands of small container objects; every young-generation
collection that happens while one is alive walks it. `analyzer.engine.run_job` pauses the
collector per file; this shows whether that works (few collections, little time) on any
repository, with or without the pause (`--no-pause` measures the scan as it would be without).

Usage: ``python benchmarks/gcstats.py PATH [--no-prefilter] [--no-pause]``; prints one JSON
object. ``--jobs 1`` and no cache: every file is extracted in this process.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def measure(path: Path, *, prefilter: bool, pause: bool) -> dict[str, Any]:
    from analyzer import engine, scan

    counts = [0, 0, 0]
    spent = [0.0, 0.0, 0.0]
    started: list[float] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        else:
            generation = info["generation"]
            counts[generation] += 1
            spent[generation] += time.perf_counter() - started.pop()

    engine.GC_PAUSE = pause
    gc.callbacks.append(callback)
    start = time.perf_counter()
    cpu = time.process_time()
    try:
        report = scan(path, jobs=1, cache=None, prefilter=prefilter)
    finally:
        gc.callbacks.remove(callback)
    return {
        "repository": str(path),
        "prefilter": prefilter,
        "gc_pause": pause,
        "seconds": round(time.perf_counter() - start, 3),
        "cpu_seconds": round(time.process_time() - cpu, 3),
        "collections": counts,
        "gc_seconds": [round(s, 3) for s in spent],
        "gc_share": round(sum(spent) / max(time.perf_counter() - start, 1e-9), 3),
        "python_files": report.stats.python_files,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--no-prefilter", action="store_true")
    parser.add_argument("--no-pause", action="store_true",
                        help="leave the collector running during extraction (for comparison)")
    args = parser.parse_args(argv)
    result = measure(args.path, prefilter=not args.no_prefilter, pause=not args.no_pause)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
