"""Hostile input: every file tabletrace cannot read is a diagnostic, the rest is unchanged.

Each test builds a small, healthy repository (Python with SQL, a `.sql` schema, a model, an
Alembic revision), scans it, adds bad files and scans again: the expected diagnostic (stable
code, path, line) must be there and the report minus diagnostics and stats must be what the
healthy repository gives. Everything is generated in tmp dirs.
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import analyzer.engine
from analyzer import Report, scan
from analyzer.cache import FactCache
from analyzer.cli import app

CORE = ("tables", "findings", "sources", "revisions")
V = "migrations/versions"

GOOD: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/names.py": 'ORDERS = "orders"\n',
    "app/db.py": (
        "from app.names import ORDERS\n\n\n"
        "def recent(cur):\n"
        '    cur.execute(f"SELECT id FROM {ORDERS} WHERE id > 1")\n'
        "    return cur.fetchall()\n"
    ),
    "app/users.py": (
        "def add(cur, name):\n"
        '    cur.execute("INSERT INTO users (name) VALUES (%s)", (name,))\n\n\n'
        "def count(cur):\n"
        '    cur.execute("SELECT count(*) FROM audit_log")\n'
    ),
    "app/models.py": (
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Ticket(Base):\n"
        "    __tablename__ = 'tickets'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    ),
    "app/service.py": (
        "from app.models import Ticket\n\n\ndef open_ticket(session):\n"
        "    session.add(Ticket())\n"
    ),
    "sql/00_init.sql": (
        "CREATE TABLE users (id serial PRIMARY KEY, name text);\n"
        "CREATE TABLE orders (id int);\n"
        "CREATE TABLE legacy (id int);\n"
    ),
    "alembic.ini": "[alembic]\nscript_location = migrations\n",
    "migrations/env.py": "from alembic import context\n",
    f"{V}/a1_base.py": (
        '"""base"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        'revision = "a1"\ndown_revision = None\n\n\n'
        "def upgrade():\n"
        '    op.create_table("tickets", sa.Column("id", sa.Integer()))\n\n\n'
        "def downgrade():\n    pass\n"
    ),
}


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def core(report: Report) -> dict[str, Any]:
    data = json.loads(report.to_json())
    return {key: data[key] for key in CORE}


