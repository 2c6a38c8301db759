"""`analyzer.remap`: the last report with a file's lines moved, or a refusal.

Every moved report here is compared with a scan without the cache; the unit tests give
`moved_report` reports written for one rule each, in the JSON pydantic writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import to_json

from analyzer.cache import FactCache
from analyzer.remap import moved_report
from analyzer.scan import scan
from tests.conftest import MakeRepo, uses_of
from tests.test_cutoff import PipelineRuns, runs  # noqa: F401 (the fixture)

STORE = (
    "import sqlite3\n"
    "\n"
    "\n"
    "def setup(conn):\n"
    '    conn.execute("CREATE TABLE IF NOT EXISTS events (id integer, kind text)")\n'
    "\n"
    "\n"
    "def recent(conn):\n"
    "    return conn.execute(\n"
    '        """\n'
    "        SELECT e.id\n"
    "        FROM events AS e\n"
    "        JOIN kinds AS k ON k.name = e.kind\n"
    '        """\n'
    "    ).fetchall()\n"
)


def test_lines_below_an_insertion_move_and_lines_above_stay(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns  # noqa: F811
) -> None:
    root = make_repo({"app/__init__.py": "", "app/store.py": STORE})
    first = scan(root, cache=FactCache(tmp_path / "c"))
    assert uses_of(first, "events") == {("app/store.py", 5, "ddl"), ("app/store.py", 12, "read")}
    assert uses_of(first, "kinds") == {("app/store.py", 13, "read")}
    runtime = [f.message for f in first.findings if f.name == "runtime-created-table"]
    assert runtime[0].startswith("public.events is created only at run time by app/store.py:5")

    inserted = STORE.replace("def recent", "# Reading.\n\ndef recent")
    (root / "app/store.py").write_text(inserted, encoding="utf-8")
    moved = scan(root, cache=FactCache(tmp_path / "c"))
    assert runs.count == 1  # the first scan only: the rescan moved the last report
    assert moved.to_json() == scan(root).to_json()
    # the table named on the third line of the literal moved with it; the CREATE above stayed
    assert uses_of(moved, "events") == {("app/store.py", 5, "ddl"), ("app/store.py", 14, "read")}
    assert uses_of(moved, "kinds") == {("app/store.py", 15, "read")}
    undefined = [(f.path, f.line) for f in moved.findings if f.table == "public.kinds"]
    assert undefined == [("app/store.py", 15)]


def test_a_message_naming_a_moved_line_moves_with_it(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns  # noqa: F811
) -> None:
    root = make_repo({"app/__init__.py": "", "app/store.py": STORE})
    scan(root, cache=FactCache(tmp_path / "c"))
    (root / "app/store.py").write_text('"""Events."""\n' + STORE, encoding="utf-8")
    moved = scan(root, cache=FactCache(tmp_path / "c"))
    assert runs.count == 1
    assert moved.to_json() == scan(root).to_json()
    runtime = [f.message for f in moved.findings if f.name == "runtime-created-table"]
    assert runtime[0].startswith("public.events is created only at run time by app/store.py:6")


def _report(**lists: Any) -> bytes:
    """A report's JSON as `Report.to_json` writes it (only the lists a test needs)."""
    return to_json({"tool_version": "0", **lists}, indent=2) + b"\n"


def _finding(path: str, line: int, message: str) -> dict[str, Any]:
    return {"code": "TT001", "name": "dead-table", "severity": "warning", "table": "public.t",
            "path": path, "line": line, "message": message,
            "locations": [{"path": path, "line": line, "snippet": f"see {path}:{line}"}]}


def _before(findings: list[dict[str, Any]]) -> bytes:
    return to_json({"findings": findings, "stats": {"files_scanned": 1}})


def test_moves_cited_lines_and_messages_but_never_quoted_text() -> None:
    findings = [
        _finding("app/a.py", 3, "first at app/a.py:3, then lib/app/a.py:3 and app/b.py:3"),
        _finding("app/b.py", 3, "created by app/a.py:7"),
    ]
    moved = moved_report(_report(findings=findings), _before(findings), {"app/a.py": {3: 5, 7: 9}})
    assert moved is not None
    report, before = json.loads(moved[0]), json.loads(moved[1])
    assert before["findings"] == report["findings"]
    assert [(f["path"], f["line"], f["message"]) for f in report["findings"]] == [
        # a longer path ending in the moved one, and another file's line, stay as they were
        ("app/a.py", 5, "first at app/a.py:5, then lib/app/a.py:3 and app/b.py:3"),
        ("app/b.py", 3, "created by app/a.py:9"),
    ]
    # a snippet quotes the code as it is written
    assert report["findings"][0]["locations"] == [
        {"path": "app/a.py", "line": 5, "snippet": "see app/a.py:3"}
    ]
    # and the settings are the user's words
    settings = {"exclude": ["app/a.py:3"]}
    kept = moved_report(_report(findings=[], config=settings), _before([]), {"app/a.py": {3: 5}})
    assert kept is not None and json.loads(kept[0])["config"] == settings
    # the bytes are pydantic's, as a report with those values would write them
    assert moved[0] == _report(findings=report["findings"])


