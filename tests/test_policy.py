"""The policy stage: selection, per-file-ignores, inline suppressions, TT100, baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer import ConfigError, scan
from analyzer.cli import app
from analyzer.models import Report
from analyzer.policy import apply_baseline, parse_baseline, render_baseline
from analyzer.policy.baseline import BaselineError
from analyzer.policy.suppression import find_suppressions

runner = CliRunner()

PY_CASES = '''def f(cur):
    cur.execute(
        """
        SELECT *
        FROM ghosts
        """
    )  # tabletrace: ignore[TT001]


def g(cur):
    cur.execute("""
        SELECT * FROM phantoms -- tabletrace: ignore[undefined-table]
    """)


def h(cur):
    cur.execute("SELECT * FROM spirits")  # tabletrace: ignore
    cur.execute("SELECT * FROM wraiths")  # tabletrace: ignore[dead-table]
    text = "# tabletrace: ignore[TT001] is only a string here"
    cur.execute("SELECT * FROM banshees")
'''
SQL_CASES = """-- the schema
CREATE TABLE old_audit (
    id int -- tabletrace: ignore[dead-table]
);
CREATE TABLE old_two (id int); -- tabletrace: ignore[TT002, TT009]
CREATE TABLE old_three (id int);
-- tabletrace: ignore[TT002]
CREATE TABLE old_four (id int);
"""


def found(report: Report) -> set[tuple[str, str, int | None]]:
    return {(f.code, f.table or f.path or "", f.line) for f in report.findings}


def test_suppressions_in_python_and_sql(make_repo) -> None:
    report = scan(make_repo({"app/repo.py": PY_CASES, "sql/schema.sql": SQL_CASES}))
    assert found(report) == {
        # a suppression naming another rule does not silence this one
        ("TT001", "public.wraiths", 18),
        # `#` inside a string is not a comment
        ("TT001", "public.banshees", 20),
        ("TT002", "public.old_three", 6),
        # a comment on the line before a statement covers nothing
        ("TT002", "public.old_four", 8),
        ("TT100", "app/repo.py", 18),
        ("TT100", "sql/schema.sql", 5),
        ("TT100", "sql/schema.sql", 7),
    }
    messages = {(f.path, f.line): f.message for f in report.findings if f.code == "TT100"}
    assert messages[("sql/schema.sql", 5)].startswith(
        "`tabletrace: ignore[TT002,TT009]` silences no TT009 finding"
    )
    assert messages[("app/repo.py", 18)].startswith(
        "`tabletrace: ignore[dead-table]` silences no dead-table finding"
    )
    # statuses are facts, not findings: a silenced dead table is still dead
    assert report.table("old_audit").status == "dead"
    assert report.stats.suppressed == {"comment": 5}
    assert report.stats.findings == {
        "dead-table": 2, "undefined-table": 2, "unused-suppression": 3
    }


def test_a_finding_citing_several_locations_is_silenced_by_any(make_repo) -> None:
    files = {
        "a.py": 'Q = "SELECT * FROM nowhere"\n',
        "b.py": 'R = "SELECT * FROM nowhere"\n',
    }
    report = scan(make_repo(files))
    assert [(f.code, [loc.path for loc in f.locations]) for f in report.findings] == [
        ("TT001", ["a.py", "b.py"])
    ]
    files["b.py"] = 'R = "SELECT * FROM nowhere"  # tabletrace: ignore[undefined-table]\n'
    report = scan(make_repo(files))
    assert report.findings == []
    assert report.stats.suppressed == {"comment": 1}


def test_suppression_comment_parsing() -> None:
    source = (
        b"x = 1  # noqa: E501  # tabletrace: ignore[TT001, dead-table]\n"
        b"y = 2  # tabletrace: ignored\n"
        b"z = 3  # tabletrace:ignore\n"
    )
    parsed = [(s.line, s.rules, sorted(s.lines)) for s in find_suppressions("m.py", source)]
    assert parsed == [(1, ("TT001", "dead-table"), [1]), (3, None, [3])]
    assert find_suppressions("m.py", b"x = 1\n") == []
    # a file that does not tokenize still has its comments read, line by line
    broken = b"def f(:\n    pass  # tabletrace: ignore[TT004]\n"
    assert [(s.line, s.rules) for s in find_suppressions("m.py", broken)] == [(2, ("TT004",))]


def test_unknown_rule_in_a_comment_is_reported(make_repo) -> None:
    sql = "CREATE TABLE t (id int); -- tabletrace: ignore[TT999]\n"
    report = scan(make_repo({"sql/a.sql": sql}))
    assert found(report) == {("TT002", "public.t", 1), ("TT100", "sql/a.sql", 1)}
    unused = next(f for f in report.findings if f.code == "TT100")
    assert "names no rule: TT999" in unused.message


SELECTION_FILES = {
    "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM ghosts")\n',
    "sql/schema.sql": "CREATE TABLE users (id int);\n",
    "legacy/old.sql": "CREATE TABLE relic (id int); -- tabletrace: ignore[TT002]\n",
}


def codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]


def test_select_ignore_and_extend_select(make_repo) -> None:
    root = make_repo(SELECTION_FILES)
    assert codes(scan(root)) == ["TT001", "TT002"]
    assert codes(scan(root, {"select": ["undefined-table"]})) == ["TT001"]
    assert codes(scan(root, {"select": ["TT001"], "extend_select": ["TT002"]})) == [
        "TT001", "TT002",
    ]
    assert codes(scan(root, {"ignore": ["tt001"]})) == ["TT002"]
    assert codes(scan(root, {"select": ["ALL"], "ignore": ["TT001", "TT002"]})) == []
    # a comment about a rule that is not selected is not "unused"
    assert codes(scan(root, {"select": ["TT001"]})) == ["TT001"]
    with pytest.raises(ConfigError, match="'TT999' is not a rule"):
        scan(root, {"ignore": ["TT999"]})


def test_pyproject_keys_kebab_case_and_per_file_ignores(make_repo) -> None:
    pyproject = (
        "[tool.tabletrace]\n"
        'extend-select = ["TT002"]\n'
        'ignore = ["dynamic-table-name"]\n'
        "[tool.tabletrace.per-file-ignores]\n"
        '"legacy/**" = ["dead-table"]\n'
        '"app/*.py" = ["TT001"]\n'
    )
    report = scan(make_repo({**SELECTION_FILES, "pyproject.toml": pyproject}))
    # relic is left out by per-file-ignores first, so its comment silenced nothing
    assert found(report) == {("TT002", "public.users", 1), ("TT100", "legacy/old.sql", 1)}
    assert report.stats.suppressed == {"per-file-ignores": 2}
    assert report.config["per_file_ignores"] == {"legacy/**": ["dead-table"], "app/*.py": ["TT001"]}


def test_cli_rule_options_add_to_the_configuration(make_repo) -> None:
    pyproject = '[tool.tabletrace]\nignore = ["TT002"]\n'
    root = make_repo({**SELECTION_FILES, "pyproject.toml": pyproject})

    def run(*options: str) -> list[str]:
        result = runner.invoke(app, ["scan", str(root), "-f", "json", "--no-cache", *options])
        assert result.exit_code in (0, 1), result.output
        return codes(Report.model_validate_json(result.stdout))

    assert run() == ["TT001"]
    assert run("--ignore", "TT001") == []  # added to the configured ignore
    assert run("--select", "TT002", "--ignore", "") == []
    assert run("--select", "TT001,TT002") == ["TT001"]  # the configured ignore still applies
    bad = runner.invoke(app, ["scan", str(root), "--select", "no-such-rule", "--no-cache"])
    assert bad.exit_code == 2
    assert bad.stderr == (
        "tabletrace: --select: 'no-such-rule' is not a rule code or name "
        "(`tabletrace rules` lists them)\n"
    )


# ---- baselines ------------------------------------------------------------------------------

BASE_FILES = {
    "app/repo.py": (
        "def f(cur):\n"
        '    cur.execute("SELECT * FROM ghosts")\n'
        "\n"
        "def g(cur, name):\n"
        '    cur.execute(f"DELETE FROM {name}")\n'
    ),
    "sql/schema.sql": "CREATE TABLE old_audit (id int);\n",
}


def test_fingerprints_are_stable_unique_and_line_free(make_repo) -> None:
    first = scan(make_repo(BASE_FILES))
    prints = [f.fingerprint for f in first.findings]
    assert len(set(prints)) == len(prints) == 3 and all(prints)
    shifted = {path: "\n\n# moved\n" + text for path, text in BASE_FILES.items()}
    shifted["sql/schema.sql"] = "-- moved\n\n" + BASE_FILES["sql/schema.sql"]
    second = scan(make_repo(shifted))
    assert [f.line for f in second.findings] != [f.line for f in first.findings]
    assert [f.fingerprint for f in second.findings] == prints
    # two identical dynamic statements in one file still get distinct fingerprints
    twice = dict(BASE_FILES)
    twice["app/repo.py"] += '\ndef h(cur, name):\n    cur.execute(f"DELETE FROM {name}")\n'
    dynamic = [f.fingerprint for f in scan(make_repo(twice)).findings if f.code == "TT004"]
    assert len(dynamic) == 2 and dynamic[1] == dynamic[0] + "#2"


def test_baseline_workflow_through_the_cli(make_repo, tmp_path: Path) -> None:
    root = make_repo(BASE_FILES)
    baseline = tmp_path / "baseline.json"
    written = runner.invoke(app, ["scan", str(root), "--write-baseline", str(baseline)])
    assert written.exit_code == 0, written.output
    assert "wrote 3 finding(s) to the baseline" in written.stderr
    entries = json.loads(baseline.read_text())["findings"]
    assert [(e["code"], e["table"], e["path"]) for e in entries] == [
        ("TT001", "public.ghosts", "app/repo.py"),
        ("TT002", "public.old_audit", "sql/schema.sql"),
        ("TT004", None, "app/repo.py"),
    ]
    clean = runner.invoke(app, ["scan", str(root), "-f", "concise", "--baseline", str(baseline)])
    assert clean.exit_code == 0 and clean.stdout == ""  # the error is accepted
    # lines move and a new problem appears: only the new one is reported
    changed = dict(BASE_FILES)
    changed["app/repo.py"] = (
        '"""Docstring added above everything."""\n\n\n' + BASE_FILES["app/repo.py"]
        + '\ndef h(cur):\n    cur.execute("SELECT * FROM spectres")\n'
    )
    root = make_repo(changed)
    result = runner.invoke(
        app, ["scan", str(root), "-f", "json", "--baseline", str(baseline), "--no-cache"]
    )
    assert result.exit_code == 1
    report = Report.model_validate_json(result.stdout)
    assert found(report) == {("TT001", "public.spectres", 11)}
    assert report.stats.suppressed == {"baseline": 3}
    # a fixed finding leaves a stale entry, which is said on stderr
    fixed = dict(BASE_FILES, **{"sql/schema.sql": "CREATE TABLE old_audit (id int);\n"})
    fixed["app/repo.py"] = BASE_FILES["app/repo.py"].replace("ghosts", "old_audit")
    result = runner.invoke(app, ["scan", str(make_repo(fixed)), "--baseline", str(baseline)])
    assert result.exit_code == 0
    assert "2 baseline entries no longer match" in result.stderr  # ghosts gone, old_audit used


def test_baseline_errors_are_usage_errors(make_repo, tmp_path: Path) -> None:
    root = make_repo(BASE_FILES)
    for content, message in (
        ("{", "invalid JSON"),
        ('{"findings": []}', "no 'tabletrace_baseline' key"),
        ('{"tabletrace_baseline": 9, "findings": []}', "format 9 is not supported"),
        ('{"tabletrace_baseline": 1, "findings": [1]}', "must be a list of objects"),
    ):
        with pytest.raises(BaselineError, match=message):
            parse_baseline(content)
        target = tmp_path / "b.json"
        target.write_text(content)
        result = runner.invoke(app, ["scan", str(root), "--baseline", str(target)])
        assert result.exit_code == 2 and message in result.stderr
    missing = runner.invoke(app, ["scan", str(root), "--baseline", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "cannot read the baseline" in missing.stderr


def test_apply_baseline_api(make_repo) -> None:
    report = scan(make_repo(BASE_FILES))
    outcome = apply_baseline(report, parse_baseline(render_baseline(report)))
    assert outcome.report.findings == [] and outcome.matched == 3 and outcome.stale == 0
    assert outcome.report.stats.findings == {}
    assert outcome.report.stats.suppressed == {"baseline": 3}
