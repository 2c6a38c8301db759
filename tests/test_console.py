"""The console report stays readable on big repositories: nothing cut, labels explained,
findings grouped by rule with the first few shown."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from analyzer import scan
from analyzer.cli import app
from analyzer.models import Finding, Report
from analyzer.render.console import DEFAULT_LIMIT, INVENTORY_LEGEND, render_text

runner = CliRunner()

LONG_DIR = "services/" + "very_long_package_name_" * 3 + "x"
LONG_TABLE = "a_table_name_so_long_that_it_cannot_fit_in_its_column_at_all"
FILES = {
    f"{LONG_DIR}/repo.py": (
        "def f(cur):\n"
        f'    cur.execute("SELECT * FROM {LONG_TABLE}")\n'
        '    cur.execute("SELECT * FROM shared")\n'
        '    cur.execute("SELECT * FROM ghost_table")\n'
    ),
    "sql/a.sql": f"CREATE TABLE {LONG_TABLE} (id int);\nCREATE TABLE shared (id int);\n",
    "sql/b.sql": "CREATE TABLE shared (id int, name text);\n",
    "sql/dead.sql": "".join(f"CREATE TABLE dead_{i:02d} (id int);\n" for i in range(12)),
}


def test_paths_and_table_names_are_never_broken(make_repo) -> None:
    report = scan(make_repo(FILES))
    text = render_text(report, limit=None)
    path = f"{LONG_DIR}/repo.py:4"  # cited by TT001 for ghost_table
    assert len(path) > 80
    assert re.search(rf"^\s+{re.escape(path)}$", text, re.MULTILINE)  # whole, on its line
    # the inventory gives a long name a line of its own rather than cutting it
    assert re.search(rf"^ public\.{LONG_TABLE}$", text, re.MULTILINE)
    for line in text.splitlines():
        if len(line) > 80:
            assert len(line.split()) == 1, line  # only an unbreakable word goes past 80


def test_labels_are_explained_and_never_truncated(make_repo) -> None:
    text = render_text(scan(make_repo(FILES)))
    shared = next(line for line in text.splitlines() if line.startswith(" public.shared "))
    assert shared.split()[1:] == ["sql(2)", "1", "mod", "(r)", "used"]
    assert "…" not in text
    legend = " ".join(INVENTORY_LEGEND.split())
    assert legend in " ".join(text.split())


def test_findings_are_grouped_and_limited_per_rule(make_repo) -> None:
    report = scan(make_repo(FILES))
    dead = [f for f in report.findings if f.code == "TT002"]
    assert len(dead) == 12 > DEFAULT_LIMIT
    text = render_text(report)
    assert "TT002 dead-table: 12 warnings\n" in text
    assert text.count("    public.dead_") == DEFAULT_LIMIT  # subject lines of the shown ones
    assert "  ... 7 more dead-table findings (--show-all lists every finding;" in text
    full = render_text(report, limit=None)
    assert full.count("    public.dead_") == 12 and "more dead-table findings" not in full
    cli = runner.invoke(app, ["scan", str(make_repo(FILES)), "--show-all", "--no-cache"])
    assert cli.stdout.count("  public.dead_") >= 12


def test_no_none_where_a_line_is_unknown(sample_report: Report) -> None:
    finding = Finding(
        code="TT010", name="multiple-heads", severity="error", table=None,
        path="alembic/env.py", line=None, message="two heads",
        locations=[{"path": "alembic/env.py", "line": None}],
    )
    report = sample_report.model_copy(update={"findings": [finding]})
    text = render_text(report)
    assert ":None" not in text and "alembic/env.py\n" in text


def test_diagnostics_grouped_by_code(make_repo) -> None:
    files = {f"app/py2_{i}.py": "print 'x'\n" for i in range(8)}
    text = render_text(scan(make_repo(files)))
    assert "python-syntax-error: 8\n" in text
    assert text.count("  app/py2_") == DEFAULT_LIMIT
    assert "... 3 more python-syntax-error diagnostics (--show-all)" in text


def test_suppressed_findings_are_counted_in_the_summary(make_repo) -> None:
    files = dict(FILES)
    files["sql/dead.sql"] = "CREATE TABLE dead_00 (id int); -- tabletrace: ignore[TT002]\n"
    text = render_text(scan(make_repo(files)))
    assert "; 1 suppressed (1 by comments)" in text
