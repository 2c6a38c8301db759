"""Safety: tabletrace never runs the code it reads, never writes into it, and says how it ended.

A repository whose `env.py`, `conftest.py`, `setup.py`, package `__init__`, models and Alembic
revision would each write a marker file if imported or executed is scanned every way there
is (API and CLI, one or two workers, pre-filter on and off, a subprocess started inside the
repository): no marker may appear. Then `--output`, the paths in the JSON, and exit codes.
"""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import analyzer.cli
from analyzer import Report, scan
from analyzer.cli import app

runner = CliRunner()
UNIQUE_PACKAGE = "zz_tabletrace_victim_pkg"


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return root


def victim_files(markers: Path) -> dict[str, str]:
    def runs(name: str, indent: str = "") -> str:
        return f"{indent}open({str(markers / name)!r}, 'w').write('ran')\n"

    return {
        "pyproject.toml": '[project]\nname = "victim"\n\n[tool.tabletrace]\ninclude_tests = true\n',
        "alembic.ini": "[alembic]\nscript_location = alembic\n",
        "alembic/env.py": (
            runs("env.py")
            + "from alembic import context\n\n\ndef run_migrations_online():\n"
            + runs("env.py-online", "    ")
            + "\n\nrun_migrations_online()\n"
        ),
        "alembic/versions/r1_create_safe_table.py": (
            '"""create safe_table"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
            + runs("revision-module")
            + 'revision = "r1"\ndown_revision = None\n\n\ndef upgrade():\n'
            + runs("revision-upgrade", "    ")
            + '    op.create_table("safe_table", sa.Column("id", sa.Integer()))\n'
            + '    op.execute("INSERT INTO safe_table (id) VALUES (1)")\n\n\n'
            + "def downgrade():\n"
            + runs("revision-downgrade", "    ")
        ),
        "conftest.py": runs("conftest.py") + "import pytest\n",
        "tests/conftest.py": runs("tests-conftest.py"),
        "tests/test_victim.py": runs("test-module") + "def test_x():\n" + runs("test-x", "    "),
        "setup.py": runs("setup.py") + "from setuptools import setup\n\nsetup(name='victim')\n",
        "app/__init__.py": runs("app-init"),
        "app/__main__.py": runs("app-main"),
        "app/models.py": (
            runs("models-module")
            + "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
            "class Base(DeclarativeBase):\n"
            + runs("models-base-body", "    ")
            + "\n\nclass Victim(Base):\n"
            "    __tablename__ = 'victims'\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            + runs("models-class-body", "    ")
        ),
        "app/queries.py": (
            runs("queries-module")
            + "from app.models import Victim\n\n\n"
            "def fetch(cur, session):\n"
            '    cur.execute("SELECT * FROM victims JOIN safe_table ON true")\n'
            "    return session.get(Victim, 1)\n\n\n"
            "def __getattr__(name):\n" + runs("module-getattr", "    ")
        ),
        f"{UNIQUE_PACKAGE}/__init__.py": runs("unique-package"),
        "sql/schema.sql": "CREATE TABLE victims (id int);\n",
    }


