"""`.pre-commit-hooks.yaml`, tried for real with `pre-commit try-repo` on a small git repository.

pre-commit installs tabletrace from this repository into its own environment (from PyPI, as a
user's machine would), so this test is slow (about 40 s) and needs pre-commit (test extra).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _pre_commit() -> str:
    beside_python = Path(sys.executable).parent / "pre-commit"
    found = str(beside_python) if beside_python.exists() else shutil.which("pre-commit")
    if not found:
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    return found


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=test@example.com", "-c", "user.name=test", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    )


def test_hook_definition() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML comes with pre-commit (test extra)")
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "tabletrace"
    assert hook["entry"] == "tabletrace scan . --format concise"
    assert hook["pass_filenames"] is False and hook["language"] == "python"


def test_pre_commit_try_repo(tmp_path: Path) -> None:
    pre_commit = _pre_commit()
    if not (REPO / ".git").exists() or not shutil.which("git"):
        pytest.skip("tabletrace is not in a git checkout here: try-repo needs one")
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    (project / "sql").mkdir()
    (project / "app" / "repo.py").write_text(
        'def f(cur):\n    cur.execute("SELECT * FROM ghosts")\n', encoding="utf-8"
    )
    (project / "sql" / "schema.sql").write_text("CREATE TABLE users (id int);\n")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "start")
    environment = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "TABLETRACE_CACHE_DIR": str(tmp_path / "cache"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(REPO), "tabletrace", "--all-files"],
            cwd=project, env=environment, capture_output=True, text=True, timeout=900,
            check=False,
        )

    failing = try_repo()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "tabletrace" in failing.stdout and "Failed" in failing.stdout
    assert "app/repo.py:2:1: TT001 [error] public.ghosts is used by 1 module" in failing.stdout
    assert "sql/schema.sql:1:1: TT002 [warning] public.users" in failing.stdout

    (project / "sql" / "schema.sql").write_text(
        "CREATE TABLE users (id int);\nCREATE TABLE ghosts (id int);\n"
    )
    _git(project, "commit", "-qam", "create ghosts")
    passing = try_repo()  # warnings only: below the default --fail-on error
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
