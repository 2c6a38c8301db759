"""Tests for the static Alembic revision reader (analyzer.readers.alembic)."""

from __future__ import annotations

import textwrap

import pytest

from analyzer.facts import AlembicOp, AlembicRevision, FileProblem, Hole, Literal
from analyzer.readers.python_module import extract_alembic
from tests.conftest import REPO

PATH = "alembic/versions/0001_x.py"
HEADER = "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n"
FIRST = 6  # line of the first statement of upgrade() in `up()` sources


def T(text: str, line: int) -> tuple[Literal, ...]:
    """A name made of one literal."""
    return (Literal(text, line),)


def H(expr: str, line: int, style: str = "argument", ref: str | bool | None = True) -> Hole:
    return Hole(expr, expr if ref is True else ref, line, style)  # type: ignore[arg-type]


def run(src: str | bytes, path: str = PATH) -> AlembicRevision:
    if isinstance(src, str):
        src = textwrap.dedent(src).encode("utf-8")
    rev = extract_alembic(path, src)
    assert rev.path == path
    assert rev.problems == []
    return rev


def up(body: str, *, opaque: list[tuple[int, str]] | None = None) -> list[AlembicOp]:
    """Operations of ``def upgrade():`` with ``body`` (dedented) starting at line 6."""
    source = HEADER + textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "    ")
    rev = run(source)
    assert rev.has_upgrade and rev.upgrade_line == 5
    assert rev.opaque_statements == (opaque or [])
    return rev.operations


def one(body: str) -> AlembicOp:
    (op,) = up(body)
    return op


# --------------------------------------------------------------------------------------------
# module level: identifiers and docstring
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("down_revision = None", ()),
        ('down_revision = "a1"', ("a1",)),
        ("down_revision = 'a1'", ("a1",)),
        ('down_revision = ("a1", "b2")', ("a1", "b2")),
        ('down_revision = ("a1",)', ("a1",)),
        ('down_revision = ["a1", "b2"]', ("a1", "b2")),
        ("down_revision: Union[str, None] = None", ()),
        ('down_revision: Union[str, None] = "x"', ("x",)),
        ('down_revision: Union[str, Sequence[str], None] = ("x", "y")', ("x", "y")),
        ('down_revision = "old"\ndown_revision = "new"', ("new",)),  # last one wins
    ],
)
def test_down_revision_shapes(assignment: str, expected: tuple[str, ...]) -> None:
    rev = run(f'revision = "r1"\n{assignment}\n')
    assert rev.revision == "r1"
    assert rev.down_revisions == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("None", ()), ('"lbl"', ("lbl",)), ('("a", "b")', ("a", "b")), ('["a"]', ("a",))],
)
def test_branch_labels_and_depends_on(value: str, expected: tuple[str, ...]) -> None:
    rev = run(
        f'revision: str = "r1"\nbranch_labels = {value}\n'
        f"depends_on: Union[str, Sequence[str], None] = {value}\n"
    )
    assert rev.branch_labels == expected
    assert rev.depends_on == expected


def test_full_header() -> None:
    rev = run(
        '''\
        """add users

        Revision ID: ae1027a6acf
        Revises: 1975ea83b712
        Create Date: 2011-11-08 12:00:00
        """
        from typing import Sequence, Union

        from alembic import op

        revision: str = "ae1027a6acf"
        down_revision: Union[str, None] = "1975ea83b712"
        branch_labels: Union[str, Sequence[str], None] = None
        depends_on: Union[str, Sequence[str], None] = None


        def upgrade() -> None:
            pass


        def downgrade() -> None:
            pass
        '''
    )
    assert rev == AlembicRevision(
        path=PATH,
        revision="ae1027a6acf",
        down_revisions=("1975ea83b712",),
        docstring=(
            "add users\n\nRevision ID: ae1027a6acf\nRevises: 1975ea83b712\n"
            "Create Date: 2011-11-08 12:00:00"
        ),
        has_upgrade=True,
        upgrade_line=17,
        upgrade_text="def upgrade() -> None:\n    pass\n",
        revision_line=11,
        down_revision_line=12,
    )


def test_no_revision_no_upgrade_no_docstring() -> None:
    rev = run("import sqlalchemy as sa\nX = 1\n")
    assert rev == AlembicRevision(path=PATH, revision=None)
    assert run('revision = None\ndown_revision = None\n').revision is None
    # a docstring must be the first statement, and a plain string
    assert run('x = 1\n"""not a docstring"""\n').docstring is None
    assert run('f"""not a docstring"""\n').docstring is None
    assert run('"""one line"""\n').docstring == "one line"


def test_dynamic_identifiers_are_problems() -> None:
    rev = extract_alembic(
        PATH,
        b'revision = make_id()\ndown_revision = ("a", BASE)\nbranch_labels = "ok"\n',
    )
    assert rev.revision is None
    assert rev.down_revisions == ()
    assert rev.branch_labels == ("ok",)
    assert [(p.code, p.line) for p in rev.problems] == [
        ("alembic-dynamic-identifier", 1),
        ("alembic-dynamic-identifier", 2),
    ]
    assert "`revision`" in rev.problems[0].message and "make_id()" in rev.problems[0].message


def test_identifiers_inside_functions_or_classes_are_ignored() -> None:
    rev = run(
        """\
        revision = "top"

        def f():
            revision = "inner"

        class C:
            down_revision = "inner"
        """
    )
    assert (rev.revision, rev.down_revisions) == ("top", ())


def test_upgrade_signatures() -> None:
    for signature in ("def upgrade() -> None:", 'def upgrade(engine_name: str = "") -> None:'):
        rev = run(f'revision = "r"\n\n{signature}\n    op.drop_table("t")\n')
        assert rev.has_upgrade and rev.upgrade_line == 3
        assert rev.operations == [AlembicOp("drop_table", 4, table=T("t", 4))]
    # decorated: the line of `def`; one-line body
    rev = run("@decorator\ndef upgrade(): op.drop_table('t')\n")
    assert rev.upgrade_line == 2
    assert rev.operations == [AlembicOp("drop_table", 2, table=T("t", 2))]
    assert rev.upgrade_text == "@decorator\ndef upgrade(): op.drop_table('t')\n"
    # the last definition wins, like at import time; a nested or method upgrade is not one
    rev = run("def upgrade():\n    op.drop_table('a')\ndef upgrade():\n    op.drop_table('b')\n")
    assert rev.operations == [AlembicOp("drop_table", 4, table=T("b", 4))]
    rev = run("class M:\n    def upgrade(self):\n        op.drop_table('a')\n")
    assert (rev.has_upgrade, rev.upgrade_line, rev.operations) == (False, None, [])


