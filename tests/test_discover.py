"""Discovery: the walk and the `.gitignore` matcher are fast paths that must equal the slow ones."""

from __future__ import annotations

import os
from pathlib import Path

import pathspec
import pytest

from analyzer.config import Config
from analyzer.discover import _Ignore, discover

GITIGNORE = """\
# comments and blank lines

*.pyc
build/
/dist
docs/_build/**
!keep/build/
generated_*.py
!generated_ok.py
**/fixtures/*.sql
secret?.py
[ab]_tmp.py
app/local\\ settings.py
!app/local\\ settings.py
\\#literal.py
"""

PATHS = [
    "a.pyc", "build/", "build/x.py", "src/build/y.py", "keep/build/", "keep/build/z.py",
    "dist/", "dist/a.py", "src/dist/a.py", "docs/_build/x/y.py", "docs/other.py",
    "generated_models.py", "generated_ok.py", "pkg/generated_x.py", "db/fixtures/seed.sql",
    "fixtures/seed.sql", "db/fixtures/deep/seed.sql", "secret1.py", "secret12.py", "a_tmp.py",
    "c_tmp.py", "app/local settings.py", "#literal.py", "plain.py", "app/models.py",
]


def test_the_combined_pattern_answers_exactly_like_pathspec() -> None:
    spec = pathspec.PathSpec.from_lines("gitwildmatch", GITIGNORE.splitlines())
    ignore = _Ignore(spec)
    assert ignore.any_pattern is not None  # the fast path is really taken
    expected = {path: bool(spec.match_file(path)) for path in PATHS}
    assert {path: ignore.match(path) for path in PATHS} == expected
    assert {path for path, ignored in expected.items() if ignored} == {
        "a.pyc", "build/", "build/x.py", "src/build/y.py", "dist/", "dist/a.py",
        "docs/_build/x/y.py", "generated_models.py", "pkg/generated_x.py",
        "db/fixtures/seed.sql", "fixtures/seed.sql", "secret1.py", "a_tmp.py", "#literal.py",
    }


def test_an_empty_gitignore_ignores_nothing() -> None:
    ignore = _Ignore(pathspec.PathSpec.from_lines("gitwildmatch", ["# only a comment", ""]))
    assert not ignore.match("a.py") and not ignore.match("build/")


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_the_walk_lists_what_os_walk_lists(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _write(root, {
        ".gitignore": "build/\n*.gen.py\n",
        "app/models.py": "", "app/b.py": "", "app/x.gen.py": "", "build/out.py": "",
        "sql/001_init.sql": "", "tests/test_a.py": "", "notes.txt": "",
        "pkg.egg-info/x.py": "", "node_modules/m.py": "", "z/deep/er/q.py": "",
    })
    (root / "linked").symlink_to(root / "app", target_is_directory=True)
    (root / "app" / "alias.py").symlink_to(root / "app" / "b.py")
    (tmp_path / "elsewhere.py").write_text("")
    (root / "app" / "outside.py").symlink_to(tmp_path / "elsewhere.py")
    found = discover(root, Config())
    assert [(f.path, f.kind, f.role) for f in found.files] == [
        ("app/b.py", "python", "app"),
        ("app/models.py", "python", "app"),
        ("sql/001_init.sql", "sql", "app"),
        ("z/deep/er/q.py", "python", "app"),
    ]
    assert found.excluded == ["app/x.gen.py"]
    assert found.skipped_tests == ["tests/test_a.py"]
    assert sorted(found.problems) == [
        ("app/alias.py", "symlink to a file of this repository: scanned at its real path"),
        ("app/outside.py", "symlink points outside the scanned root"),
        ("linked", "symlinked directory: not followed (its files are scanned where they "
                   "really are)"),
    ]


def test_test_paths_are_told_by_their_parts() -> None:
    from analyzer.discover import is_test_path

    assert [is_test_path(p) for p in (
        "tests/x.py", "a/test/b.sql", "a//tests/b.py", "./tests/a.py", "a/./test_b.py",
        "conftest.py", "pkg/b_test.py",
    )] == [True] * 7
    assert [is_test_path(p) for p in (
        "src/app/testing/x.py", "test.py", "tests", "a/contest.py", "a/tests_util.py",
    )] == [False] * 5
