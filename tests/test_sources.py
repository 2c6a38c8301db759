"""Every schema source, replayed in order (issue: create_all, migration modules,
migration-order faults, Alembic's own file rules, broken definitions, one truth for status)."""

from __future__ import annotations

import textwrap

from analyzer import Report, scan
from tests.conftest import MakeRepo

INI = {"alembic.ini": "[alembic]\nscript_location = migrations\n"}
V = "migrations/versions"


def revision(rev: str, down: str | None, body: str, header: str = "") -> str:
    return (
        f'"""{rev}"""\nfrom alembic import op\nimport sqlalchemy as sa\n{header}\n\n'
        f"revision = {rev!r}\ndown_revision = {down!r}\n\n\ndef upgrade():\n"
        + textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "    ")
    )


def names(report: Report, rule: str) -> list[tuple[str | None, str | None, int | None]]:
    return sorted((f.table, f.path, f.line) for f in report.findings if f.name == rule)


def test_alembic_loads_no_init_file_and_no_editor_lock_file(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/__init__.py": "",
            f"{V}/.#a.py": "",  # an editor's lock file
            f"{V}/a.py": revision("a", None, 'op.create_table("t", sa.Column("id"))'),
        }
    )
    report = scan(root)
    assert names(report, "broken-revision-graph") == []
    assert [(r.revision, r.path) for r in report.revisions] == [("a", f"{V}/a.py")]