def test_downgrade_is_never_read() -> None:
    rev = run(
        """\
        from alembic import op

        def upgrade():
            op.create_table("kept")

        def downgrade():
            op.drop_table("kept")
            some_module.undo()
        """
    )
    assert rev.operations == [AlembicOp("create_table", 4, table=T("kept", 4), columns=())]
    assert rev.opaque_statements == []
    assert "downgrade" not in rev.upgrade_text


# --------------------------------------------------------------------------------------------
# schema operations
# --------------------------------------------------------------------------------------------


def test_create_table_columns() -> None:
    assert one(
        """
        op.create_table(
            "users",
            sa.Column("id", sa.Integer(), primary_key=True),
            Column("name", sa.String),
            sqlalchemy.Column(name="email", type_=sa.String),
            sa.Column(COL_NAME, sa.Integer),
            sa.Column(sa.Integer),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("email", name="uq"),
            sa.Index("ix", "name"),
            sa.Column("late", sa.Text, comment="after constraints"),
            schema="app",
        )
        """
    ) == AlembicOp(
        "create_table",
        6,
        table=T("users", 7),
        schema="app",
        columns=("id", "name", "email", "late"),
    )


def test_create_table_keyword_and_unpacked_forms() -> None:
    assert up(
        """
        op.create_table(table_name="t1", schema=None)
        op.create_table("t2", *COLUMNS)
        op.create_table("t3", sa.Column("a"), *MORE, sa.Column("b"))
        op.create_table(TABLE, sa.Column("id"), schema=SCHEMA)
        """
    ) == [
        AlembicOp("create_table", 6, table=T("t1", 6), columns=()),
        # `*COLUMNS`, `*MORE`: values the module does not define, so more columns may follow
        AlembicOp("create_table", 7, table=T("t2", 7), columns=(), columns_open=True),
        AlembicOp("create_table", 8, table=T("t3", 8), columns=("a",), columns_open=True),
        AlembicOp("create_table", 9, table=(H("TABLE", 9),), columns=("id",)),
    ]


def test_drop_and_rename_table() -> None:
    assert up(
        """
        op.drop_table("a")
        op.drop_table(table_name="b", schema="s")
        op.rename_table("old", "new")
        op.rename_table(old_table_name="o2", new_table_name="n2", schema="s")
        op.rename_table(OLD, f"{PREFIX}_new")
        """
    ) == [
        AlembicOp("drop_table", 6, table=T("a", 6)),
        AlembicOp("drop_table", 7, table=T("b", 7), schema="s"),
        AlembicOp("rename_table", 8, table=T("old", 8), new_table=T("new", 8)),
        AlembicOp("rename_table", 9, table=T("o2", 9), schema="s", new_table=T("n2", 9)),
        AlembicOp(
            "rename_table",
            10,
            table=(H("OLD", 10),),
            new_table=(H("PREFIX", 10, "fstring"), Literal("_new", 10)),
        ),
    ]


def test_column_operations() -> None:
    assert up(
        """
        op.add_column("t", sa.Column("c", sa.Integer()))
        op.add_column(table_name="t", column=sa.Column("d"), schema="s")
        op.add_column("t", sa.Column(NAME, sa.Integer()))
        op.drop_column("t", "c")
        op.drop_column(table_name="t", column_name="d", schema="s")
        op.alter_column("t", "c", new_column_name="e", existing_type=sa.Integer())
        op.alter_column("t", "e", nullable=False)
        op.alter_column(table_name="t", column_name="f", new_column_name="g", schema="s")
        op.alter_column("t", "h", new_column_name=NEW_NAME)
        """
    ) == [
        AlembicOp("add_column", 6, table=T("t", 6), columns=("c",)),
        AlembicOp("add_column", 7, table=T("t", 7), schema="s", columns=("d",)),
        AlembicOp("add_column", 8, table=T("t", 8), columns=()),
        AlembicOp("drop_column", 9, table=T("t", 9), columns=("c",)),
        AlembicOp("drop_column", 10, table=T("t", 10), schema="s", columns=("d",)),
        AlembicOp("alter_column", 11, table=T("t", 11), columns=("c",), column_rename=("c", "e")),
        AlembicOp("alter_column", 12, table=T("t", 12), columns=("e",)),
        AlembicOp(
            "alter_column",
            13,
            table=T("t", 13),
            schema="s",
            columns=("f",),
            column_rename=("f", "g"),
        ),
        AlembicOp("alter_column", 14, table=T("t", 14), columns=("h",)),
    ]


def test_index_and_constraint_operations() -> None:
    assert up(
        """
        op.create_index("ix_a", "a", ["x"], unique=True)
        op.create_index(index_name="ix_b", table_name="b", columns=["x"], schema="s")
        op.create_index(op.f("ix_c"), "c", [sa.text("lower(x)")])
        op.drop_index("ix_a", table_name="a")
        op.drop_index("ix_b", "b", schema="s")
        op.drop_index("ix_c")
        op.create_foreign_key("fk", "src", "ref", ["a_id"], ["id"])
        op.create_foreign_key(
            constraint_name=None,
            source_table="src2",
            referent_table="ref2",
            local_cols=["a"],
            remote_cols=["b"],
            source_schema="s",
            referent_schema="r",
        )
        op.drop_constraint("fk", "src", type_="foreignkey")
        op.drop_constraint(constraint_name="uq", table_name="t", schema="s")
        op.create_unique_constraint("uq", "t", ["a", "b"])
        op.create_unique_constraint(None, table_name="t2", columns=["a"], schema="s")
        op.create_check_constraint("ck", "t", "a > 0")
        op.create_check_constraint("ck", table_name="t2", condition=sa.text("a > 0"))
        op.create_primary_key("pk", "t", ["id"])
        op.create_primary_key(constraint_name="pk", table_name="t2", columns=["id"], schema="s")
        op.create_exclude_constraint("ex", "t", ("period", "&&"))
        op.create_table_comment("t", "comment")
        op.create_table_comment(table_name="t2", comment="c", schema="s")
        op.drop_table_comment("t")
        """
    ) == [
        AlembicOp("create_index", 6, table=T("a", 6)),
        AlembicOp("create_index", 7, table=T("b", 7), schema="s"),
        AlembicOp("create_index", 8, table=T("c", 8)),
        AlembicOp("drop_index", 9, table=T("a", 9)),
        AlembicOp("drop_index", 10, table=T("b", 10), schema="s"),
        AlembicOp("drop_index", 11),
        AlembicOp("create_foreign_key", 12, table=T("src", 12), referent_table=T("ref", 12)),
        AlembicOp(
            "create_foreign_key",
            13,
            table=T("src2", 15),
            schema="s",
            referent_table=T("ref2", 16),
            referent_schema="r",
        ),
        AlembicOp("drop_constraint", 22, table=T("src", 22)),
        AlembicOp("drop_constraint", 23, table=T("t", 23), schema="s"),
        AlembicOp("create_unique_constraint", 24, table=T("t", 24)),
        AlembicOp("create_unique_constraint", 25, table=T("t2", 25), schema="s"),
        AlembicOp("create_check_constraint", 26, table=T("t", 26)),
        AlembicOp("create_check_constraint", 27, table=T("t2", 27)),
        AlembicOp("create_primary_key", 28, table=T("t", 28)),
        AlembicOp("create_primary_key", 29, table=T("t2", 29), schema="s"),
        AlembicOp("create_exclude_constraint", 30, table=T("t", 30)),
        AlembicOp("create_table_comment", 31, table=T("t", 31)),
        AlembicOp("create_table_comment", 32, table=T("t2", 32), schema="s"),
        AlembicOp("drop_table_comment", 33, table=T("t", 33)),
    ]


