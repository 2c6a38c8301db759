"""`benchmarks/compare.py` times two commits in turn on one repository and checks that they
report the same bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    not (REPO / ".git").exists(), reason="compares commits: needs a git checkout"
)


def _worktrees() -> list[str]:
    listed = subprocess.run(["git", "-C", str(REPO), "worktree", "list", "--porcelain"],
                            capture_output=True, text=True, check=True).stdout
    return sorted(line for line in listed.splitlines() if line.startswith("worktree "))


def test_compare_scans_with_both_commits_in_turn_and_removes_its_worktree(
    tmp_path: Path,
) -> None:
    """Against HEAD the working tree of a checkout reports the same bytes; the rounds
    alternate which commit goes first, and no worktree is left behind."""
    service = tmp_path / "service"
    (service / "app").mkdir(parents=True)
    (service / "app" / "__init__.py").write_text("", encoding="utf-8")
    (service / "app" / "orders.py").write_text(
        "def recent(conn):\n    return conn.execute('SELECT id FROM orders')\n",
        encoding="utf-8",
    )
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    before = _worktrees()
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "compare.py"), str(service),
         "--base", "HEAD", "--runs", "2", "--jobs", "1"],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:4]] == [
        f"round 1 {head}", "round 1 working tree", "round 2 working tree", f"round 2 {head}",
    ]
    assert lines[4] == "service, cold, --jobs 1, 2 rounds"
    assert lines[5].strip().startswith(f"{head}: wall ")
    assert lines[6].strip().startswith("working tree: wall ")
    assert lines[7] == "  reports byte-identical in every round: True"
    assert _worktrees() == before
