"""README's speed table is generated from `benchmarks/results/*.json` and must be current; the
benchmark runner's own helpers (jobs lists, cited files) say exactly what they should."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def load(relative: str) -> ModuleType:
    path = REPO / relative
    spec = importlib.util.spec_from_file_location(path.stem + "_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


speed_table = load("scripts/speed_table.py")
run = load("benchmarks/run.py")


def test_readme_table_is_current() -> None:
    results = speed_table.load_results()
    assert results, "benchmarks/results/ holds no result: the README table would be empty"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = f"{speed_table.START}\n{speed_table.table(results)}\n{speed_table.END}"
    assert block in readme, "README's speed table is stale: run `python scripts/speed_table.py`"


def result(name: str, files: int) -> dict[str, Any]:
    def measured(median: float, cpu: float, tree: float, largest: float) -> dict[str, Any]:
        return {"min": median, "median": median + 1, "cpu_median": cpu, "peak_rss_tree_mb": tree,
                "peak_rss_largest_process_mb": largest}

    return {
        "machine": {"cores": 2, "cpu": "Test CPU", "memory_mb": 2048, "python": "3.11.7"},
        "repository": {"name": name, "path": f"/x/{name}", "python_files": files},
        "settings": {"runs": 3, "jobs": [1, 2]},
        "selection": {"parsed_files": 40, "cited_files": 12},
        "results": {
            "baseline": measured(0.5, 0.4, 10, 10),
            "cold@1": measured(5.0, 4.0, 100, 100),
            "warm@1": measured(0.25, 0.2, 50, 50),
            "changed@1": measured(0.4, 0.32, 60, 60),
            "shifted@1": measured(1.0, 0.8, 70, 65),
            "query@1": measured(1.5, 1.2, 72, 66),
            "cold@2": measured(3.0, 4.4, 180, 90),
            "warm@2": measured(0.26, 0.2, 50, 50),
            "changed@2": measured(12.0, 0.32, 61, 61),
        },
    }


def test_rows_state_each_jobs_value() -> None:
    assert speed_table.rows(result("svc", 1234)) == [
        "| svc | 1,234 | 40 / 12 | 1 | 0.50 s | 5.00 s (10.0x; CPU 10.0x) "
        "| 0.25 s (0.5x; CPU 0.5x) | 0.40 s (0.8x; CPU 0.8x) / 1.00 s (2.0x; CPU 2.0x) "
        "| 1.50 s (3.0x; CPU 3.0x) | 100 / 100 |",
        "| svc | 1,234 | 40 / 12 | 2 | 0.50 s | 3.00 s (6.0x; CPU 11.0x) "
        "| 0.26 s (0.5x; CPU 0.5x) | 12.0 s (24.0x; CPU 0.8x) / - | - | 180 / 90 |",
    ]


def test_table_orders_largest_first_and_names_the_machine(tmp_path: Path) -> None:
    import json

    for name, files in (("small", 10), ("large", 900)):
        (tmp_path / f"{name}.json").write_text(json.dumps(result(name, files)))
    results = speed_table.load_results(tmp_path)
    text = speed_table.table(results)
    lines = text.splitlines()
    assert lines[0] == (
        "Measured on 2 cores (Test CPU), 2 GB RAM, CPython 3.11.7; 3 whole-process runs per "
        "cell: the fastest wall-clock time and its ratio to the fastest baseline, then the "
        "ratio of median CPU times (user + system, all processes)."
    )
    assert lines[2] == speed_table.HEADER
    assert [line.split(" | ")[0] for line in lines[4:]] == ["| large"] * 2 + ["| small"] * 2


def test_updated_readme_replaces_only_the_block() -> None:
    readme = f"intro\n{speed_table.START}\nold\n{speed_table.END}\noutro\n"
    assert speed_table.updated_readme(readme, "new") == (
        f"intro\n{speed_table.START}\nnew\n{speed_table.END}\noutro\n"
    )
    with pytest.raises(SystemExit):
        speed_table.updated_readme("no markers", "new")


def test_cited_files_are_python_paths_outside_diagnostics() -> None:
    report = {
        "tables": [{"uses": [{"path": "app/a.py"}, {"path": "app/b.py"}],
                    "definitions": [{"path": "schema.sql"}, {"path": "app/a.py"}]}],
        "findings": [{"path": "app/c.py", "locations": [{"path": "app/d.py"}]}],
        "revisions": [{"path": "migrations/versions/x.py"}],
        "diagnostics": [{"path": "app/broken.py"}],
    }
    assert run.cited_files(report) == {
        "app/a.py", "app/b.py", "app/c.py", "app/d.py", "migrations/versions/x.py",
    }


def test_the_query_edit_renames_the_first_table_a_from_names() -> None:
    assert run.query_edited(b'q = "SELECT id FROM users WHERE x"\nFROM orders') == (
        b'q = "SELECT id FROM users_edited WHERE x"\nFROM orders'
    )
    assert run.query_edited(b"from app import x\nselect = 1\n") is None


def test_jobs_list() -> None:
    assert run.jobs_list("1,2") == [1, 2]
    assert run.jobs_list("2, 2,1") == [2, 1]
    for bad in ("", "0", "two"):
        with pytest.raises(argparse.ArgumentTypeError):
            run.jobs_list(bad)