def test_older_keyword_spellings() -> None:
    assert up(
        """
        op.create_foreign_key("fk", source="s", referent="r", local_cols=[], remote_cols=[])
        op.create_unique_constraint("uq", source="t", local_cols=["a"])
        op.drop_table(name="t")
        """
    ) == [
        AlembicOp("create_foreign_key", 6, table=T("s", 6), referent_table=T("r", 6)),
        AlembicOp("create_unique_constraint", 7, table=T("t", 7)),
        AlembicOp("drop_table", 8, table=T("t", 8)),
    ]


def test_unknown_op_method_is_recorded_and_opaque() -> None:
    assert up(
        """
        op.create_view("v_users", "SELECT 1")
        op.run_async(_do)
        op.get_bind()
        x = op.f("ix_x")
        """,
        opaque=[(6, 'op.create_view("v_users", "SELECT 1")'), (7, "op.run_async(_do)")],
    ) == [
        AlembicOp("create_view", 6, table=T("v_users", 6)),
        AlembicOp("run_async", 7),
    ]


def test_module_constants_resolve_and_op_aliases() -> None:
    rev = run(
        """\
        from alembic import op as alembic_op
        import alembic
        from app import tables

        TABLE = "users"

        def upgrade():
            alembic_op.drop_table(TABLE)
            alembic.op.drop_table(tables.AUDIT)
            alembic_op.drop_table(f"{TABLE}_old", schema=SCHEMA)
        """
    )
    assert rev.operations == [
        # a constant of this file is evaluated; one of a module outside the scan stays a hole
        AlembicOp("drop_table", 8, table=T("users", 8)),
        AlembicOp("drop_table", 9, table=(H("tables.AUDIT", 9),)),
        AlembicOp("drop_table", 10, table=T("users_old", 10)),
    ]


def test_function_locals_are_resolved_or_unresolvable() -> None:
    assert up(
        """
        name = "users"
        full = f"{name}_archive"
        op.rename_table(name, full)
        for t in ("a", "b"):
            op.drop_table(t)
        kind = "x"
        kind = "y"
        op.drop_table(kind)
        op.drop_table(get_name())
        op.drop_table(self.table)
        other = "p"
        if flag:
            other = "q"
        op.drop_table(other)
        """
    ) == [
        AlembicOp(
            "rename_table",
            8,
            table=T("users", 8),
            new_table=T("users_archive", 8),
        ),
        # a loop over literals: one operation per element, not conditional
        AlembicOp("drop_table", 10, table=T("a", 10)),
        AlembicOp("drop_table", 10, table=T("b", 10)),
        # bound twice in straight-line code: the later binding reaches the use
        AlembicOp("drop_table", 13, table=T("y", 13), snippet="op.drop_table(kind)"),
        AlembicOp("drop_table", 14, table=(H("get_name()", 14, ref=None),)),
        AlembicOp("drop_table", 15, table=(H("self.table", 15),)),
        # the second binding is under an `if`: either may reach the use, so which table the
        # revision drops is decided when it runs (not replayed, and the diagnostic says so)
        AlembicOp("drop_table", 19, table=(H("'q' if ... else 'p'", 19, ref=None),)),
    ]


# --------------------------------------------------------------------------------------------
# batch_alter_table
# --------------------------------------------------------------------------------------------


def test_batch_operations() -> None:
    assert up(
        """
        with op.batch_alter_table("t", schema="s", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("c", sa.Integer()), insert_after="b")
            batch_op.drop_column("old")
            batch_op.alter_column("c", new_column_name="d", existing_type=sa.Integer())
            batch_op.alter_column(column_name="d", nullable=False)
            batch_op.create_index("ix", ["d"])
            batch_op.drop_index("ix")
            batch_op.create_foreign_key("fk", "ref", ["d"], ["id"])
            batch_op.create_foreign_key("fk2", referent_table="ref2", local_cols=[], remote_cols=[])
            batch_op.drop_constraint("fk", type_="foreignkey")
            batch_op.create_unique_constraint("uq", ["d"])
            batch_op.create_check_constraint("ck", "d > 0")
            batch_op.create_primary_key("pk", ["id"])
            batch_op.create_table_comment("comment")
            batch_op.drop_table_comment()
            batch_op.execute("UPDATE t SET d = 0")
            batch_op.reorder_columns()
        op.drop_table("after")
        """,
        opaque=[(22, "batch_op.reorder_columns()")],
    ) == [
        # `recreate="always"`: the table is rebuilt when the block ends, whatever it holds
        AlembicOp(
            "recreate_table", 6, table=T("t", 6), schema="s",
            snippet='op.batch_alter_table("t", schema="s", recreate="always")',
        ),
        AlembicOp("add_column", 7, table=T("t", 7), schema="s", columns=("c",)),
        AlembicOp("drop_column", 8, table=T("t", 8), schema="s", columns=("old",)),
        AlembicOp(
            "alter_column", 9, table=T("t", 9), schema="s", columns=("c",),
            column_rename=("c", "d"),
        ),
        AlembicOp("alter_column", 10, table=T("t", 10), schema="s", columns=("d",)),
        AlembicOp("create_index", 11, table=T("t", 11), schema="s"),
        AlembicOp("drop_index", 12, table=T("t", 12), schema="s"),
        AlembicOp(
            "create_foreign_key", 13, table=T("t", 13), schema="s", referent_table=T("ref", 13)
        ),
        AlembicOp(
            "create_foreign_key", 14, table=T("t", 14), schema="s", referent_table=T("ref2", 14)
        ),
        AlembicOp("drop_constraint", 15, table=T("t", 15), schema="s"),
        AlembicOp("create_unique_constraint", 16, table=T("t", 16), schema="s"),
        AlembicOp("create_check_constraint", 17, table=T("t", 17), schema="s"),
        AlembicOp("create_primary_key", 18, table=T("t", 18), schema="s"),
        AlembicOp("create_table_comment", 19, table=T("t", 19), schema="s"),
        AlembicOp("drop_table_comment", 20, table=T("t", 20), schema="s"),
        AlembicOp("execute", 21, sql=T("UPDATE t SET d = 0", 21)),
        AlembicOp("reorder_columns", 22, table=T("t", 22), schema="s"),
        AlembicOp("drop_table", 23, table=T("after", 23)),
    ]


