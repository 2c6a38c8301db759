"""Alembic as a migration source: environments, revision graphs, replay and findings."""

from __future__ import annotations

from textwrap import dedent

from typer.testing import CliRunner

from analyzer import Report, scan
from analyzer.cli import app
from analyzer.render.dot import render_revisions_dot


def revision(rev: str, down: str | None, body: str = "pass", header: str = "") -> str:
    down_text = repr(down) if down is None or isinstance(down, str) else repr(tuple(down))
    return (
        f'"""{rev}"""\nfrom alembic import op\nimport sqlalchemy as sa\n{header}\n'
        f'revision = "{rev}"\ndown_revision = {down_text}\n\n\ndef upgrade():\n'
        + "".join(f"    {line}\n" for line in dedent(body).strip().splitlines())
        + "\n\ndef downgrade():\n    op.drop_table('never_counted')\n"
    )


INI = {"alembic.ini": "[alembic]\nscript_location = migrations\n"}
V = "migrations/versions"


def findings(report: Report, name: str) -> list[tuple[str | None, str | None, int | None]]:
    return [(f.table, f.path, f.line) for f in report.findings if f.name == name]


def head(report: Report, env: str = "migrations") -> dict[str, list[str] | None]:
    return {
        t.qualified_name: s.columns
        for t in report.tables
        for s in t.states
        if s.source == f"alembic:{env}"
    }


def test_environments_from_ini_pyproject_and_fallback(make_repo) -> None:
    root = make_repo(
        {
            "db/alembic.ini": (
                "[alembic]\nscript_location = %(here)s/main\n"
                "version_locations = %(here)s/main/versions %(here)s/extra_versions\n"
            ),
            "db/main/versions/a1.py": revision("a1", None, 'op.create_table("a", sa.Column("x"))'),
            "db/extra_versions/b1.py": revision("b1", "a1", 'op.create_table("b", sa.Column("y"))'),
            "pyproject.toml": '[tool.alembic]\nscript_location = "side"\n',
            "side/versions/s1.py": revision("s1", None, 'op.create_table("s", sa.Column("z"))'),
            "loose/migrations/l1.py": revision("l1", None, 'op.create_table("l", sa.Column("w"))'),
        }
    )
    report = scan(root)
    environments = {r.environment: set() for r in report.revisions}
    for r in report.revisions:
        environments[r.environment].add(r.revision)
    assert environments == {
        "db/main": {"a1", "b1"},
        "side": {"s1"},
        "loose/migrations": {"l1"},
    }
    assert head(report, "db/main") == {"public.a": ["x"], "public.b": ["y"]}
    assert head(report, "side") == {"public.s": ["z"]}
    assert head(report, "loose/migrations") == {"public.l": ["w"]}
    assert report.stats.alembic_revisions == 4
    # revision files are never application code
    assert all(not t.uses for t in report.tables)


def test_branches_merges_and_depends_on_replay_in_graph_order(make_repo) -> None:
    root = make_repo(
        {
            **INI,
            # file names sort against the graph order on purpose
            f"{V}/z_base.py": revision(
                "base", None, 'op.create_table("items", sa.Column("id"), sa.Column("old"))'
            ),
            f"{V}/y_left.py": revision("left", "base", 'op.add_column("items", sa.Column("l"))'),
            f"{V}/x_right.py": revision(
                "right", "base",
                'op.alter_column("items", "old", new_column_name="renamed")',
                header='depends_on = "left"',
            ),
            f"{V}/w_merge.py": revision("merge", ["left", "right"]),
            f"{V}/v_after.py": revision("after", "merge", 'op.drop_column("items", "l")'),
        }
    )
    report = scan(root)
    order = [r.revision for r in sorted(report.revisions, key=lambda r: r.order)]
    assert order == ["base", "left", "right", "merge", "after"]
    assert head(report) == {"public.items": ["id", "renamed"]}
    categories = {r.revision: r.category for r in report.revisions}
    assert categories == {
        "base": "schema", "left": "schema", "right": "schema", "merge": "merge", "after": "schema"
    }
    assert [r.revision for r in report.revisions if r.is_head] == ["after"]
    assert findings(report, "multiple-heads") == []
    assert findings(report, "documentation-only-migration") == []
    assert findings(report, "broken-revision-graph") == []
    assert "never_counted" not in report.to_json()


