"""Discovery: the walk and the `.gitignore` matcher are fast paths that must equal the slow ones."""

from __future__ import annotations

import os
from pathlib import Path

import pathspec
import pytest

from analyzer.config import Config
from analyzer.discover import _Ignore, discover
from tests.conftest import MakeRepo, importable

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
        "conftest.py", "pkg/b_test.py", "pkg/_tests/util/helpers.py", "shop/tests.py",
        "web/regression/feature_tests/view_data.py",
        "perf/tests/management/commands/test_alerts.py",
        "internal/dal/testdata/old_release.sql", "pkg/test_data/dump.sql",
        "app/tests_e2e/e2e_test_login.py", "tests_integration/db.py",
        # the tests' tools, beside them (pgAdmin's `web/regression/python_test_utils/`)
        "web/regression/python_test_utils/sql_template_test_base.py", "test_utils/db.py",
        "pkg/test-helpers/fixtures.py",
    )] == [True] * 18
    assert [is_test_path(p) for p in (
        "src/app/testing/x.py", "test.py", "tests", "a/contest.py", "a/tests_util.py",
        "app/testdata.py",
        "flexget/plugins/cli/perf_tests.py",
        # a Django command, whatever its name (`manage.py test_alerts` runs it)
        "perf/management/commands/test_alerts.py",
        # a feature named so (an A/B test), and the tools of something else
        "shop/ab_test/views.py", "app/latest_utils/x.py",
    )] == [False] * 10


NAMED_LIKE_TESTS = {
    "app/__init__.py": "",
    "app/db/__init__.py": "",
    "app/db/test_results.py": """\
from app.db.test_names import NAMES_TABLE


def add_result(cur, value):
    cur.execute("INSERT INTO test_results (value) VALUES (%s)", (value,))
    cur.execute(f"SELECT id FROM {NAMES_TABLE}")
""",
    "app/db/test_names.py": 'NAMES_TABLE = "test_names"\n',
    "app/db/connector.py": "from app.db import test_results\n\n\n"
    "def record(cur):\n    test_results.add_result(cur, 1)\n",
    "app/db/runs_test.py": """\
def test_runs(cur):
    cur.execute("SELECT * FROM runs")
""",
    "app/db/schema.sql": "CREATE TABLE test_results (id serial, value int);\n"
    "CREATE TABLE test_names (id serial);\nCREATE TABLE runs (id serial);\n",
    "tests/test_app.py": "from app.db import runs_test\n",
}


def test_a_file_named_like_a_test_that_application_code_imports_is_application_code(
    make_repo,
) -> None:
    """`app/db/test_results.py`, imported by `app/db/connector.py`, is application code, and
    so is what it imports in turn (`test_names.py`, by a constant); `runs_test.py`, which only
    a test imports, stays a skipped test. Python's own import system agrees on what the
    connector imports."""
    import importlib
    import sys

    from analyzer import scan

    root = make_repo(NAMED_LIKE_TESTS)
    found = discover(root, Config())
    assert found.skipped_tests == [
        "app/db/runs_test.py", "app/db/test_names.py", "app/db/test_results.py",
        "tests/test_app.py",
    ]
    report = scan(root)
    assert report.stats.skipped_test_files == 2
    assert {t.qualified_name: sorted((u.path, u.line, u.kind) for u in t.uses)
            for t in report.tables} == {
        "public.runs": [],
        "public.test_names": [("app/db/test_results.py", 6, "read")],
        "public.test_results": [("app/db/test_results.py", 5, "write")],
    }
    assert [(f.name, f.table) for f in report.findings] == [("dead-table", "public.runs")]
    assert scan(root, prefilter=False, jobs=2).to_json() == report.to_json()
    with importable(root):
        importlib.import_module("app.db.connector")
        assert {"app.db.test_results", "app.db.test_names"} <= set(sys.modules)
        assert "app.db.runs_test" not in sys.modules


def test_an_imported_test_named_file_is_found_below_the_import_root() -> None:
    """`from buildbot.db import test_results` in master/buildbot/db/connector.py names
    master/buildbot/db/test_results.py (the import root is `master/`); a tail two candidates
    share names neither, and a file that only mentions the name imports nothing."""
    from analyzer.discover import Discovery, adopt_imported_tests

    found = Discovery(
        named_tests=[
            "master/buildbot/db/test_results.py", "one/util/test_shared.py",
            "two/util/test_shared.py", "master/buildbot/db/test_names.py",
        ],
        skipped_tests=[
            "master/buildbot/db/test_names.py", "master/buildbot/db/test_results.py",
            "one/util/test_shared.py", "two/util/test_shared.py",
        ],
    )
    contents = {
        "master/buildbot/db/connector.py": b"from buildbot.db import test_results\n"
        b"from util import test_shared\n",
        "master/buildbot/db/notes.py": b'"""See test_names for the names."""\n',
    }
    read = {"master/buildbot/db/test_results.py": b"X = 1\n"}.get
    adopt_imported_tests(found, contents, read)
    assert [(f.path, f.role) for f in found.files] == [
        ("master/buildbot/db/test_results.py", "app"),
    ]
    assert found.skipped_tests == [
        "master/buildbot/db/test_names.py", "one/util/test_shared.py", "two/util/test_shared.py",
    ]
    assert contents["master/buildbot/db/test_results.py"] == b"X = 1\n"


