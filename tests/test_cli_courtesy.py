"""Small courtesies of the command line: pipes, empty scans, overwriting its own outputs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.outputs import written_by_tabletrace

runner = CliRunner()
FILES = {
    "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM ghosts")\n',
    "sql/schema.sql": "CREATE TABLE users (id int);\n",
}


def _tabletrace() -> list[str]:
    return [sys.executable, "-c", "from analyzer.cli import main; main()"]


def test_a_closed_pipe_ends_the_output_quietly(make_repo, tmp_path: Path) -> None:
    """`tabletrace scan . | head -1`: no traceback, and the exit code still says errors."""
    # 600 findings: far more output than a pipe buffer holds (64 KB on Linux)
    many = "".join(f"CREATE TABLE unused_{i} (id int);\n" for i in range(600))
    root = make_repo({**FILES, "sql/many.sql": many})
    cases = [(["--format", "concise"], 1), (["--show-all"], 1), (["--ignore", "TT001"], 0)]
    for arguments, code in cases:
        process = subprocess.Popen(
            [*_tabletrace(), "scan", str(root), "--show-all", *arguments],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "TABLETRACE_CACHE_DIR": str(tmp_path / "cache")},
        )
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # the reader goes away, as `head -1` does
        error = process.stderr.read().decode()
        process.stderr.close()
        assert process.wait(timeout=120) == code, error  # 1: TT001 ghosts is an error
        assert first
        assert "Traceback" not in error and "BrokenPipe" not in error, error
        assert "Exception ignored" not in error, error


def test_an_empty_scan_says_so_on_stderr(make_repo) -> None:
    root = make_repo({"README.md": "nothing to see\n", "scripts/skip.py": "X = 1\n"})
    (root / "pyproject.toml").write_text('[tool.tabletrace]\nexclude = ["scripts/**"]\n')
    result = runner.invoke(app, ["scan", str(root), "--no-cache", "-f", "concise"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"tabletrace: no Python or SQL file found in {root} (1 excluded)\n"
    quiet = runner.invoke(app, ["scan", str(root), "--no-cache", "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


OUTPUTS = [
    ["scan"],
    ["scan", "--format", "json"],
    ["scan", "--format", "sarif"],
    ["scan", "--format", "junit"],
    ["scan", "--format", "concise"],
    ["scan", "--format", "github"],
    ["scan", "--format", "dot"],
    ["scan", "--statistics"],
    ["graph"],
    ["graph", "--format", "mermaid"],
    ["catalog"],
    ["catalog", "--format", "html"],
]


@pytest.mark.parametrize("command", OUTPUTS, ids=[" ".join(c) for c in OUTPUTS])
def test_output_may_overwrite_what_tabletrace_wrote(make_repo, command: list[str]) -> None:
    root = make_repo(FILES)
    target = root / "reports" / "out.txt"
    target.parent.mkdir()
    arguments = [command[0], str(root), *command[1:], "--no-cache", "-o", str(target)]
    first = runner.invoke(app, arguments)
    assert first.exit_code in (0, 1), first.output
    assert written_by_tabletrace(target), target.read_text()[:300]
    target.write_text(target.read_text() + "\n")  # edited a little: still ours
    again = runner.invoke(app, arguments)
    assert again.exit_code == first.exit_code, again.output
    assert "--force" not in again.stderr


def test_svg_and_baseline_files_are_recognised(make_repo, tmp_path: Path) -> None:
    root = make_repo(FILES)
    baseline = root / "tabletrace-baseline.json"
    for _ in range(2):
        result = runner.invoke(app, ["scan", str(root), "--write-baseline", str(baseline)])
        assert result.exit_code == 0, result.output
    if shutil.which("dot"):
        svg = root / "graph.svg"
        for _ in range(2):
            result = runner.invoke(app, ["graph", str(root), "-f", "svg", "-o", str(svg)])
            assert result.exit_code == 0, result.output


def test_output_still_refuses_files_tabletrace_did_not_write(make_repo) -> None:
    root = make_repo({**FILES, "app/__init__.py": "", "NOTES.md": "# tabletrace notes\n"})
    for victim in ("app/__init__.py", "NOTES.md", "app/repo.py", "sql/schema.sql"):
        before = (root / victim).read_text()
        result = runner.invoke(app, ["scan", str(root), "-f", "concise", "-o", str(root / victim)])
        assert result.exit_code == 2, result.output
        assert "did not write" in result.stderr and "--force" in result.stderr
        assert (root / victim).read_text() == before
        baseline = runner.invoke(
            app, ["scan", str(root), "--write-baseline", str(root / victim)]
        )
        assert baseline.exit_code == 2 and (root / victim).read_text() == before
    forced = runner.invoke(
        app, ["scan", str(root), "-f", "concise", "-o", str(root / "NOTES.md"), "--force"]
    )
    assert forced.exit_code == 1 and "TT001" in (root / "NOTES.md").read_text()


def test_written_by_tabletrace_needs_every_line_in_shape(tmp_path: Path) -> None:
    concise = tmp_path / "findings.txt"
    concise.write_text("app/x.py:3:1: TT002 [warning] message\n")
    assert written_by_tabletrace(concise)
    concise.write_text("app/x.py:3:1: TT002 [warning] message\nmy own notes\n")
    assert not written_by_tabletrace(concise)
    github = tmp_path / "annotations.txt"
    github.write_text("::warning file=a.py,line=1,title=TT002 dead-table::x\n")
    assert written_by_tabletrace(github)
    (tmp_path / "empty.py").write_text("")
    assert not written_by_tabletrace(tmp_path / "empty.py")
    assert not written_by_tabletrace(tmp_path / "missing.txt")
