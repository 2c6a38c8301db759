#!/usr/bin/env python3
"""CPU cost of each engine part per Python file, as multiples of `ast.parse` of the same files.

Why: a whole scan's time mixes selection, parsing, metadata, traversal and everything after;
this isolates the parts `analyzer/python/` replaces, measured in one process on the same
parsed trees:

* ``ast.parse`` (the reference) and LibCST's ``parse_module``;
* positions: LibCST's ``PositionProvider`` against ``analyzer.python.positions.Positions``
  (built for the whole file, i.e. the worst case of its laziness);
* traversal: ``module.visit(visitor)`` against ``analyzer.python.walk.walk(module, visitor)``
  with a reader-like visitor (handlers for calls, strings, f-strings, assignments, imports,
  classes and functions);
* with ``--extractors``: the whole per-file reading (``read_python``: parse, positions, the one
  traversal with every reader, translation of what they keep).

CPU time (``time.process_time``) with the garbage collector off, so that other work on the
machine and collections do not blur the comparison. Prints one JSON object.

Usage: ``python benchmarks/parts.py PATH [--limit N] [--extractors]``
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import libcst as cst  # noqa: E402
from libcst.metadata import MetadataWrapper, PositionProvider  # noqa: E402

from analyzer.python.positions import Positions  # noqa: E402
from analyzer.python.walk import walk  # noqa: E402

SKIPPED = {".git", ".venv", "venv", "node_modules", "__pycache__", "site-packages", ".tox"}


class ReaderLike(cst.CSTVisitor):
    """What a tabletrace reader listens to (the counts keep the handlers from being empty)."""

    def __init__(self) -> None:
        self.seen = 0
        self.depth = 0

    def visit_Call(self, node: cst.Call) -> None:
        self.seen += 1

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.seen += 1

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self.seen += 1

    def visit_Assign(self, node: cst.Assign) -> None:
        self.seen += 1

    def visit_Import(self, node: cst.Import) -> None:
        self.seen += 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.seen += 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.depth -= 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1


def python_files(root: Path) -> list[Path]:
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED)
        found.extend(Path(directory) / name for name in sorted(names) if name.endswith(".py"))
    return found


def timed(function: Any) -> tuple[float, Any]:
    start = time.process_time()
    result = function()
    return time.process_time() - start, result


def measure(root: Path, limit: int | None) -> dict[str, Any]:
    totals = dict.fromkeys(("ast_parse", "libcst_parse", "stock_positions", "positions",
                            "stock_visit", "walk"), 0.0)
    files = nodes = 0
    gc.disable()
    for path in python_files(root)[:limit]:
        source = path.read_bytes()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                spent, _ = timed(lambda source=source: ast.parse(source))
            spent_cst, module = timed(lambda source=source: cst.parse_module(source))
        except Exception:
            continue
        files += 1
        totals["ast_parse"] += spent
        totals["libcst_parse"] += spent_cst
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        spent, stock = timed(lambda wrapper=wrapper: PositionProvider()._gen(wrapper))
        totals["stock_positions"] += spent
        nodes += len(stock)
        spent, _ = timed(lambda module=module: Positions(module).span(module))
        totals["positions"] += spent
        spent, _ = timed(lambda module=module: module.visit(ReaderLike()))
        totals["stock_visit"] += spent
        spent, _ = timed(lambda module=module: walk(module, ReaderLike()))
        totals["walk"] += spent
        del module, wrapper, stock
        gc.collect()
    base = totals["ast_parse"] or 1e-9
    return {
        "repository": str(root),
        "files": files,
        "nodes": nodes,
        "libcst": cst.__version__ if hasattr(cst, "__version__") else "unknown",
        "cpu_seconds": {key: round(value, 3) for key, value in totals.items()},
        "x_ast_parse": {key: round(value / base, 2) for key, value in totals.items()},
        "speedup": {
            "positions": round(totals["stock_positions"] / (totals["positions"] or 1e-9), 2),
            "walk": round(totals["stock_visit"] / (totals["walk"] or 1e-9), 2),
        },
    }


def measure_extractors(root: Path, limit: int | None) -> dict[str, Any]:
    """CPU seconds of the whole per-file reading (`read_python`: one parse, positions, the
    one traversal with every reader, the translation of what they keep) of every file."""
    from analyzer.readers.python_module import read_python

    totals = {"ast_parse": 0.0, "read_python": 0.0}
    files = 0
    gc.disable()
    for path in python_files(root)[:limit]:
        source = path.read_bytes()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                spent, _ = timed(lambda source=source: ast.parse(source))
        except Exception:
            continue
        files += 1
        totals["ast_parse"] += spent
        candidate = "versions" in path.parts
        spent, read = timed(
            lambda path=path, source=source, candidate=candidate: read_python(
                str(path), source, "module", revision_candidate=candidate
            )
        )
        totals["read_python"] += spent
        del read
        gc.collect()
    base = totals["ast_parse"] or 1e-9
    return {
        "files": files,
        "cpu_seconds": {key: round(value, 3) for key, value in totals.items()},
        "x_ast_parse": {key: round(value / base, 2) for key, value in totals.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--limit", type=int, help="only the first N files (sorted walk)")
    parser.add_argument("--extractors", action="store_true",
                        help="also time the whole per-file reading (read_python)")
    args = parser.parse_args(argv)
    result = measure(args.path, args.limit)
    if args.extractors:
        result["extractors"] = measure_extractors(args.path, args.limit)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