def test_a_directory_of_installed_packages_is_not_scanned(tmp_path: Path) -> None:
    """`pip install --target libs sqlalchemy`: `libs/` holds `*.dist-info` folders, a
    site-packages of the repository's own. Its files are third-party code: not scanned, one
    `skipped-file` diagnostic names the directory. The repository root and a directory
    without that metadata are scanned as usual."""
    files = {
        "app/db.py": 'def f(cur):\n    cur.execute("SELECT id FROM accounts")\n',
        "libs/SQLAlchemy-2.0.37.dist-info/METADATA": "Name: SQLAlchemy\n",
        "libs/sqlalchemy/provision.py": 'def f(cur):\n    cur.execute("SELECT 1 FROM dual")\n',
        "libs/sqlalchemy/sql/schema.sql": "CREATE TABLE vendored (id int);\n",
        "custom_libs/patched.py": 'def f(cur):\n    cur.execute("SELECT id FROM patched")\n',
        "tool-1.0.dist-info/METADATA": "Name: tool\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    discovery = discover(tmp_path, Config())
    assert [entry.path for entry in discovery.files] == ["app/db.py", "custom_libs/patched.py"]
    assert discovery.problems == [
        (
            "libs",
            "a directory of installed packages (it holds a *.dist-info folder, as `pip install "
            "--target` makes): third-party code, like a site-packages, so its files were not "
            "scanned",
        )
    ]


def test_examples_and_docs_are_left_out_unless_included(make_repo: MakeRepo) -> None:
    """A framework's example application (`examples/shop/app.py`) and a tutorial's SQL
    (`docs/tutorial/schema.sql`) are no part of the application: left out and counted
    (`skipped_example_files`), their tables neither the application's nor dead (mathesar's
    38 dead tables were sample data in `examples/resources/`). `include_examples` (or
    `--include-examples`) counts them."""
    from analyzer import scan

    root = make_repo({
        "app/__init__.py": "",
        "app/db.py": 'def users(cur):\n    return cur.execute("SELECT id FROM users")\n',
        "schema.sql": "CREATE TABLE users (id int);\n",
        "examples/shop/app.py": 'def f(cur):\n    cur.execute("SELECT * FROM orders")\n',
        "docs/tutorial/schema.sql": "CREATE TABLE tutorial_notes (id int);\n",
        "app/docstring.py": "def g():\n    return 1\n",
        # one demo plugin among real ones (`ext/example_audit/`), and folders whose names
        # only contain the word (`counterexamples/`, `app/examples_of_use.py`) are not
        "ext/example_audit/plugin.py": 'def f(cur):\n    cur.execute("SELECT * FROM audit_demo")\n',
        "ext/counterexamples/db.py": 'def f(cur):\n    cur.execute("SELECT * FROM users")\n',
        # the demo plugin's own Alembic environment: an example too, no source of the schema
        "ext/example_audit/migration/alembic.ini": "[alembic]\nscript_location = %(here)s\n",
        "ext/example_audit/migration/env.py": "from alembic import context\n",
        "ext/example_audit/migration/versions/0001_x.py": (
            '"""x"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "0001"\n'
            'down_revision = None\n\n\ndef upgrade():\n'
            '    op.create_table("audit_demo", sa.Column("id", sa.Integer))\n'
        ),
    })
    report = scan(root)
    assert [t.name for t in report.tables] == ["users"]
    assert sorted(u.path for u in report.tables[0].uses) == [
        "app/db.py", "ext/counterexamples/db.py"
    ]
    assert report.stats.skipped_example_files == 5  # (.py and .sql files are counted)
    assert report.findings == []
    assert [source.kind for source in report.sources] == ["sql"]
    included = scan(root, {"include_examples": True})
    assert sorted(t.name for t in included.tables) == [
        "audit_demo", "orders", "tutorial_notes", "users"
    ]
    assert included.stats.skipped_example_files == 0


def test_a_fixtures_module_only_tests_import_is_test_code(make_repo: MakeRepo) -> None:
    """`app/fixtures.py` building the tests' sample database (datasette's: 36 findings on
    its sample tables, "drop it in a migration") is test code, left out with the tests;
    imported by application code (`from app.fixtures import seed` in a command), it is the
    application's again, as any file named like a test (`adopt_imported_tests`)."""
    from analyzer import scan

    fixtures = (
        "def build(conn):\n"
        "    conn.execute('CREATE TABLE sample_rows (id int)')\n"
        "    conn.execute('INSERT INTO sample_rows VALUES (1)')\n"
    )
    root = make_repo({
        "app/__init__.py": "",
        "app/fixtures.py": fixtures,
        "app/db.py": "def users(cur):\n    return cur.execute('SELECT id FROM users')\n",
        "schema.sql": "CREATE TABLE users (id int);\n",
        "tests/test_app.py": "from app.fixtures import build\n",
    })
    report = scan(root)
    assert [t.name for t in report.tables] == ["users"]
    assert report.findings == []
    assert report.stats.skipped_test_files == 2
    (root / "app/command.py").write_text("from app.fixtures import build\n")
    adopted = scan(root)
    assert sorted(t.name for t in adopted.tables) == ["sample_rows", "users"]
    assert adopted.stats.skipped_test_files == 1