@pytest.fixture
def victim(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    markers = tmp_path / "markers"
    markers.mkdir()
    root = write(tmp_path / "victim", victim_files(markers))
    # The trap works: running one of these files does write its marker.
    runpy.run_path(str(root / "app" / "__init__.py"))
    assert [p.name for p in markers.iterdir()] == ["app-init"]
    (markers / "app-init").unlink()
    modules_before = set(sys.modules)
    path_before = list(sys.path)
    yield root, markers
    assert sorted(p.name for p in markers.iterdir()) == [], "scanned code was executed"
    assert UNIQUE_PACKAGE not in sys.modules
    assert not {m for m in set(sys.modules) - modules_before if m.split(".")[0] in {"app"}}
    assert sys.path == path_before


def _check_report(report: Report) -> None:
    """The scan really read the files (so that "no marker" means something)."""
    assert [r.revision for r in report.revisions] == ["r1"]
    safe = report.table("safe_table")
    victims = report.table("victims")
    assert safe is not None and victims is not None
    assert "alembic" in safe.present_in and "model" in victims.present_in
    assert {u.path for u in victims.uses} >= {"app/queries.py"}


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "no-prefilter"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_api_scan_never_executes_the_repository(
    victim: tuple[Path, Path], jobs: int, prefilter: bool
) -> None:
    root, _ = victim
    _check_report(scan(root, jobs=jobs, prefilter=prefilter))


@pytest.mark.parametrize(
    "options", [["--jobs", "1"], ["--jobs", "2"], ["--jobs", "2", "--no-prefilter"]]
)
def test_cli_never_executes_the_repository(victim: tuple[Path, Path], options: list[str]) -> None:
    root, _ = victim
    never = ["--fail-on", "never"]
    result = runner.invoke(app, ["scan", str(root), "-f", "json", "--no-cache", *never, *options])
    assert result.exit_code == 0, result.output
    _check_report(Report.model_validate_json(result.stdout))
    for command in (
        ["scan", str(root), *never],
        ["explain", str(root), "victims"],
        ["history", str(root), "safe_table"],
        ["graph", str(root)],
        ["graph", str(root), "--revisions"],
    ):
        result = runner.invoke(app, [*command, "--no-cache", *options])
        assert result.exit_code == 0, (command, result.output)


def test_a_subprocess_started_inside_the_repository_executes_nothing(
    victim: tuple[Path, Path],
) -> None:
    """`python -c` puts the current directory (the repository) first on sys.path."""
    root, _ = victim
    code = "import sys; from analyzer.cli import main; sys.argv[0] = 'tabletrace'; main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "scan", ".", "-f", "json", "--jobs", "2", "--no-cache",
         "--fail-on", "never"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    _check_report(Report.model_validate_json(result.stdout))


# ---- --output -------------------------------------------------------------------------------

SMALL = {
    "README.md": "precious\n",
    "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM users")\n',
    "sql/schema.sql": "CREATE TABLE users (id int);\n",
}


def one_line(text: str) -> str:
    assert text.endswith("\n") and text.count("\n") == 1, repr(text)
    assert text.startswith("tabletrace: "), repr(text)
    return text


def test_output_never_overwrites_a_file_of_the_repository(tmp_path: Path) -> None:
    root = write(tmp_path / "repo", SMALL)
    readme = root / "README.md"
    for target in (readme, root / "app" / ".." / "README.md"):
        for command in (["scan", "-f", "json"], ["scan"], ["graph"]):
            result = runner.invoke(app, [*command, str(root), "--output", str(target)])
            assert result.exit_code == 2, (command, result.output)
            assert "--force" in one_line(result.stderr)
            assert result.stdout == ""
            assert readme.read_text() == "precious\n"
    result = runner.invoke(app, ["scan", str(root), "-f", "json", "-o", str(readme), "--force"])
    assert result.exit_code == 0, result.output
    assert json.loads(readme.read_text())["schema_version"] == "1.1"
    # a new file inside the repository, or any file outside it, is fine
    for target in (root / "tabletrace.json", tmp_path / "out.json"):
        result = runner.invoke(app, ["scan", str(root), "-f", "json", "-o", str(target)])
        assert result.exit_code == 0 and result.stdout == ""
        assert Report.model_validate_json(target.read_text()).table("users") is not None


def _paths(data: Any, key: str = "") -> Iterator[str]:
    if isinstance(data, dict):
        for name, value in data.items():
            yield from _paths(value, name)
    elif isinstance(data, list):
        for item in data:
            yield from _paths(item, key)
    elif isinstance(data, str) and key in {"path", "files"}:
        yield data


def test_report_paths_are_relative_and_never_climb(tmp_path: Path) -> None:
    root = write(
        tmp_path / "repo",
        {
            **SMALL,
            "db/alembic.ini": "[alembic]\nscript_location = %(here)s/../migrations\n",
            "migrations/versions/r1.py": (
                'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "r1"\n'
                'down_revision = None\n\n\ndef upgrade():\n    op.create_table("users", '
                'sa.Column("id"))\n    op.execute(open("../sql/seed.sql").read())\n'
            ),
            "sql/seed.sql": "INSERT INTO users VALUES (1);\n",
        },
    )
    outputs = [
        runner.invoke(
            app,
            ["scan", str(root / "app" / ".."), "-f", "json", "--no-cache", "--fail-on", "never"],
        ),
        runner.invoke(
            app, ["scan", os.path.relpath(root), "-f", "json", "--no-cache", "--fail-on", "never"]
        ),
    ]
    assert outputs[0].exit_code == outputs[1].exit_code == 0
    assert outputs[0].stdout == outputs[1].stdout == scan(root).to_json()
    text = outputs[0].stdout
    assert str(tmp_path) not in text
    paths = list(_paths(json.loads(text)))
    assert "migrations/versions/r1.py" in paths and "app/repo.py" in paths
    for path in paths:
        assert path and not path.startswith("/") and "\\" not in path, path
        assert ".." not in path.split("/"), path
        assert (root / path).exists(), path


