"""Rewrite README's speed table from the benchmark results kept in `benchmarks/results/`.

Each `benchmarks/results/*.json` is the `--json` output of `benchmarks/run.py` on one
repository. Run `python scripts/speed_table.py` after adding or refreshing one;
`tests/test_speed_table.py` fails when README's table differs from what this produces, so the
README never states a number no result file backs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
START, END = "<!-- speed-table:start -->", "<!-- speed-table:end -->"
HEADER = (
    "| repository | .py files | LibCST parsed / report cites | --jobs | baseline "
    "| cold | warm | one file changed: comment / lines shifted | one query edited "
    "| peak RSS MB (all / largest) |"
)


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _cell(result: dict[str, Any], key: str, base: float, base_cpu: float) -> str:
    measured = result["results"].get(key)
    if measured is None:
        return "-"
    ratio = measured["min"] / base
    cpu = measured.get("cpu_median")
    cpu_part = f"; CPU {cpu / base_cpu:.1f}x" if cpu and base_cpu else ""
    return f"{_seconds(measured['min'])} ({ratio:.1f}x{cpu_part})"


def rows(result: dict[str, Any]) -> list[str]:
    """One row per --jobs value of one benchmark result."""
    repository = result["repository"]
    name = repository.get("name") or Path(repository["path"]).name
    selected = result.get("selection", {})
    parsed = selected.get("parsed_files")
    cited = selected.get("cited_files")
    selection = f"{parsed} / {cited}" if parsed is not None and cited is not None else "-"
    baseline = result["results"]["baseline"]
    base, base_cpu = baseline["min"], baseline.get("cpu_median") or 0.0
    out = []
    for jobs in result["settings"]["jobs"]:
        scans = [result["results"].get(f"{name_}@{jobs}")
                 for name_ in ("cold", "warm", "changed", "shifted", "query")]
        measured = [m for m in scans if m is not None]
        if not measured:
            continue
        peak_all = max(m["peak_rss_tree_mb"] for m in measured)
        peak_one = max(m["peak_rss_largest_process_mb"] for m in measured)
        out.append(
            f"| {name} | {repository['python_files']:,} | {selection} | {jobs} "
            f"| {_seconds(base)} | {_cell(result, f'cold@{jobs}', base, base_cpu)} "
            f"| {_cell(result, f'warm@{jobs}', base, base_cpu)} "
            f"| {_cell(result, f'changed@{jobs}', base, base_cpu)} / "
            f"{_cell(result, f'shifted@{jobs}', base, base_cpu)} "
            f"| {_cell(result, f'query@{jobs}', base, base_cpu)} "
            f"| {peak_all:.0f} / {peak_one:.0f} |"
        )
    return out


def load_results(folder: Path = RESULTS) -> list[dict[str, Any]]:
    """The result files, largest repository first (then by name: a stable order)."""
    results = [json.loads(path.read_text(encoding="utf-8"))
               for path in sorted(folder.glob("*.json"))]
    return sorted(results, key=lambda r: (-r["repository"]["python_files"],
                                          r["repository"].get("name", "")))


def machine_line(results: list[dict[str, Any]]) -> str:
    machines = sorted({
        f"{r['machine']['cores']} cores ({r['machine']['cpu']}), "
        f"{r['machine']['memory_mb'] / 1024:.0f} GB RAM, CPython {r['machine']['python']}"
        for r in results
    })
    runs = sorted({r["settings"]["runs"] for r in results})
    return (f"Measured on {'; '.join(machines)}; {'/'.join(map(str, runs))} whole-process "
            "runs per cell: the fastest wall-clock time and its ratio to the fastest baseline, "
            "then the ratio of median CPU times (user + system, all processes).")


def table(results: list[dict[str, Any]]) -> str:
    separator = "|" + "---|" * HEADER.count(" | ") + "---|"
    lines = [machine_line(results), "", HEADER, separator]
    for result in results:
        lines.extend(rows(result))
    return "\n".join(lines)


def updated_readme(readme: str, block: str) -> str:
    head, found, rest = readme.partition(START)
    if not found:
        raise SystemExit(f"README.md has no {START} marker")
    _, found, tail = rest.partition(END)
    if not found:
        raise SystemExit(f"README.md has no {END} marker")
    return f"{head}{START}\n{block}\n{END}{tail}"


def main() -> int:
    readme = REPO / "README.md"
    results = load_results()
    if not results:
        print(f"no results in {RESULTS}", file=sys.stderr)
        return 1
    readme.write_text(updated_readme(readme.read_text(encoding="utf-8"), table(results)),
                      encoding="utf-8")
    print(f"README.md: speed table from {len(results)} result files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