def test_batch_names_reused_nested_and_passed_to_helpers() -> None:
    rev = run(
        """\
        from alembic import op
        import sqlalchemy as sa

        def _add(batch, column):
            batch.add_column(sa.Column(column))

        def upgrade():
            with op.batch_alter_table(TABLE) as b:
                b.drop_column("x")
            with op.batch_alter_table(table_name="two") as b:
                b.drop_column("y")
                _add(b, "z")
            if flag:
                with op.batch_alter_table("three") as b:
                    b.drop_column("w")
        """
    )
    assert rev.operations == [
        AlembicOp("drop_column", 9, table=(H("TABLE", 9),), columns=("x",)),
        AlembicOp("drop_column", 11, table=T("two", 11), columns=("y",)),
        AlembicOp("add_column", 5, table=T("two", 5), columns=("z",), helper="_add"),
        AlembicOp("drop_column", 15, table=T("three", 15), columns=("w",), conditional=True),
    ]
    assert rev.opaque_statements == []


# --------------------------------------------------------------------------------------------
# bulk_insert
# --------------------------------------------------------------------------------------------


def test_bulk_insert_table_shapes() -> None:
    rev = run(
        """\
        from alembic import op
        import sqlalchemy as sa
        from sqlalchemy import table, column
        from sqlalchemy.sql import table as sql_table

        accounts = sa.table("accounts", sa.column("id"), schema="billing")
        meta = sa.MetaData()
        roles = sa.Table("roles", meta, sa.Column("id", sa.Integer))

        def upgrade():
            op.bulk_insert(sa.table("inline", sa.column("a")), [{"a": 1}])
            op.bulk_insert(accounts, ROWS)
            op.bulk_insert(roles, ROWS)
            local = table("local_t", column("a"))
            op.bulk_insert(local, ROWS)
            op.bulk_insert(sql_table(TABLE), ROWS)
            created = op.create_table("created", sa.Column("id", sa.Integer))
            op.bulk_insert(created, [{"id": 1}])
            op.bulk_insert(table=sa.table("kw"), rows=[], multiinsert=False)
            op.bulk_insert(models.User.__table__, ROWS)
            op.bulk_insert(make_table(), ROWS)
        """
    )
    assert rev.operations == [
        AlembicOp("bulk_insert", 11, table=T("inline", 11)),
        AlembicOp("bulk_insert", 12, table=T("accounts", 12), schema="billing"),
        AlembicOp("bulk_insert", 13, table=T("roles", 13)),
        AlembicOp("bulk_insert", 15, table=T("local_t", 15)),
        AlembicOp("bulk_insert", 16, table=(H("sql_table(TABLE)", 16, ref=None),)),
        AlembicOp("create_table", 17, table=T("created", 17), columns=("id",)),
        AlembicOp("bulk_insert", 18, table=T("created", 18)),
        AlembicOp("bulk_insert", 19, table=T("kw", 19)),
        AlembicOp("bulk_insert", 20, table=(H("models.User.__table__", 20),)),
        AlembicOp("bulk_insert", 21, table=(H("make_table()", 21, ref=None),)),
    ]
    assert rev.opaque_statements == []


# --------------------------------------------------------------------------------------------
# execute
# --------------------------------------------------------------------------------------------


def test_execute_shapes() -> None:
    rev = run(
        """\
        from alembic import op
        import sqlalchemy as sa
        from sqlalchemy import text
        from app import queries

        SQL_CONSTANT = "DELETE FROM audit"
        PREFIX = "app"

        def upgrade():
            op.execute("UPDATE a SET x = 1")
            op.execute(sa.text("UPDATE b SET x = 1"))
            op.execute(text("UPDATE c SET x = 1"))
            op.get_bind().execute(text("UPDATE d SET x = 1"))
            bind = op.get_bind()
            bind.execute(sa.text("UPDATE e SET x = :v"), {"v": 1})
            conn = op.get_bind()
            conn.exec_driver_sql("UPDATE f SET x = 1")
            connection.execute(text("UPDATE g SET x = 1"))
            op.execute(SQL_CONSTANT)
            op.execute(text(queries.RESET))
            op.execute(f"DROP TABLE {PREFIX}_tmp")
            op.execute("UPDATE h SET x = %s" % VALUE)
            op.execute("INSERT INTO {} VALUES (1)".format(TARGET))
            op.execute("UPDATE " + PREFIX + "_i SET x = 1")
            op.execute(sqltext="UPDATE j SET x = 1", execution_options=None)
            op.execute(sa.text("UPDATE k SET x = 1").execution_options(autocommit=True))
            rows = conn.execute(text("SELECT id FROM l")).fetchall()
            op.execute(build_sql())
            op.execute(SQL_CONSTANT if flag else "SELECT 2")
        """
    )
    lit = T
    assert rev.operations == [
        AlembicOp("execute", 10, sql=lit("UPDATE a SET x = 1", 10)),
        AlembicOp("execute", 11, sql=lit("UPDATE b SET x = 1", 11)),
        AlembicOp("execute", 12, sql=lit("UPDATE c SET x = 1", 12)),
        AlembicOp("execute", 13, sql=lit("UPDATE d SET x = 1", 13)),
        AlembicOp("execute", 15, sql=lit("UPDATE e SET x = :v", 15)),
        AlembicOp("execute", 17, sql=lit("UPDATE f SET x = 1", 17)),
        AlembicOp("execute", 18, sql=lit("UPDATE g SET x = 1", 18)),
        AlembicOp("execute", 19, sql=lit("DELETE FROM audit", 19)),  # a constant of the file
        AlembicOp("execute", 20, sql=(H("queries.RESET", 20),)),
        AlembicOp(
            "execute",
            21,
            sql=(Literal("DROP TABLE ", 21), Literal("app", 21), Literal("_tmp", 21)),
        ),
        AlembicOp("execute", 22, sql=(Literal("UPDATE h SET x = ", 22), H("VALUE", 22, "percent"))),
        AlembicOp(
            "execute",
            23,
            sql=(
                Literal("INSERT INTO ", 23),
                H("TARGET", 23, "format"),
                Literal(" VALUES (1)", 23),
            ),
        ),
        AlembicOp(
            "execute",
            24,
            sql=(Literal("UPDATE ", 24), Literal("app", 24), Literal("_i SET x = 1", 24)),
        ),
        AlembicOp("execute", 25, sql=lit("UPDATE j SET x = 1", 25)),
        AlembicOp("execute", 26, sql=lit("UPDATE k SET x = 1", 26)),
        AlembicOp("execute", 27, sql=lit("SELECT id FROM l", 27)),
        AlembicOp("execute", 28, sql=(H("build_sql()", 28, ref=None),)),
        AlembicOp("execute", 29, sql=lit("DELETE FROM audit", 29), conditional=True),
        AlembicOp("execute", 29, sql=lit("SELECT 2", 29), conditional=True),
    ]
    assert rev.opaque_statements == []