# ---- exit codes -----------------------------------------------------------------------------


def test_exit_codes(tmp_path: Path) -> None:
    warned = write(tmp_path / "warned", {"sql/schema.sql": "CREATE TABLE dead_one (id int);\n"})
    failing = write(tmp_path / "failing", SMALL | {"sql/schema.sql": ""})  # users: undefined
    assert {f.severity for f in scan(warned).findings} == {"warning"}
    assert {f.severity for f in scan(failing).findings} == {"error"}

    def exit_code(*args: str) -> int:
        return runner.invoke(app, [*args, "--no-cache"]).exit_code

    assert exit_code("scan", str(warned)) == 0  # --fail-on error by default
    assert exit_code("scan", str(failing)) == 1
    assert exit_code("scan", str(failing), "--fail-on", "never") == 0
    assert exit_code("scan", str(warned), "--fail-on", "error") == 0
    result = runner.invoke(app, ["scan", str(warned), "--fail-on", "warning", "--no-cache"])
    assert result.exit_code == 1
    assert "warning" in one_line(result.stderr)
    assert exit_code("scan", str(warned), "--fail-on", "info") == 1
    assert exit_code("scan", str(failing), "--fail-on", "error") == 1


@pytest.mark.parametrize(
    "arguments",
    [
        ["scan", "{missing}"],
        ["scan", "{file}"],
        ["scan", "{root}", "--format", "yaml"],
        ["scan", "{root}", "--jobs", "0"],
        ["scan", "{root}", "--file-timeout", "-1"],
        ["scan", "{root}", "--no-such-option"],
        ["scan", "{root}", "--fail-on", "sometimes"],
        ["scan"],
        ["explain", "{root}", "no_such_table"],
        ["graph", "{root}", "--table", "no_such_table"],
        ["graph", "{root}", "--revisions"],
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path: Path, arguments: list[str]) -> None:
    root = write(tmp_path / "repo", SMALL)
    values = {
        "root": str(root), "missing": str(tmp_path / "missing"), "file": str(root / "README.md")
    }
    result = runner.invoke(app, [a.format(**values) for a in arguments])
    assert result.exit_code == 2, result.output
    one_line(result.stderr)
    assert result.stdout == ""


@pytest.mark.parametrize(
    "pyproject",
    [
        "[tool.tabletrace]\nbogus = 1\n",
        "[tool.tabletrace]\ninclude_tests = 'maybe'\n",
        "[tool.tabletrace\n",
        "[tool]\ntabletrace = 3\n",
    ],
)
def test_bad_configuration_exits_2_with_one_line(tmp_path: Path, pyproject: str) -> None:
    root = write(tmp_path / "repo", {**SMALL, "pyproject.toml": pyproject})
    result = runner.invoke(app, ["scan", str(root), "--no-cache"])
    assert result.exit_code == 2, result.output
    assert "tabletrace" in one_line(result.stderr).removeprefix("tabletrace: ")
    assert result.stdout == ""


def test_internal_error_exits_3_and_says_it_is_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write(tmp_path / "repo", SMALL)

    def broken_scan(*args: object, **kwargs: object) -> Report:
        raise RuntimeError("boom")

    monkeypatch.setattr(analyzer.cli, "scan_or_stored", broken_scan)
    result = runner.invoke(app, ["scan", str(root), "--no-cache"])
    assert result.exit_code == 3
    message = one_line(result.stderr)
    assert "internal error: RuntimeError: boom" in message
    assert "bug" in message and "report" in message
    assert result.stdout == ""
