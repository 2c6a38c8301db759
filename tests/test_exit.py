"""The `tabletrace` command ends its process without the interpreter's teardown
(`cli.exit_without_teardown`) only when nothing needs that teardown; its status, its output and
its cache are those of a normal exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from analyzer.cli import app

FILES = {
    "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM ghosts")\n',
    "sql/schema.sql": "CREATE TABLE users (id int);\n",
}


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`code` in a new interpreter, with an exit hook that says when the teardown ran."""
    hooked = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('teardown ran\\n'))\n" + code
    )
    return subprocess.run(
        [sys.executable, "-c", hooked], capture_output=True, text=True, check=False,
        env={**os.environ, "TABLETRACE_CACHE_DIR": str(tmp_path / "cache")},
    )


def test_a_scan_ends_without_the_teardown_and_says_what_app_says(make_repo, tmp_path: Path
                                                                  ) -> None:
    """The exit code (1: an error finding), the report written, the summary line on stderr
    and the cache, which answers the next scan, are what `app()` gives in this process."""
    root = make_repo(FILES)
    out = tmp_path / "report.json"
    done = _python(
        "from analyzer.cli import main\n"
        f"sys.argv = ['tabletrace', 'scan', {str(root)!r}, '--format', 'json', "
        f"'--output', {str(out)!r}]\nmain()\n",
        tmp_path,
    )
    assert done.returncode == 1
    assert "teardown ran" not in done.stderr
    assert done.stderr == (
        "tabletrace: 1 finding(s) at or above error (exit code 1; --fail-on sets the level)\n"
    )
    here = CliRunner().invoke(app, ["scan", str(root), "--format", "json", "--no-cache"])
    assert here.exit_code == 1
    assert json.loads(out.read_text()) == json.loads(here.stdout)
    assert [t["name"] for t in json.loads(out.read_text())["tables"]] == ["ghosts", "users"]
    assert list((tmp_path / "cache").rglob("*.report"))  # the stored report, kept whole
    again = _python(
        "from analyzer.cli import main\n"
        f"sys.argv = ['tabletrace', 'scan', {str(root)!r}, '--format', 'concise']\nmain()\n",
        tmp_path,
    )
    assert again.returncode == 1 and "teardown ran" not in again.stderr
    assert "app/repo.py:2:" in again.stdout  # buffered output, flushed before the exit


def test_the_teardown_runs_when_something_may_need_it(tmp_path: Path) -> None:
    """A thread or a child process still alive, a finalizer waiting for the exit, a module
    holding database connections, a status that is not a number: it returns, and the process
    ends through the teardown. Otherwise it ends at once with the status, its output
    flushed."""
    cases = {
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(0.2,)).start()\n": "1",
        "import multiprocessing, time\n"
        "multiprocessing.Process(target=time.sleep, args=(0.2,)).start()\n": "1",
        "import tempfile\nkept = tempfile.TemporaryDirectory()\n": "1",
        "import sqlite3\n": "1",
        "": "'a message'",
    }
    for setup, status in cases.items():
        done = _python(
            # the import first: on a busy machine it may outlast the thread's 0.2 s
            "from analyzer.cli import exit_without_teardown\n" + setup
            + f"exit_without_teardown({status})\nprint('returned')\n",
            tmp_path,
        )
        assert (done.returncode, done.stdout, done.stderr) == (0, "returned\n", "teardown ran\n")
    done = _python(
        "from analyzer.cli import exit_without_teardown\n"
        "print('written before')\nexit_without_teardown(3)\nprint('returned')\n",
        tmp_path,
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "written before\n", "")
    done = _python("from analyzer.cli import exit_without_teardown\nexit_without_teardown(None)\n",
                   tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