def test_execute_aliases_and_connections_in_helpers() -> None:
    rev = run(
        """\
        from alembic import op
        from sqlalchemy import DDL, text as sql_text

        def _backfill(conn, table):
            conn.execute(sql_text(f"UPDATE {table} SET a = 1"))
            session.execute(sql_text("DELETE FROM b"))

        def upgrade():
            _backfill(op.get_bind(), "users")
            op.execute(DDL("CREATE SCHEMA s"))
            op.execute(sqlalchemy.sql.expression.text("SELECT 1"))
        """
    )
    assert rev.operations == [
        AlembicOp("execute", 5, sql=T("UPDATE users SET a = 1", 5), helper="_backfill"),
        AlembicOp("execute", 6, sql=T("DELETE FROM b", 6), helper="_backfill"),
        AlembicOp("execute", 10, sql=T("CREATE SCHEMA s", 10)),
        AlembicOp("execute", 11, sql=T("SELECT 1", 11)),
    ]
    assert rev.opaque_statements == []


def test_execute_with_function_locals() -> None:
    assert up(
        """
        table = "users"
        sql = f"DELETE FROM {table} WHERE id > {LIMIT}"
        op.execute(sql)
        stmt = sa.text("UPDATE users SET a = 1")
        op.get_bind().execute(stmt)
        for name in NAMES:
            op.execute(f"DROP TABLE {name}")
        """
    ) == [
        AlembicOp(
            "execute",
            8,
            sql=(
                Literal("DELETE FROM ", 7),
                Literal("users", 7),
                Literal(" WHERE id > ", 7),
                H("LIMIT", 7, "fstring"),
            ),
        ),
        # the text's SQL where it is written, as the f-string's above
        AlembicOp("execute", 10, sql=T("UPDATE users SET a = 1", 9)),
        AlembicOp(
            "execute",
            12,
            sql=(Literal("DROP TABLE ", 12), H("name", 12, "fstring", ref=None)),
            conditional=True,
        ),
    ]


def test_execute_sqlalchemy_core_statements() -> None:
    rev = run(
        """\
        from alembic import op
        import sqlalchemy as sa

        users = sa.table("users", sa.column("active"))

        def upgrade():
            op.execute(users.update().values(active=True))
            op.execute(sa.delete(users).where(users.c.active.is_(False)))
            stmt = users.insert().values(active=True)
            op.execute(stmt)
            op.execute(sa.select(sa.literal(1)))
        """
    )
    assert rev.operations == [
        # Core statements change data on their table (never the schema)
        AlembicOp("execute", 7, table=T("users", 7)),
        AlembicOp("execute", 8, table=T("users", 8)),
        AlembicOp("execute", 10, table=T("users", 10)),
        AlembicOp("execute", 11),  # a select of no table
    ]
    assert rev.opaque_statements == []


def test_execute_sql_files() -> None:
    rev = run(
        """\
        import os
        from os.path import dirname, join
        from pathlib import Path
        from alembic import op

        HERE = Path(__file__).resolve().parent
        SQL_DIR = os.path.join(os.path.dirname(__file__), "sql")

        def upgrade():
            op.execute(open("db/x.sql").read())
            op.execute(open("db/x.sql", encoding="utf-8").read())
            op.execute(Path(__file__).parent.joinpath("sql", "a.sql").read_text())
            op.execute((Path(__file__).parent / "sql" / "b.sql").read_text(encoding="utf-8"))
            with open(os.path.join(os.path.dirname(__file__), "c.sql")) as f:
                op.execute(f.read())
            sql = Path(os.path.dirname(os.path.abspath(__file__)), "d.sql").read_text()
            op.execute(sql)
            op.execute((HERE / "e.sql").read_text())
            op.execute(open(os.path.join(SQL_DIR, "f.sql")).read())
            op.execute(sa.text((Path(__file__).parents[1] / "shared" / "g.sql").read_text()))
            op.execute(Path("db", "h.sql").read_text())
            op.execute(open(join(dirname(__file__), "..", "..", "i.sql")).read())
            op.execute(Path(__file__).with_suffix(".sql").read_text())
            op.execute(Path(__file__).with_name("k.sql").read_bytes().decode())
            op.execute(open(SQL_PATH).read())
            op.execute(Path(__file__).read_text())
        """
    )
    files = [(o.line, o.sql_file) for o in rev.operations]
    assert files == [
        (10, "db/x.sql"),
        (11, "db/x.sql"),
        (12, "alembic/versions/sql/a.sql"),
        (13, "alembic/versions/sql/b.sql"),
        (15, "alembic/versions/c.sql"),
        (17, "alembic/versions/d.sql"),
        (18, "alembic/versions/e.sql"),
        (19, "alembic/versions/sql/f.sql"),
        (20, "alembic/shared/g.sql"),
        (21, "db/h.sql"),
        (22, "i.sql"),
        (23, "alembic/versions/0001_x.sql"),
        (24, "alembic/versions/k.sql"),
        (25, None),
        (26, None),
    ]
    assert all(o.name == "execute" and not o.conditional for o in rev.operations)
    assert all(o.sql is None for o in rev.operations[:13])
    # not literal paths: left for the caller to report
    assert rev.operations[13].sql == (H("open(SQL_PATH).read()", 25, ref=None),)
    assert rev.operations[14].sql == (H("Path(__file__).read_text()", 26, ref=None),)
    assert rev.opaque_statements == []