def without(data: dict[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """`data` with every trace of the files at `paths` removed: their uses, definitions,
    findings, source files and revisions, and the tables only they mention."""
    paths = set(paths)
    tables, gone = [], set()
    for table in data["tables"]:
        uses = [u for u in table["uses"] if u["path"] not in paths]
        definitions = [d for d in table["definitions"] if d["path"] not in paths]
        if not uses and not definitions:
            gone.add(table["qualified_name"])
            continue
        tables.append(
            {
                **table,
                "uses": uses,
                "definitions": definitions,
                "used_by_modules": sorted({u["module"] for u in uses}),
            }
        )
    sources = []
    for source in data["sources"]:
        files = [f for f in source["files"] if f not in paths]
        if files:
            kept = [t for t in source["tables"] if t not in gone]
            sources.append({**source, "files": files, "tables": kept})
    return {
        "tables": tables,
        "findings": [
            f for f in data["findings"] if f["path"] not in paths and f["table"] not in gone
        ],
        "sources": sources,
        "revisions": [r for r in data["revisions"] if r["path"] not in paths],
    }


def diagnosed(report: Report) -> set[tuple[str, str, int | None]]:
    return {(d.code, d.path, d.line) for d in report.diagnostics}


def assert_only_about(report: Report, paths: Iterable[str]) -> None:
    """Every diagnostic names one of `paths` and says something."""
    paths = set(paths)
    for diagnostic in report.diagnostics:
        assert diagnostic.path in paths, diagnostic
        assert diagnostic.message.strip(), diagnostic


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, dict[str, Any]]:
    report = scan(write(tmp_path_factory.mktemp("healthy") / "repo", GOOD))
    assert report.diagnostics == []
    names = {t.qualified_name for t in report.tables}
    assert names == {
        "public.audit_log", "public.legacy", "public.orders", "public.tickets", "public.users"
    }
    return report, core(report)


def hostile_repo(tmp_path: Path, bad: dict[str, str | bytes]) -> Path:
    return write(write(tmp_path / "repo", GOOD), bad)


# ---- Python files ---------------------------------------------------------------------------

_RANDOM = random.Random(20240611)
BINARY = bytes(_RANDOM.randrange(256) for _ in range(8192))
BINARY_NO_NUL = bytes(_RANDOM.randrange(1, 256) for _ in range(8192))


def _first_bad_utf8_line(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    raise AssertionError("valid UTF-8")


PYTHON_CASES = {
    "syntax-error": (
        {"app/bad_syntax.py": 'def f(:\n    return "SELECT * FROM only_in_bad"\n'},
        ("python-syntax-error", "app/bad_syntax.py", 1),
    ),
    "python2": (
        {
            "app/py2.py": (
                "import os\n\n\ndef f(cur):\n"
                '    print "SELECT * FROM py2_only"\n'
                '    cur.execute("SELECT * FROM py2_only")\n'
            )
        },
        ("python-syntax-error", "app/py2.py", 5),
    ),
    "non-utf8-without-cookie": (
        {"app/enc.py": b"X = 1\nQ = 'SELECT caf\xe9 FROM enc_only'\n"},
        ("python-decode-error", "app/enc.py", 2),
    ),
    "nul-bytes": (
        {"app/nul.py": b'Q = "SELECT * FROM nul_only"\nx = 1\x00\n'},
        ("python-syntax-error", "app/nul.py", 2),
    ),
    "binary-named-py": (
        {"app/blob.py": BINARY},
        ("python-syntax-error", "app/blob.py", BINARY[: BINARY.index(0)].count(b"\n") + 1),
    ),
    "binary-without-nul": (
        {"app/blob2.py": BINARY_NO_NUL},
        ("python-decode-error", "app/blob2.py", _first_bad_utf8_line(BINARY_NO_NUL)),
    ),
    "too-deep": (
        {"app/deep.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"},
        ("python-too-deep", "app/deep.py", None),
    ),
    "too-deep-mixed-brackets": (
        {"app/deep2.py": "x = " + "([{" * 2000 + "1" + "}])" * 2000 + "\n"},
        ("python-too-deep", "app/deep2.py", None),
    ),
}


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "no-prefilter"])
@pytest.mark.parametrize("case", sorted(PYTHON_CASES))
def test_unreadable_python_is_a_diagnostic_and_nothing_else(
    case: str, prefilter: bool, tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    bad, expected = PYTHON_CASES[case]
    report = scan(hostile_repo(tmp_path, bad), prefilter=prefilter)
    assert diagnosed(report) == {expected}
    assert_only_about(report, bad)
    assert core(report) == healthy[1]  # the bad file contributes nothing at all
    assert report.stats.python_files == healthy[0].stats.python_files + 1


def test_empty_files_are_fine(tmp_path: Path, healthy: tuple[Report, dict[str, Any]]) -> None:
    bad = {"app/empty.py": "", "app/blank.py": b"\n\n", "dumps/empty.sql": ""}
    report = scan(hostile_repo(tmp_path, bad))
    assert report.diagnostics == []
    assert without(core(report), bad) == healthy[1]


def test_latin1_with_a_coding_cookie_and_a_bom_are_read(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    bad = {
        "app/latin.py": (
            '# -*- coding: latin-1 -*-\nLABEL = "café"\n\n\ndef f(cur):\n'
            "    cur.execute(\"SELECT id FROM latin_orders WHERE label = 'é'\")\n"
        ).encode("latin-1"),
        "app/bom.py": b"\xef\xbb\xbf"
        + b'def g(cur):\n    cur.execute("DELETE FROM bom_orders")\n',
    }
    report = scan(hostile_repo(tmp_path, bad))
    assert report.diagnostics == []
    latin, bom = report.table("latin_orders"), report.table("bom_orders")
    assert latin is not None and bom is not None
    assert [(u.path, u.line, u.kind, u.function) for u in latin.uses] == [
        ("app/latin.py", 6, "read", "f")
    ]
    assert "'é'" in latin.uses[0].snippet
    assert [(u.path, u.line, u.kind) for u in bom.uses] == [("app/bom.py", 2, "write")]
    assert without(core(report), bad) == healthy[1]


@pytest.fixture(scope="module")
def huge_module_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200,000 lines of plain assignments: about 20 MB, generated once."""
    padding = "lorem ipsum dolor sit amet " * 3
    text = "".join(f'v{i} = "{padding}{i}"\n' for i in range(200_000))
    assert len(text) > 19_000_000
    return write(tmp_path_factory.mktemp("huge") / "repo", {**GOOD, "app/generated.py": text})


def test_a_20_mb_module_is_handled(
    huge_module_repo: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    report = scan(huge_module_repo)  # how long it takes: benchmarks/, never a test
    assert report.diagnostics == []
    assert report.stats.python_files == healthy[0].stats.python_files + 1
    assert core(report) == healthy[1]


def test_a_2000_term_concatenation_does_not_crash(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    chain = " + ".join(['"a"'] * 2000)
    bad = {
        "app/chain.py": (
            f"Q = \"SELECT * FROM chain_t WHERE x = '\" + {chain} + \"'\"\n\n\n"
            "def f(cur):\n    cur.execute(Q)\n"
        )
    }
    report = scan(hostile_repo(tmp_path, bad))
    assert_only_about(report, bad)
    table = report.table("chain_t")
    if report.diagnostics:  # too deep for the extractor: said so, and nothing is guessed
        assert diagnosed(report) <= {
            ("python-recursion-limit", "app/chain.py", None),
            ("python-too-deep", "app/chain.py", None),
        }
        assert table is None
    else:  # or a correct result
        assert table is not None
        assert {(u.path, u.kind) for u in table.uses} == {("app/chain.py", "read")}
    assert without(core(report), bad) == healthy[1]


def test_revision_with_a_syntax_error(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    bad = {
        f"{V}/b2_broken.py": (
            '"""broken"""\nfrom alembic import op\n\nrevision = "b2"\ndown_revision = "a1"\n'
            '\n\ndef upgrade(:\n    op.create_table("never_created")\n'
        )
    }
    report = scan(hostile_repo(tmp_path, bad))
    assert diagnosed(report) == {("python-syntax-error", f"{V}/b2_broken.py", 8)}
    assert report.table("never_created") is None
    # Alembic itself could not load this file: the revision graph says so too.
    assert [(f.name, f.path) for f in report.findings if f.code == "TT011"] == [
        ("broken-revision-graph", f"{V}/b2_broken.py")
    ]
    assert core(report)["revisions"] == healthy[1]["revisions"]
    assert without(core(report), bad) == healthy[1]


# ---- SQL files ------------------------------------------------------------------------------

SQL_CASES = {
    "unterminated-string": (
        "CREATE TABLE str_ok (id int);\nSELECT 'abc;\nCREATE TABLE swallowed (id int);\n",
        ("unterminated-string", 2),
        {"public.str_ok": 1},
    ),
    "unterminated-dollar-quote": (
        "CREATE TABLE dq_ok (id int);\n"
        "CREATE FUNCTION f() RETURNS int AS $body$\nBEGIN\n  DROP TABLE users;\n",
        ("unterminated-dollar-quote", 2),
        {"public.dq_ok": 1},
    ),
    "unterminated-comment": (
        "CREATE TABLE cm_ok (id int);\n/* never closed\nDROP TABLE users;\n",
        ("unterminated-comment", 2),
        {"public.cm_ok": 1},
    ),
    "psql-meta-commands": (
        # (`\\connect` after the table: a table created after a switch to another database
        # nothing uses is that database's, `tests/test_idioms.py`)
        "\\set ON_ERROR_STOP on\n\\i other.sql\nCREATE TABLE psql_ok (id int);\n"
        "\\connect other\n\\ir ../more.sql\n",
        ("psql-include", 2),
        {"public.psql_ok": 3},
    ),
    "copy-without-terminator": (
        "CREATE TABLE copy_ok (id int, name text);\n"
        "COPY copy_ok (id, name) FROM stdin;\n1\tbob\nDROP TABLE users;\n",
        ("unterminated-copy-data", 3),
        {"public.copy_ok": 1},
    ),
    "non-utf8": (
        b"CREATE TABLE enc_a (id int);\n-- caf\xe9\nCREATE TABLE enc_b (id int);\n",
        ("sql-decode-error", 2),
        {"public.enc_a": 1, "public.enc_b": 3},
    ),
    "nul-bytes": (
        b"CREATE TABLE nul_t (id int);\x00\n",
        ("binary-file", None),
        {},
    ),
}


@pytest.mark.parametrize("case", sorted(SQL_CASES))
def test_bad_sql_is_a_diagnostic_and_the_rest_is_read(
    case: str, tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    content, (code, line), created = SQL_CASES[case]
    path = "dumps/bad.sql"
    report = scan(hostile_repo(tmp_path, {path: content}))
    assert (code, path, line) in diagnosed(report)
    assert_only_about(report, {path})
    found = {
        t.qualified_name: d.line
        for t in report.tables
        for d in t.definitions
        if d.path == path and d.operation == "create"
    }
    assert found == created
    assert not any(d.operation == "drop" for t in report.tables for d in t.definitions)
    assert without(core(report), {path}) == healthy[1]


def test_psql_includes_are_each_reported(tmp_path: Path) -> None:
    content = SQL_CASES["psql-meta-commands"][0]
    report = scan(write(tmp_path / "repo", {"db/schema.sql": content}))
    assert diagnosed(report) == {
        ("psql-include", "db/schema.sql", 2),
        ("psql-include", "db/schema.sql", 5),
    }
    assert "other.sql" in next(d.message for d in report.diagnostics if d.line == 2)


def test_a_200000_statement_dump_is_quick(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    parts = ["CREATE TABLE dump_a (id int, name text);\n"]
    parts += [f"INSERT INTO dump_a VALUES ({i}, 'n{i}; DROP TABLE x');\n" for i in range(99_998)]
    parts.append("COPY dump_a (id, name) FROM stdin;\n1\tDROP TABLE users;\n\\.\n")
    parts.append("CREATE TABLE public.dump_b (id int);\n")
    parts += [f"INSERT INTO public.dump_b VALUES ({i});\n" for i in range(99_998)]
    parts.append("CREATE TABLE dump_c (id int);\n")
    assert len(parts) == 200_000
    path = "dumps/full_dump.sql"
    root = hostile_repo(tmp_path, {path: "".join(parts)})
    report = scan(root)  # how long it takes: benchmarks/, never a test
    assert report.diagnostics == []
    created = {
        t.qualified_name: [(d.path, d.line) for d in t.definitions if d.path == path]
        for t in report.tables
        if t.name.startswith("dump_")
    }
    assert created == {
        "public.dump_a": [(path, 1)],
        "public.dump_b": [(path, 100_003)],
        "public.dump_c": [(path, 200_002)],
    }
    statements = report.stats.sql_statements - healthy[0].stats.sql_statements
    assert statements == 200_000
    assert without(core(report), {path}) == healthy[1]


# ---- File system ----------------------------------------------------------------------------


def _scan_with_deadline(root: Path, seconds: float = 60.0) -> Report:
    """Scan in a thread so that a hang fails the test instead of blocking the suite."""
    result: list[Report | BaseException] = []

    def run() -> None:
        try:
            result.append(scan(root))
        except BaseException as exc:  # reported below
            result.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"scan of {root} did not finish in {seconds} s"
    (outcome,) = result
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def test_symlink_loops_do_not_hang(tmp_path: Path, healthy: tuple[Report, dict[str, Any]]) -> None:
    root = hostile_repo(tmp_path, {})
    os.symlink("..", root / "app" / "parent")  # a directory symlink to its parent
    os.symlink(".", root / "app" / "itself")
    os.symlink(root / "app", root / "app" / "absolute_loop")
    os.symlink("b.py", root / "app" / "a.py")  # a.py -> b.py -> a.py
    os.symlink("a.py", root / "app" / "b.py")
    os.symlink("self.sql", root / "sql" / "self.sql")
    os.symlink("missing.py", root / "app" / "dangling.py")
    report = _scan_with_deadline(root)
    skipped = {(d.code, d.path) for d in report.diagnostics}
    assert skipped == {
        ("skipped-file", "app/parent"),
        ("skipped-file", "app/itself"),
        ("skipped-file", "app/absolute_loop"),
        ("skipped-file", "app/a.py"),
        ("skipped-file", "app/b.py"),
        ("skipped-file", "sql/self.sql"),
        ("skipped-file", "app/dangling.py"),
    }
    assert all(d.line is None and d.message for d in report.diagnostics)
    assert core(report) == healthy[1]


def test_symlinks_out_of_the_root_are_never_followed(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    root = hostile_repo(tmp_path, {})
    outside = write(
        tmp_path / "outside",
        {
            "secret.py": 'Q = "SELECT * FROM secret_file_table"\n',
            "pkg/mod.py": 'Q = "SELECT * FROM secret_dir_table"\n',
            "schema.sql": "CREATE TABLE secret_sql_table (id int);\nDROP TABLE users;\n",
        },
    )
    os.symlink(outside / "secret.py", root / "app" / "secret.py")
    os.symlink(outside / "pkg", root / "app" / "pkg")
    os.symlink(outside / "schema.sql", root / "sql" / "01_outside.sql")
    os.symlink("../../outside/secret.py", root / "app" / "relative_secret.py")
    report = scan(root)
    assert {(d.code, d.path) for d in report.diagnostics} == {
        ("skipped-file", "app/secret.py"),
        ("skipped-file", "app/pkg"),
        ("skipped-file", "sql/01_outside.sql"),
        ("skipped-file", "app/relative_secret.py"),
    }
    assert all("outside" in d.message for d in report.diagnostics)
    assert not [t.name for t in report.tables if "secret" in t.name]
    assert core(report) == healthy[1]


def test_unreadable_files_and_directories(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    bad = {
        "app/locked.py": 'Q = "SELECT * FROM locked_table"\n',
        "sql/01_locked.sql": "CREATE TABLE locked_sql (id int);\n",
        "app/locked_dir/mod.py": 'Q = "SELECT * FROM locked_dir_table"\n',
    }
    root = hostile_repo(tmp_path, bad)
    locked = [root / "app/locked.py", root / "sql/01_locked.sql", root / "app/locked_dir"]
    for path in locked:
        path.chmod(0)
    try:
        report = scan(root)  # never a crash
        try:
            (root / "app/locked.py").read_bytes()
            permissions_apply = False  # root (CI runs as root): chmod does not block reads
        except PermissionError:
            permissions_apply = True
    finally:
        for path in locked:
            path.chmod(0o755)
    if not permissions_apply:
        assert os.geteuid() == 0
        return
    assert diagnosed(report) == {
        ("unreadable-file", "app/locked.py", None),
        ("unreadable-file", "sql/01_locked.sql", None),
        ("skipped-file", "app/locked_dir", None),
    }
    assert all("Permission denied" in d.message for d in report.diagnostics)
    assert without(core(report), bad) == healthy[1]


def test_very_long_paths(tmp_path: Path, healthy: tuple[Report, dict[str, Any]]) -> None:
    relative = "/".join(f"d{i:02d}_" + "x" * 96 for i in range(30)) + "/deep_module.py"
    assert len(relative) > 3000
    root = hostile_repo(
        tmp_path, {relative: 'def f(cur):\n    cur.execute("SELECT * FROM deep_table")\n'}
    )
    report = scan(root)
    assert report.diagnostics == []
    table = report.table("deep_table")
    assert table is not None
    assert [(u.path, u.line, u.module) for u in table.uses] == [
        (relative, 2, relative.removesuffix(".py").replace("/", "."))
    ]
    assert without(core(report), {relative}) == healthy[1]


ODD_DIR = "app/we ird \"q\" 's\nnl dir"
ODD_PY = f'{ODD_DIR}/my "mod"\nx y.py'
ODD_SQL = 'odd sql/we ird\n"x" \\ {}.sql'
ODD_FILES = {
    ODD_PY: (
        "def f(cur):\n"
        "    cur.execute('SELECT * FROM \"Odd \"\"Name\"\" t\" JOIN \"a\\\\b\" ON true')\n"
    ),
    ODD_SQL: 'CREATE TABLE "Odd ""Name"" t" (id int);\nCREATE TABLE "a\\b" (id int);\n',
}


def test_names_with_spaces_quotes_and_newlines(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    root = hostile_repo(tmp_path, ODD_FILES)
    runner = CliRunner()
    never = ["--fail-on", "never"]  # the healthy files have error findings
    result = runner.invoke(app, ["scan", str(root), "-f", "json", "--no-cache", *never])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # valid JSON
    report = Report.model_validate(data)
    assert report.diagnostics == []
    odd = {t.qualified_name: t for t in report.tables if t.name in ('Odd "Name" t', "a\\b")}
    assert set(odd) == {'public."Odd ""Name"" t"', 'public."a\\b"'}
    for table in odd.values():
        assert [(u.path, u.line) for u in table.uses] == [(ODD_PY, 2)]
        assert [(d.path, d.operation) for d in table.definitions] == [(ODD_SQL, "create")]
        for located in [*table.uses, *table.definitions]:
            assert (root / located.path).is_file()  # relative and correct
    assert without(core(report), ODD_FILES) == healthy[1]
    assert runner.invoke(app, ["scan", str(root), "--no-cache", *never]).exit_code == 0
    explained = runner.invoke(app, ["explain", str(root), 'public."a\\b"', "--no-cache"])
    assert explained.exit_code == 0 and ODD_SQL.split("\n")[0] in explained.stdout
    for command in (["graph"], ["graph", "--revisions"], ["scan", "-f", "dot", *never]):
        dot = runner.invoke(app, [*command, str(root), "--no-cache"])
        assert dot.exit_code == 0, dot.output
        assert dot.stdout.startswith("digraph") and dot.stdout.rstrip().endswith("}")
        if shutil.which("dot"):
            svg = subprocess.run(
                ["dot", "-Tsvg"], input=dot.stdout, capture_output=True, text=True, check=False
            )
            assert svg.returncode == 0 and "error" not in svg.stderr.lower(), svg.stderr
            assert "<svg" in svg.stdout


def test_unreadable_gitignore_patterns_are_skipped_like_git_does(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    root = write(
        tmp_path / "repo",
        {
            **GOOD,
            ".gitignore": b"\\\n!\nfoo\\\n[\nscratch/\n\xff\n",
            "scratch/ignored.py": 'Q = "SELECT * FROM ignored_table"\n',
        },
    )
    report = scan(root)
    assert report.diagnostics == []
    assert report.table("ignored_table") is None  # the readable patterns still apply
    assert core(report) == healthy[1]


# ---- Revision graphs ------------------------------------------------------------------------


def revision(rev: str, down: str | None, body: str) -> str:
    return (
        f'"""{rev}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        f'revision = "{rev}"\ndown_revision = {down!r}\n\n\n'
        f"def upgrade():\n    {body}\n\n\ndef downgrade():\n    pass\n"
    )


def test_broken_revision_graphs_are_findings_and_the_rest_replays(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    bad = {
        f"{V}/b2_gadgets.py": revision("b2", "a1", 'op.create_table("gadgets", sa.Column("id"))'),
        f"{V}/c1_cycle.py": revision("c1", "c2", 'op.create_table("cyc1", sa.Column("id"))'),
        f"{V}/c2_cycle.py": revision("c2", "c1", 'op.create_table("cyc2", sa.Column("id"))'),
        f"{V}/d1_duplicate.py": revision("b2", "a1", 'op.create_table("dup", sa.Column("id"))'),
        f"{V}/m1_orphan.py": revision("m1", "ghost", 'op.create_table("orphan", sa.Column("x"))'),
    }
    report = scan(hostile_repo(tmp_path, bad))
    assert report.diagnostics == []
    broken = {
        (f.message.split(":")[0], f.path, f.line) for f in report.findings if f.code == "TT011"
    }
    assert broken == {
        ("cycle", f"{V}/c1_cycle.py", 6),
        ("duplicate-revision", f"{V}/d1_duplicate.py", 5),
        ("missing-parent", f"{V}/m1_orphan.py", 6),
    }
    assert all(f.severity == "error" for f in report.findings if f.code == "TT011")
    head = {
        t.qualified_name: s.columns
        for t in report.tables
        for s in t.states
        if s.source == "alembic:migrations"
    }
    # the healthy revision and its healthy child still replay
    assert head["public.tickets"] == ["id"]
    assert head["public.gadgets"] == ["id"]
    assert "public.dup" not in head  # Alembic keeps one of two revisions with one id
    assert {r.revision for r in report.revisions} == {"a1", "b2", "c1", "c2", "m1"}
    rest = without(core(report), bad)
    (base,) = rest.pop("revisions")
    (healthy_base,) = healthy[1]["revisions"]
    assert {**base, "is_head": True} == healthy_base  # b2 is its child now
    assert rest == {key: healthy[1][key] for key in rest}


# ---- Time budget ----------------------------------------------------------------------------


def test_a_file_that_takes_too_long_is_reported_not_hung(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    lines = [
        f'    cur.execute("SELECT id FROM slow_{i % 7} WHERE id = {i}")\n' for i in range(6000)
    ]
    path = "app/slow.py"
    root = hostile_repo(tmp_path, {path: "def run(cur):\n" + "".join(lines)})
    started = time.monotonic()
    gc.collect()
    gc.disable()  # a garbage collection pause is not a small file's slowness
    try:
        report = scan(root, file_timeout=0.2, cache=FactCache(tmp_path / "cache"))
    finally:
        gc.enable()
    assert time.monotonic() - started < 10
    assert diagnosed(report) == {("file-timeout", path, None)}
    assert "0.2 s" in report.diagnostics[0].message
    assert core(report) == healthy[1]

    # the default budget: read in full (a timeout is never cached, neither are its reports)
    report = scan(root, cache=FactCache(tmp_path / "cache"))
    assert report.diagnostics == []
    assert report.table("slow_3") is not None
    assert [u.line for u in report.table("slow_3").uses][:2] == [5, 12]


def test_an_interrupted_parse_is_a_timeout_never_an_internal_error() -> None:
    """The interruption may land in a library's `finally` clause that raises an error of its
    own (LibCST's position provider: KeyError); the file still timed out."""
    source = "".join(
        f"def f{i}(cur):\n    cur.execute('SELECT * FROM t{i}')\n\n\n" for i in range(60)
    ).encode()
    job = analyzer.engine.Job(
        path="m.py", kind="python", module="m", revision_candidate=False, data=source,
        dialect="postgres", default_schema="public", prefilter=False, time_budget=None,
    )
    assert not analyzer.engine.run_job(job).python.problems  # (imports LibCST if need be)
    started = time.monotonic()
    assert not analyzer.engine.run_job(job).python.problems
    full = time.monotonic() - started
    codes = set()
    for step in range(1, 61):
        budget = full * step / 50  # from 2% of the time it takes to 120%
        extracted = analyzer.engine.run_job(
            analyzer.engine.Job(**{**job.__dict__, "time_budget": budget})
        )
        codes |= {problem.code for problem in extracted.python.problems}
    assert codes <= {"file-timeout"}
    assert "file-timeout" in codes


def test_a_short_budget_does_not_charge_tabletrace_imports_to_the_first_files(
    tmp_path: Path,
) -> None:
    """In a fresh process, the first Python file pays for importing LibCST: not its time."""
    root = write(tmp_path / "repo", GOOD)
    code = (
        "import sys; from analyzer import scan; "
        "report = scan(sys.argv[1], file_timeout=0.2); "
        "print([(d.code, d.path) for d in report.diagnostics])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(root)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ---- Worker death ---------------------------------------------------------------------------

CRASH_MARKER = b"tabletrace-test: this file kills its worker"
_REAL_RUN_JOB = analyzer.engine.run_job


def _run_job_or_die(job: analyzer.engine.Job) -> analyzer.engine.Extracted:
    """Stands in for `run_job` in worker processes: a native crash on one file."""
    if CRASH_MARKER in job.data:
        os._exit(1)
    return _REAL_RUN_JOB(job)


def test_a_dying_worker_takes_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, healthy: tuple[Report, dict[str, Any]]
) -> None:
    path = "app/crash.py"
    killer = f'# {CRASH_MARKER.decode()}\nQ = "SELECT * FROM crash_only"\n'
    root = hostile_repo(tmp_path, {path: killer})
    normal = scan(root, jobs=2)
    assert normal.diagnostics == [] and normal.table("crash_only") is not None

    # The pool is created lazily, in `Extractor._map`, after this patch: the workers (forked,
    # or spawned and importing this module) run the patched function.
    monkeypatch.setattr(analyzer.engine, "run_job", _run_job_or_die)
    cache = FactCache(tmp_path / "cache")
    crashed = scan(root, jobs=2, cache=cache)
    assert diagnosed(crashed) == {("worker-crashed", path, None)}
    assert core(crashed) == without(core(normal), {path}) == healthy[1]
    assert core(scan(root, jobs=2, prefilter=False)) == healthy[1]

    monkeypatch.setattr(analyzer.engine, "run_job", _REAL_RUN_JOB)
    again = scan(root, jobs=2, cache=FactCache(tmp_path / "cache"))  # a crash is never cached
    assert again.to_json() == normal.to_json()


# ---- Everything at once, through the CLI ----------------------------------------------------


def test_all_bad_files_at_once_through_the_cli(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    bad: dict[str, str | bytes] = {}
    expected: set[tuple[str, str, int | None]] = set()
    for files, diagnostic in PYTHON_CASES.values():
        bad.update(files)
        expected.add(diagnostic)
    for index, (content, (code, line), _) in enumerate(SQL_CASES.values()):
        path = f"dumps/{index:02d}_bad.sql"
        bad[path] = content
        expected.add((code, path, line))
    root = hostile_repo(tmp_path, bad)
    result = CliRunner().invoke(
        app, ["scan", str(root), "-f", "json", "--jobs", "2", "--no-cache", "--fail-on", "never"]
    )
    assert result.exit_code == 0, result.output
    report = Report.model_validate_json(result.stdout)
    assert expected <= diagnosed(report)
    assert_only_about(report, bad)
    for diagnostic in json.loads(result.stdout)["diagnostics"]:
        assert set(diagnostic) >= {"code", "path", "line", "message"}
    created = {
        t.qualified_name
        for t in report.tables
        for d in t.definitions
        if d.path.startswith("dumps/")
    }
    assert created == {name for _, _, tables in SQL_CASES.values() for name in tables}
    assert without(core(report), bad) == healthy[1]


def test_symlink_to_a_file_inside_the_root_is_not_counted_twice(make_repo) -> None:
    root = make_repo({"app/real.py": 'Q = "SELECT * FROM once_only"\n'})
    (root / "app" / "link.py").symlink_to(root / "app" / "real.py")
    report = scan(root)
    table = report.table("once_only")
    assert table is not None
    assert [(u.path, u.line) for u in table.uses] == [("app/real.py", 1)]
    assert [(d.code, d.path) for d in report.diagnostics] == [("skipped-file", "app/link.py")]


def test_a_deep_file_with_nothing_to_read_is_the_same_with_and_without_the_prefilter(
    tmp_path: Path, healthy: tuple[Report, dict[str, Any]]
) -> None:
    """A generated module CPython parses but the LibCST read recurses too deep on (a blob
    written as 2,800 adjacent string literals, which LibCST nests one in another), with no SQL
    or model in it: the first look skips it, and without the pre-filter the failed read is
    checked by the same look, so no diagnostic claims SQL was lost and the two reports are
    identical."""
    pieces = "".join(f'    "{index:064x}"\n' for index in range(2800))
    bad = {"app/blob.py": f"BLOB = zlib.decompress(\n    bytes.fromhex(\n{pieces}    )\n)\n"}
    root = hostile_repo(tmp_path, bad)
    with_prefilter = scan(root)
    without_prefilter = scan(root, prefilter=False)
    assert [d.code for d in with_prefilter.diagnostics] == []
    assert without_prefilter.model_dump_json() == with_prefilter.model_dump_json()