def test_refuses_what_it_cannot_move_exactly() -> None:
    shifts = {"app/a.py": {8: 9, 9: 10}}

    def refused(report: bytes, findings: list[dict[str, Any]] | None = None) -> bool:
        return moved_report(report, _before(findings or []), shifts) is None

    # a line the map does not hold (the pipeline derived it some other way)
    assert refused(_report(findings=[_finding("app/a.py", 20, "x")]))
    assert refused(_report(findings=[_finding("app/b.py", 1, "see app/a.py:20")]))
    # `line N` about a moved file: only `path:line` is moved
    assert refused(_report(findings=[_finding("app/a.py", 8, "fails at line 8")]))
    # a create_all source's id holds its line, and sources sort by the id's text: "10" first
    assert refused(_report(sources=[{"id": "create_all:app/a.py:10", "path": "app/a.py"},
                                    {"id": "create_all:app/a.py:9", "path": "app/a.py"}]))
    assert not refused(_report(sources=[{"id": "create_all:app/a.py:9", "path": "app/a.py"}]))
    # and so are a table's states
    states = [{"source": "create_all:app/a.py:10"}, {"source": "create_all:app/a.py:9"}]
    assert refused(_report(tables=[{"name": "t", "states": states}]))
    # two findings whose order is decided by their messages: "app/a.py:10" sorts before
    # "app/a.py:9", so the fingerprints' order (#2) would change
    assert refused(_report(findings=[
        _finding("app/b.py", 1, "see app/a.py:8"), _finding("app/b.py", 1, "see app/a.py:9")
    ]))
    # JSON that pydantic would not have written so: the serialisers may disagree
    assert refused(json.dumps({"tool_version": "0", "findings": []}, indent=4).encode())
    # nothing of the kind: moved; nor is where sqlglot stopped in a statement's own text
    assert not refused(_report(findings=[_finding("app/a.py", 8, "x")]))
    unparsed = "sqlglot could not parse this statement: parse error: Expecting ) (line 2, col 7)"
    assert not refused(_report(diagnostics=[
        {"code": "sql-unparsed", "path": "app/a.py", "line": 9, "message": unparsed}
    ]))


def test_a_file_cited_only_in_path_fields_is_moved_record_by_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When no text but the `path` fields names the moved file, only its records are read as
    `json.loads` builds them (`remap._FieldMover`): the same bytes as the walk of every value,
    the same refusals."""
    import analyzer.remap

    quiet = [
        _finding("app/a.py", 8, "public.t is never used"),
        _finding("app/b.py", 3, "declared in app/b.py:3"),
    ]
    quiet[0]["locations"] = [{"path": "app/a.py", "line": 9, "snippet": "x = 1"}]
    named = [*quiet, _finding("app/b.py", 4, "see app/a.py:9")]  # a text names it: the walk
    noisy = [_finding("app/a.py", 8, "fails at line 8")]  # `line N` about it: refused
    noisy[0]["locations"] = [{"path": "app/a.py", "line": 8, "snippet": "x = 1"}]
    shifts = {"app/a.py": {8: 10, 9: 11}}
    assert analyzer.remap._cited_only_as_paths(_report(findings=quiet), shifts, 2)
    assert analyzer.remap._cited_only_as_paths(_before(quiet), shifts, None)
    assert analyzer.remap._cited_only_as_paths(_report(findings=noisy), shifts, 2)
    assert not analyzer.remap._cited_only_as_paths(_report(findings=named), shifts, 2)
    fast = [moved_report(_report(findings=f), _before(f), shifts) for f in (quiet, named, noisy)]
    monkeypatch.setattr(analyzer.remap, "_cited_only_as_paths", lambda *_: False)
    slow = [moved_report(_report(findings=f), _before(f), shifts) for f in (quiet, named, noisy)]
    assert fast == slow
    assert fast[2] is None and fast[0] is not None
    assert [(f["path"], f["line"]) for f in json.loads(fast[0][0])["findings"]] == [
        ("app/a.py", 10), ("app/b.py", 3)
    ]
    assert json.loads(fast[0][0])["findings"][0]["locations"][0]["line"] == 11