def test_execute_sql_file_from_path_open() -> None:
    rev = run(
        """\
        from pathlib import Path
        from alembic import op

        def upgrade():
            with (Path(__file__).parent / "l.sql").open() as handle:
                op.execute(handle.read())
        """
    )
    assert rev.operations == [AlembicOp("execute", 6, sql_file="alembic/versions/l.sql")]


# --------------------------------------------------------------------------------------------
# conditional operations
# --------------------------------------------------------------------------------------------


def test_conditional_operations() -> None:
    ops = up(
        """
        op.drop_table("always")
        if op.get_bind().dialect.name == "postgresql":
            op.drop_table("if")
        elif other:
            op.drop_table("elif")
        else:
            op.drop_table("else")
        try:
            op.drop_table("try")
        except Exception:
            op.drop_table("except")
        else:
            op.drop_table("try_else")
        finally:
            op.drop_table("finally")
        for name in NAMES:
            op.drop_table("for")
        while cond():
            op.drop_table("while")
        with some_lock():
            op.drop_table("with")
        with op.get_context().autocommit_block():
            op.execute("VACUUM")
        with op.batch_alter_table("batch") as batch_op:
            batch_op.drop_column("c")
        with open("x.sql") as f:
            op.execute(f.read())
        [op.drop_table(t) for t in NAMES]
        match kind:
            case "a":
                op.drop_table("match")
        flag and op.drop_table("and")
        """,
        opaque=[],
    )
    assert [(o.line, o.conditional) for o in ops] == [
        (6, False),
        (8, True),
        (10, True),
        (12, True),
        (14, True),
        (16, True),
        (18, True),
        (20, True),
        (22, True),
        (24, True),
        (26, True),
        (28, False),
        (30, False),
        (32, False),
        (33, True),
        (36, True),
        (37, True),
    ]
    assert ops[-4].sql_file == "x.sql"


def test_nested_batch_inside_if_is_conditional() -> None:
    op_ = one(
        """
        if is_sqlite:
            with op.batch_alter_table("t") as batch_op:
                batch_op.drop_column("c")
        """
    )
    assert op_ == AlembicOp("drop_column", 8, table=T("t", 8), columns=("c",), conditional=True)


# --------------------------------------------------------------------------------------------
# helper functions
# --------------------------------------------------------------------------------------------


def test_helpers_are_followed() -> None:
    rev = run(
        """\
        from alembic import op
        import sqlalchemy as sa

        def _create_tables():
            # the tables
            op.create_table("a", sa.Column("id"))
            _indexes()

        def _indexes():
            op.create_index("ix_a", "a", ["id"])

        def _drop(name, schema=None):
            op.drop_table(name, schema=schema)

        def helper(o):
            o.drop_table("via_param")

        def unused():
            op.drop_table("never")

        def upgrade():
            _create_tables()
            if flag:
                _drop("old")
            _drop(name=TABLE, schema="s")
            helper(op)
            op.drop_table("last")

        def downgrade():
            _drop("a")
        """
    )
    assert rev.operations == [
        AlembicOp("create_table", 6, table=T("a", 6), columns=("id",), helper="_create_tables"),
        AlembicOp("create_index", 10, table=T("a", 10), helper="_create_tables"),
        AlembicOp("drop_table", 13, table=T("old", 13), conditional=True, helper="_drop"),
        AlembicOp("drop_table", 13, table=(H("name", 13, ref=None),), schema="s", helper="_drop"),
        AlembicOp("drop_table", 16, table=T("via_param", 16), helper="helper"),
        AlembicOp("drop_table", 27, table=T("last", 27)),
    ]
    assert rev.opaque_statements == []
    assert rev.upgrade_text.startswith("def upgrade():\n    _create_tables()\n")
    assert "# the tables" in rev.upgrade_text
    assert "def _indexes():" in rev.upgrade_text and "def helper(o):" in rev.upgrade_text
    assert "never" not in rev.upgrade_text and "downgrade" not in rev.upgrade_text
    # each function once, in first-visit order
    assert [
        line.split("(")[0] for line in rev.upgrade_text.splitlines() if line.startswith("def ")
    ] == ["def upgrade", "def _create_tables", "def _indexes", "def _drop", "def helper"]


def test_recursive_and_cyclic_helpers() -> None:
    rev = run(
        """\
        from alembic import op

        def _ping(n):
            op.drop_table("ping")
            _pong(n)

        def _pong(n):
            op.drop_table("pong")
            _ping(n)

        def _self():
            op.drop_table("self")
            _self()

        def upgrade():
            _ping(3)
            _self()
            upgrade()
        """
    )
    assert rev.operations == [
        AlembicOp("drop_table", 4, table=T("ping", 4), helper="_ping"),
        AlembicOp("drop_table", 8, table=T("pong", 8), helper="_ping"),
        AlembicOp("drop_table", 12, table=T("self", 12), helper="_self"),
    ]
    assert rev.opaque_statements == []


def test_helper_depth_limit() -> None:
    chain = "\n".join(
        f"def h{i}():\n    op.drop_table('t{i}')\n    h{i + 1}()\n" for i in range(12)
    )
    rev = run(f"from alembic import op\n{chain}\ndef h12():\n    pass\ndef upgrade():\n    h0()\n")
    tables = [o.table[0].text for o in rev.operations]  # type: ignore[index,union-attr]
    assert tables == [f"t{i}" for i in range(8)]  # 8 levels of helpers
    assert {o.helper for o in rev.operations} == {"h0"}
    assert rev.opaque_statements == [(32, "h8()")]


def test_local_helper_and_closure() -> None:
    rev = run(
        """\
        from alembic import op

        def upgrade():
            prefix = "app"

            def _inner(suffix):
                op.drop_table(f"{prefix}_{suffix}")

            _inner("x")
        """
    )
    assert rev.operations == [
        AlembicOp(
            "drop_table",
            7,
            table=T("app_x", 7),
            helper="_inner",
        )
    ]