def test_several_heads_and_broken_graphs_are_findings_with_lines(make_repo) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision("a", None),
            f"{V}/b.py": revision("b", "a"),
            f"{V}/c.py": revision("c", "a"),
            f"{V}/d.py": revision("d", "missing"),
            f"{V}/e.py": revision("b", "a"),
            f"{V}/f.py": revision("f", "g"),
            f"{V}/g.py": revision("g", "f"),
        }
    )
    report = scan(root)
    broken = sorted(
        (f.path, f.line, f.message.split(":")[0])
        for f in report.findings
        if f.name == "broken-revision-graph"
    )
    assert broken == [
        (f"{V}/d.py", 6, "missing-parent"),
        (f"{V}/e.py", 5, "duplicate-revision"),
        (f"{V}/f.py", 6, "cycle"),
    ]
    heads = [f for f in report.findings if f.name == "multiple-heads"]
    assert len(heads) == 1
    assert "3 heads (b, c, d)" in heads[0].message
    assert [(loc.path, loc.line) for loc in heads[0].locations] == [
        (f"{V}/b.py", 5), (f"{V}/c.py", 5), (f"{V}/d.py", 5)
    ]


def test_rename_then_code_using_the_old_name(make_repo) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision("a", None, 'op.create_table("prompts", sa.Column("id"))'),
            f"{V}/b.py": revision("b", "a", 'op.rename_table("prompts", "templates")'),
            "sql/legacy.sql": "CREATE TABLE prompts (id int);\n",
            "app/repo.py": (
                "def f(cur):\n"
                '    cur.execute("SELECT * FROM prompts")\n'
                '    cur.execute("SELECT * FROM templates")\n'
            ),
        }
    )
    report = scan(root)
    dropped = [f for f in report.findings if f.name == "dropped-table-in-use"]
    assert [(f.table, f.path, f.line) for f in dropped] == [
        ("public.prompts", f"{V}/b.py", 10)
    ]
    assert "renamed to public.templates" in dropped[0].message
    assert "revision b" in dropped[0].message
    assert head(report) == {"public.templates": ["id"]}
    templates = report.table("templates")
    assert templates is not None and templates.status == "used"
    assert [(d.operation, d.revision, d.detail) for d in templates.definitions] == [
        ("rename_to", "b", "renamed from public.prompts")
    ]


def test_drift_between_alembic_and_pg_dump(make_repo) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision(
                "a", None,
                'op.create_table("users", sa.Column("id"), sa.Column("email"), '
                'sa.Column("created_at"))',
            ),
            "sql/00_init.sql": (
                "CREATE TABLE public.users (\n    id integer NOT NULL,\n    email text,\n"
                "    login text\n);\n"
            ),
            "app/repo.py": 'Q = "SELECT email FROM users"\n',
        }
    )
    report = scan(root)
    drift = [f for f in report.findings if f.name == "definition-drift"]
    assert [(f.table, f.severity) for f in drift] == [("public.users", "warning")]
    assert "compared with migrations (alembic)" in drift[0].message
    assert "sql lacks created_at and adds login" in drift[0].message
    assert {(loc.path, loc.line) for loc in drift[0].locations} == {
        (f"{V}/a.py", 10), ("sql/00_init.sql", 1)
    }


def test_documentation_data_and_opaque_revisions(make_repo) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision("a", None, 'op.create_table("users", sa.Column("id"))'),
            f"{V}/b.py": revision(
                "b", "a",
                """
                # fact_entities and entity_relationships live in sql/graph.sql
                logger.info("nothing to do for users")
                pass
                """,
            ),
            f"{V}/c.py": revision("c", "b", 'op.execute("UPDATE users SET id = id + 0")'),
            f"{V}/d.py": revision("d", "c", "backfill.run(op.get_bind())"),
            "sql/graph.sql": (
                "CREATE TABLE fact_entities (id int);\n"
                "CREATE TABLE entity_relationships (id int);\n"
            ),
        }
    )
    report = scan(root)
    categories = {r.revision: r.category for r in report.revisions}
    assert categories == {"a": "schema", "b": "documentation", "c": "data", "d": "opaque"}
    documented = {
        (t.qualified_name, d.line)
        for t in report.tables
        for d in t.definitions
        if d.operation == "document"
    }
    assert documented == {
        ("public.fact_entities", 10),
        ("public.entity_relationships", 10),
        ("public.users", 11),
    }
    doc = [f for f in report.findings if f.name == "documentation-only-migration"]
    assert [(f.path, f.line) for f in doc] == [(f"{V}/b.py", 9)]
    assert "public.entity_relationships, public.fact_entities, public.users" in doc[0].message
    # `users` is in the head state (revision a), the two others are not at all
    assert doc[0].message.endswith(
        "whatever it says was done to them is not in the Alembic head state "
        "(public.entity_relationships, public.fact_entities not at all)"
    )
    users = report.table("users")
    assert users is not None
    assert ("data", "c") in {(d.operation, d.revision) for d in users.definitions}
    assert users.uses == []  # migration data changes are not application uses


