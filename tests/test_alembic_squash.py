"""Alembic revisions kept from before a squash: `versions/legacy/` ends at the revision id the
squash (`versions/`, `down_revision = None`) starts from. A fresh database runs the squash and
what follows; an old one runs the legacy revisions up to that id, then what follows the
squash. The two are compared by what each database ends with, which real Alembic builds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from analyzer import scan
from tests.conftest import ALEMBIC_ENV_PY, MakeRepo, alembic_config


def revision(rev: str, down: str | None, upgrade: str) -> str:
    return (
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\n\n\n"
        f"def upgrade():\n    {upgrade}\n"
    )


def squash_files(legacy_column: str) -> dict[str, str | bytes]:
    """A squash creating `users (id, name)`, then `email` added; the legacy revisions creating
    `users (id)` then adding `legacy_column` under the squash's id."""
    return {
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/env.py": ALEMBIC_ENV_PY,
        "migrations/versions/0001_squash.py": revision(
            "b0", None,
            'op.create_table("users", sa.Column("id", sa.Integer, primary_key=True), '
            'sa.Column("name", sa.Text))',
        ),
        "migrations/versions/0002_email.py": revision(
            "c1", "b0", 'op.add_column("users", sa.Column("email", sa.Text))'
        ),
        "migrations/versions/legacy/a0_users.py": revision(
            "a0", None,
            'op.create_table("users", sa.Column("id", sa.Integer, primary_key=True))',
        ),
        "migrations/versions/legacy/b0_name.py": revision(
            "b0", "a0", f'op.add_column("users", sa.Column("{legacy_column}", sa.Text))'
        ),
    }


def built_by_alembic(root: Path, tmp_path: Path) -> tuple[list[str], list[str]]:
    """The columns of `users` in a fresh database (the squash's revisions), and in an old one
    (the legacy revisions to `b0`, then the squash's configuration to its head)."""
    from alembic import command

    def columns(database: Path) -> list[str]:
        with sqlite3.connect(database) as conn:
            return [row[1] for row in conn.execute("PRAGMA table_info(users)")]

    fresh, old = tmp_path / "fresh.db", tmp_path / "old.db"
    command.upgrade(alembic_config(root, f"sqlite:///{fresh}"), "head")
    legacy = alembic_config(root, f"sqlite:///{old}")
    legacy.set_main_option("version_locations", str(root / "migrations/versions/legacy"))
    command.upgrade(legacy, "b0")
    command.upgrade(alembic_config(root, f"sqlite:///{old}"), "head")
    return columns(fresh), columns(old)


def test_revisions_kept_from_before_a_squash_are_no_rival_source(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """The legacy revisions end where the squash starts and build the same `users`: no
    definition-drift (their head lacks `email`, which the revision after the squash adds to
    an old database too), and a diagnostic naming the squash."""
    root = make_repo(squash_files("name"))
    report = scan(root)
    assert [f.name for f in report.findings if f.name == "definition-drift"] == []
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("alembic-squash", "migrations/versions/0001_squash.py", 4)
    ]
    assert built_by_alembic(root, tmp_path) == (["id", "name", "email"], ["id", "name", "email"])


@pytest.mark.parametrize("legacy_column", ["nickname"])
def test_a_squash_that_differs_from_the_revisions_it_replaced(
    make_repo: MakeRepo, tmp_path: Path, legacy_column: str
) -> None:
    """The legacy revisions add `nickname` where the squash has `name`: an old database ends
    with other columns than a fresh one, which definition-drift says, compared by what the
    old database becomes (with `email`, so only the true gap is named)."""
    root = make_repo(squash_files(legacy_column))
    report = scan(root)
    (finding,) = [f for f in report.findings if f.name == "definition-drift"]
    assert finding.table == "public.users"
    assert "migrations/versions/legacy lacks name and adds nickname" in finding.message
    assert built_by_alembic(root, tmp_path) == (
        ["id", "name", "email"], ["id", "nickname", "email"]
    )