def test_multidb_template_functions() -> None:
    rev = run(
        """\
        from alembic import op

        def upgrade(engine_name: str) -> None:
            globals()["upgrade_%s" % engine_name]()

        def upgrade_engine1() -> None:
            op.drop_table("one")

        def upgrade_engine2() -> None:
            op.drop_table("two")

        def downgrade_engine1() -> None:
            op.create_table("one")
        """
    )
    assert rev.operations == [
        AlembicOp("drop_table", 7, table=T("one", 7), conditional=True, helper="upgrade_engine1"),
        AlembicOp("drop_table", 10, table=T("two", 10), conditional=True, helper="upgrade_engine2"),
    ]
    assert rev.opaque_statements == []


def test_multidb_template_variant_with_globals_get() -> None:
    """`globals().get(f"upgrade_{engine_name}", lambda: None)()`: the same dispatch, read
    the same way (hasgeek/funnel's template; its 46 revisions had read as documentation
    only)."""
    rev = run(
        """\
        from alembic import op

        def upgrade(engine_name: str = "") -> None:
            globals().get(f"upgrade_{engine_name}", lambda: None)()

        def upgrade_() -> None:
            op.create_table("main_t")

        def upgrade_geo() -> None:
            op.drop_table("geo_t")

        def downgrade_() -> None:
            op.drop_table("main_t")
        """
    )
    assert rev.operations == [
        AlembicOp("create_table", 7, table=T("main_t", 7), columns=(), conditional=True,
                  helper="upgrade_"),
        AlembicOp("drop_table", 10, table=T("geo_t", 10), conditional=True, helper="upgrade_geo"),
    ]
    assert rev.opaque_statements == []


# --------------------------------------------------------------------------------------------
# documentation-only, merge, opaque statements
# --------------------------------------------------------------------------------------------


def test_documentation_only_upgrade() -> None:
    rev = run(
        '''\
        import logging
        import warnings

        from alembic import op

        log = logging.getLogger(__name__)
        revision = "doc1"
        down_revision = "base"


        def upgrade() -> None:
            """No schema change.

            fact_entities is created by sql/schema.sql.
            """
            # CREATE TABLE fact_entities (id SERIAL PRIMARY KEY)
            log.info("nothing to do for %s", revision)
            logging.getLogger(__name__).debug("really nothing")
            print("documentation only")
            warnings.warn("see sql/schema.sql")
            ...
            pass
            return None
        '''
    )
    assert rev.operations == []
    assert rev.opaque_statements == []
    assert "# CREATE TABLE fact_entities (id SERIAL PRIMARY KEY)" in rev.upgrade_text
    assert "fact_entities is created by sql/schema.sql." in rev.upgrade_text
    assert rev.upgrade_text.startswith("def upgrade() -> None:\n")


def test_merge_revision() -> None:
    rev = run(
        '''\
        """merge heads

        Revision ID: m1
        Revises: a1, b2
        """
        revision = "m1"
        down_revision = ("a1", "b2")
        branch_labels = None
        depends_on = None


        def upgrade():
            pass


        def downgrade():
            pass
        '''
    )
    assert rev == AlembicRevision(
        path=PATH,
        revision="m1",
        down_revisions=("a1", "b2"),
        docstring="merge heads\n\nRevision ID: m1\nRevises: a1, b2",
        has_upgrade=True,
        upgrade_line=12,
        upgrade_text="def upgrade():\n    pass\n",
        revision_line=6,
        down_revision_line=7,
    )


def test_opaque_statements() -> None:
    rev = run(
        """\
        from alembic import op
        import sqlalchemy as sa
        from sqlalchemy.orm import Session
        from app.migrations import backfill
        from app import models

        CHUNK = 100

        def _helper():
            session.add(models.Thing())

        def upgrade():
            bind = op.get_bind()
            session = Session(bind=bind)
            meta = sa.MetaData()
            t = sa.table("t", sa.column("a"))
            n = CHUNK * 2
            label = "x" if n else "y"
            inspector = sa.inspect(bind)
            tables = inspector.get_table_names()
            names = ", ".join(sorted(tables))
            is_pg = bind.dialect.name == "postgresql"
            backfill.run(bind)
            session.add(models.User(name="x")); session.commit()
            result = backfill.compute(bind)
            models.reset()
            _helper()
            op.drop_table("t")
            return backfill.done()
        """
    )
    assert rev.operations == [AlembicOp("drop_table", 28, table=T("t", 28))]
    assert rev.opaque_statements == [
        (23, "backfill.run(bind)"),
        (24, 'session.add(models.User(name="x"))'),
        (24, "session.commit()"),
        (25, "result = backfill.compute(bind)"),
        (26, "models.reset()"),
        (10, "session.add(models.Thing())"),
        (29, "return backfill.done()"),
    ]


def test_opaque_statement_first_line_only() -> None:
    rev = run(
        """\
        def upgrade():
            data_migrations.run(
                "users",
                chunk=100,
            )
        """
    )
    assert rev.opaque_statements == [(2, "data_migrations.run(")]


# --------------------------------------------------------------------------------------------
# unreadable files
# --------------------------------------------------------------------------------------------


def failed(source: bytes, code: str) -> FileProblem:
    rev = extract_alembic(PATH, source)
    (problem,) = rev.problems
    assert problem.code == code
    assert "not analysed" in problem.message
    assert rev == AlembicRevision(path=PATH, revision=None, problems=[problem])
    return problem


def test_syntax_error() -> None:
    problem = failed(b'revision = "r1"\n\nx = = 1\n', "alembic-syntax-error")
    assert problem.line == 3
    assert problem.message.startswith("not valid Python 3 syntax at line 3")
    assert failed(b'revision = "r1"\nprint "py2"\n', "alembic-syntax-error").line == 2


def test_nul_bytes() -> None:
    assert failed(b'revision = "r1"\n\x00\x01', "alembic-syntax-error").line == 2


def test_non_utf8_file() -> None:
    problem = failed(b'revision = "r1"\nx = "caf\xe9"\n', "alembic-decode-error")
    assert problem.line == 2
    assert failed(b"# -*- coding: no-such-codec -*-\nx = 1\n", "alembic-decode-error")


def test_latin1_coding_cookie_is_honoured() -> None:
    rev = run(b'# -*- coding: latin-1 -*-\nrevision = "caf\xe9"\n')
    assert rev.revision == "caf\u00e9"