def test_an_empty_revision_naming_no_table_is_an_empty_step(make_repo) -> None:
    report = scan(make_repo({
        **INI,
        f"{V}/a.py": revision("a", None, 'op.create_table("users", sa.Column("id"))'),
        f"{V}/b.py": revision("b", "a", "pass"),
        "app/q.py": 'def f(cur):\n    cur.execute("SELECT id FROM users")\n',
    }))
    (doc,) = [f for f in report.findings if f.name == "documentation-only-migration"]
    # an emptied link of the chain (pgAdmin's): an info, naming nothing it stood for
    assert (doc.severity, doc.message) == ("info", (
        "revision b performs no schema or data operation (its upgrade() holds only a "
        "docstring, comments or pass): an empty step of the history, naming no table (if a "
        "change was made elsewhere in its place, the Alembic head state lacks it)"
    ))


def test_conditional_constant_and_sql_file_operations(make_repo) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision(
                "a", None,
                """
                op.create_table(TABLE, sa.Column("id"))
                if op.get_bind().dialect.name == "postgresql":
                    op.execute("CREATE TABLE pg_only (id int)")
                op.execute((Path(__file__).parent / "sql" / "extra.sql").read_text())
                op.execute(open("db/shared.sql").read())
                op.execute(open("db/missing.sql").read())
                """,
                header='from pathlib import Path\nTABLE = "Users"',
            ),
            f"{V}/sql/extra.sql": (
                "-- beside the revision\nCREATE TABLE extra (id int, note text);\n"
            ),
            "db/shared.sql": "CREATE TABLE shared (id int);\n",
        }
    )
    report = scan(root)
    assert head(report) == {
        'public."Users"': ["id"],
        "public.pg_only": ["id"],
        "public.extra": ["id", "note"],
        "public.shared": ["id"],
    }
    pg_only = report.table("pg_only")
    assert pg_only is not None
    assert [(d.conditional, d.detail) for d in pg_only.definitions] == [
        (True, "conditional (inside if/try)")
    ]
    extra = report.table("extra")
    assert extra is not None
    assert [(d.path, d.line, d.revision) for d in extra.definitions] == [
        (f"{V}/sql/extra.sql", 2, "a")
    ]
    # SQL files that a revision reads belong to its history, not to the raw SQL sources
    assert [s.id for s in report.sources] == ["alembic:migrations"]
    assert [(d.path, d.code) for d in report.diagnostics] == [
        (f"{V}/a.py", "alembic-sql-file-missing")
    ]