def test_long_sql_concatenation() -> None:
    body = "op.execute(" + " + ".join(f'"{i} "' for i in range(200)) + ")"
    (op_,) = up(body)
    assert op_.name == "execute" and op_.line == FIRST
    assert op_.sql is not None and len(op_.sql) == 200 and op_.sql[-1] == Literal("199 ", FIRST)


def test_recursion_blow_up_is_a_problem_not_a_crash() -> None:
    src = b"from alembic import op\nq = " + b'"x" + ' * 1500 + b'"y"\n'
    failed(src, "alembic-recursion-limit")


# --------------------------------------------------------------------------------------------
# the sample repository's revisions
# --------------------------------------------------------------------------------------------

VERSIONS = REPO / "sample_repo" / "alembic" / "versions"


def _brief(op_: AlembicOp) -> tuple:
    def text(parts: tuple | None) -> str | None:
        if parts is None:
            return None
        return "".join(p.text if isinstance(p, Literal) else "{" + p.expr + "}" for p in parts)

    return (op_.name, op_.line, text(op_.table), op_.conditional)


SAMPLE = {
    "20251011_0900_a1b2c3d4e5f6_baseline.py": (
        "a1b2c3d4e5f6",
        (),
        22,
        [
            ("create_table", 24, "users", False),
            ("create_table", 31, "characters", False),
            ("create_table", 40, "personality_traits", False),
            ("create_table", 54, "character_values", False),
            ("create_table", 67, "character_question_templates", False),
            ("create_table", 80, "character_entity_categories", False),
            ("create_table", 93, "user_relationships", False),
            ("create_table", 102, "user_facts", False),
            ("create_table", 110, "character_attributes_old", False),
            ("create_index", 118, "personality_traits", False),
            ("create_index", 119, "user_facts", False),
        ],
    ),
    "20251012_1030_b7c8d9e0f1a2_add_character_identity.py": (
        "b7c8d9e0f1a2",
        ("a1b2c3d4e5f6",),
        21,
        [("create_table", 23, "character_identity", False)],
    ),
    "20251013_1415_c3d4e5f6a7b8_rename_character_attributes.py": (
        "c3d4e5f6a7b8",
        ("b7c8d9e0f1a2",),
        20,
        [("rename_table", 22, "character_attributes_old", False)],
    ),
    "20251014_0930_d4e5f6a7b8c9_add_user_facts_confidence.py": (
        "d4e5f6a7b8c9",
        ("c3d4e5f6a7b8",),
        21,
        [("add_column", 23, "user_facts", False)],
    ),
    "20251014_1100_e5f6a7b8c9d0_create_character_learning_timeline.py": (
        "e5f6a7b8c9d0",
        ("c3d4e5f6a7b8",),
        21,
        [
            ("execute", 25, None, False),  # id SERIAL: the text varies with a local's value,
            ("execute", 25, None, False),  # id INTEGER: both variants create the same table
            ("execute", 38, None, True),
            ("create_index", 43, "character_learning_timeline", True),
        ],
    ),
    "20251015_0800_f6a7b8c9d0e1_merge_heads.py": (
        "f6a7b8c9d0e1",
        ("d4e5f6a7b8c9", "e5f6a7b8c9d0"),
        18,
        [],
    ),
    "20251016_1600_0b1c2d3e4f5a_drop_user_relationships.py": (
        "0b1c2d3e4f5a",
        ("f6a7b8c9d0e1",),
        22,
        [("drop_table", 24, "user_relationships", False)],
    ),
    "20251019_1858_9c8b7a6f5e4d_document_enrichment_semantic_knowledge.py": (
        "9c8b7a6f5e4d",
        ("0b1c2d3e4f5a",),
        26,
        [],
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLE))
def test_sample_revisions(name: str) -> None:
    path = f"alembic/versions/{name}"
    rev = run((VERSIONS / name).read_bytes(), path=path)
    revision, down, upgrade_line, ops = SAMPLE[name]
    assert rev.revision == revision
    assert rev.down_revisions == down
    assert rev.branch_labels == () and rev.depends_on == ()
    assert rev.has_upgrade and rev.upgrade_line == upgrade_line
    assert [_brief(o) for o in rev.operations] == ops
    assert rev.opaque_statements == []
    assert rev.docstring is not None and f"Revision ID: {revision}" in rev.docstring


def test_sample_revision_details() -> None:
    def read(name: str) -> AlembicRevision:
        return run((VERSIONS / name).read_bytes(), path=f"alembic/versions/{name}")

    baseline = read("20251011_0900_a1b2c3d4e5f6_baseline.py")
    assert baseline.operations[0].columns == ("id", "username", "email", "created_at")
    assert baseline.docstring.startswith("baseline: core users and CDL character tables\n")  # type: ignore[union-attr]
    rename = read("20251013_1415_c3d4e5f6a7b8_rename_character_attributes.py")
    assert rename.operations == [
        AlembicOp(
            "rename_table",
            22,
            table=T("character_attributes_old", 22),
            new_table=T("character_attributes", 22),
        )
    ]
    confidence = read("20251014_0930_d4e5f6a7b8c9_add_user_facts_confidence.py")
    assert confidence.operations == [
        AlembicOp("add_column", 23, table=T("user_facts", 24), columns=("confidence",))
    ]
    timeline = read("20251014_1100_e5f6a7b8c9d0_create_character_learning_timeline.py")
    serial, integer = timeline.operations[0].sql, timeline.operations[1].sql
    assert serial is not None and serial[1] == Literal("SERIAL", 28)
    assert integer is not None and integer[1] == Literal("INTEGER", 28)
    assert "CREATE TABLE character_learning_timeline (" in serial[0].text  # type: ignore[union-attr]
    assert timeline.operations[2].sql == (
        Literal("CREATE INDEX ix_character_learning_timeline_learned_at ", 39),
        Literal("ON character_learning_timeline USING brin (learned_at)", 40),
    )
    doc_only = read("20251019_1858_9c8b7a6f5e4d_document_enrichment_semantic_knowledge.py")
    assert "CREATE TABLE fact_entities" in doc_only.upgrade_text
    assert "downgrade" not in doc_only.upgrade_text


def test_every_sample_revision_reads_cleanly() -> None:
    files = sorted(f for f in VERSIONS.glob("*.py") if f.name != "__init__.py")  # Alembic skips it
    assert len(files) >= len(SAMPLE)
    for file in files:
        rev = extract_alembic(f"alembic/versions/{file.name}", file.read_bytes())
        assert rev.problems == [], file.name
        assert rev.revision is not None and rev.revision in file.name
        assert rev.has_upgrade, file.name