def test_history_command_follows_renames_across_sources(make_repo) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision("a", None, 'op.create_table("prompts", sa.Column("id"))'),
            f"{V}/b.py": revision("b", "a", 'op.rename_table("prompts", "templates")'),
            "sql/init.sql": "CREATE TABLE templates (id int);\n",
            "app/repo.py": (
                'Q = "SELECT * FROM templates"\nR = "INSERT INTO templates VALUES (1)"\n'
            ),
        }
    )
    result = CliRunner().invoke(app, ["history", str(root), "templates"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    assert lines[0] == "public.templates  [used]"
    body = "\n".join(lines)
    created = body.index("created      public.prompts in revision a at migrations/versions/a.py:10")
    renamed = body.index(
        "renamed      public.prompts -> public.templates in revision b at "
        "migrations/versions/b.py:10"
    )
    assert "renamed away" not in body
    sql = body.index("created      at sql/init.sql:1")
    assert created < renamed < sql
    assert "used by 1 module (read 1, write 1): app.repo" in body


def test_revisions_dot(make_repo, tmp_path) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision("a", None, 'op.create_table("items", sa.Column("id"))'),
            f"{V}/b.py": revision("b", "a", 'op.drop_table("items")'),
            f"{V}/c.py": revision("c", "a", header='depends_on = "b"'),
        }
    )
    report = scan(root)
    dot_text = render_revisions_dot(report)
    assert dot_text.startswith("digraph revisions {")
    assert '"a (schema)\\na\\n+items"' in dot_text
    assert '"b (schema)\\nb\\n-items"' in dot_text
    assert "r1 -> r2;" in dot_text and "r1 -> r3;" in dot_text
    assert 'r2 -> r3 [style=dashed, label="depends_on"' in dot_text
    result = CliRunner().invoke(app, ["graph", str(root), "--revisions"])
    assert result.exit_code == 0 and result.stdout == dot_text
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "x.sql").write_text("CREATE TABLE x (id int);\n")
    no_alembic = CliRunner().invoke(app, ["graph", str(plain), "--revisions"])
    assert no_alembic.exit_code == 2
    assert "no Alembic revisions" in no_alembic.stderr


def definition_lines(report: Report) -> dict[str, list[tuple[int, str]]]:
    """Each table's definitions as (line, operation), in report order."""
    return {t.name: [(d.line, d.operation) for d in t.definitions] for t in report.tables}


def test_sql_run_through_text_params_is_cited_at_its_own_lines(make_repo) -> None:
    """`conn.execute(sa.text(\"\"\"...\"\"\").params(...))` runs the text's SQL (SQLAlchemy says
    so below): each table is cited on the line that names it, as for `op.execute("...")`,
    not at the call's line plus the text's newlines."""
    import sqlalchemy as sa

    clause = sa.text("UPDATE widgets SET id = :id").params(id=2)
    assert isinstance(clause, sa.TextClause) and clause.text == "UPDATE widgets SET id = :id"
    body = '''
        op.create_table("widgets", sa.Column("id", sa.Integer))
        conn = op.get_bind()
        conn.execute(
            sa.text(
                """
                UPDATE widgets SET id = :id
                """
            ).params(id=2)
        )
        '''
    root = make_repo({**INI, f"{V}/a1.py": revision("a1", None, body)})
    assert definition_lines(scan(root)) == {"widgets": [(10, "create"), (15, "data")]}


def test_sql_bound_to_a_local_text_clause_is_cited_at_its_own_lines(make_repo) -> None:
    """`statement = text(\"\"\"...\"\"\")` then `conn.execute(statement)`: each statement of the
    text is cited where it is written (it was cited at the execute line plus the text's
    newlines: lines below the execute that say nothing of it)."""
    body = '''
        op.create_table("widgets", sa.Column("id", sa.Integer))
        op.create_table("gadgets", sa.Column("id", sa.Integer))
        conn = op.get_bind()
        statement = text(
            """
            UPDATE widgets SET id = 1;
            UPDATE gadgets SET id = 2;
            """
        )
        conn.execute(statement)
        '''
    header = "from sqlalchemy import text"
    root = make_repo({**INI, f"{V}/a1.py": revision("a1", None, body, header=header)})
    assert definition_lines(scan(root)) == {
        "widgets": [(10, "create"), (15, "data")], "gadgets": [(11, "create"), (16, "data")],
    }


def test_sql_the_evaluator_computed_is_cited_where_it_runs(make_repo) -> None:
    """`op.execute(RESET)` with a module-level multi-line constant: its tables are cited at
    the execute, as application code cites a constant at its execute, not at the execute's
    line plus the constant's newlines (lines that say nothing of them)."""
    header = 'RESET = """\nUPDATE widgets SET id = 1;\nUPDATE gadgets SET id = 2;\n"""'
    body = """
        op.create_table("widgets", sa.Column("id", sa.Integer))
        op.create_table("gadgets", sa.Column("id", sa.Integer))
        op.execute(RESET)
        """
    root = make_repo({**INI, f"{V}/a1.py": revision("a1", None, body, header=header)})
    assert definition_lines(scan(root)) == {
        "widgets": [(13, "create"), (15, "data")], "gadgets": [(14, "create"), (15, "data")],
    }
