"""The `tabletrace` command: outputs, escaping and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.models import Report
from analyzer.render.dot import quote, render_dot

runner = CliRunner()

SMALL = {
    "app/repo.py": (
        "def f(cur):\n"
        '    cur.execute("SELECT * FROM users JOIN orders ON true")\n'
        '    cur.execute("INSERT INTO audit (x) VALUES (1)")\n'
    ),
    "sql/schema.sql": "CREATE TABLE users (id int, name text);\nCREATE TABLE dead (id int);\n",
}


def test_scan_console_report(make_repo) -> None:
    result = runner.invoke(app, ["scan", str(make_repo(SMALL))])
    assert result.exit_code == 1, result.output  # TT001 is an error: --fail-on error by default
    assert "public.users" in result.output
    assert "TT001 undefined-table" in result.output
    assert "TT002 dead-table" in result.output


def test_scan_json_to_stdout_and_file(make_repo, tmp_path: Path) -> None:
    root = make_repo(SMALL)
    result = runner.invoke(app, ["scan", str(root), "--format", "json", "--fail-on", "never"])
    assert result.exit_code == 0
    report = Report.model_validate_json(result.stdout)
    assert {t.qualified_name for t in report.tables} == {
        "public.users", "public.orders", "public.audit", "public.dead"
    }
    out = tmp_path / "out.json"
    result = runner.invoke(
        app, ["scan", str(root), "--format", "json", "--output", str(out), "--fail-on", "never"]
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["schema_version"] == "1.1"


def test_explain_lists_definitions_and_uses(make_repo) -> None:
    result = runner.invoke(app, ["explain", str(make_repo(SMALL)), "users"])
    assert result.exit_code == 0, result.output
    assert "sql/schema.sql:1" in result.output
    assert "app/repo.py:2" in result.output
    assert "SELECT * FROM users JOIN orders ON true" in result.output
    json_result = runner.invoke(
        app, ["explain", str(make_repo(SMALL)), "public.users", "--format", "json"]
    )
    data = json.loads(json_result.stdout)
    assert [(u["path"], u["line"], u["kind"]) for u in data["uses"]] == [
        ("app/repo.py", 2, "read")
    ]


def test_explain_unknown_table_is_a_usage_error(make_repo) -> None:
    result = runner.invoke(app, ["explain", str(make_repo(SMALL)), "user"])
    assert result.exit_code == 2
    assert "did you mean public.users" in result.stderr


def test_bad_path_and_bad_option_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such directory" in result.stderr
    assert runner.invoke(app, ["scan", str(tmp_path), "--format", "xml"]).exit_code == 2


def test_bad_config_exits_2_with_one_line(make_repo) -> None:
    root = make_repo({"pyproject.toml": "[tool.tabletrace]\nexclude = 3\n"})
    result = runner.invoke(app, ["scan", str(root)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "exclude" in result.stderr


def test_internal_error_exits_3(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("analyzer.cli.scan_or_stored", boom)
    result = runner.invoke(app, ["scan", str(make_repo(SMALL))])
    assert result.exit_code == 3
    assert "please report" in result.stderr


def test_schema_command_prints_the_pydantic_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    assert schema["title"] == "tabletrace report"
    assert {"schema_version", "tables", "findings", "diagnostics", "sources", "stats"} <= set(
        schema["properties"]
    )
    assert "schema" in schema["$defs"]["Table"]["properties"]


def test_dot_quote_escapes_everything_dot_treats_specially() -> None:
    assert quote('a"b') == '"a\\"b"'
    assert quote("a\\b") == '"a\\\\b"'
    assert quote("line1\nline2") == '"line1\\nline2"'


def test_graph_with_hostile_names_is_valid_dot(make_repo) -> None:
    root = make_repo(
        {
            'app/we"ird\nmod.py': 'Q = "SELECT * FROM users"\n',
            "app/repo.py": (
                "def f(cur):\n"
                "    cur.execute('SELECT * FROM \"Quote\"\"Table\"')\n"
                "    cur.execute('SELECT * FROM \"back\\\\slash\"')\n"
            ),
        }
    )
    result = runner.invoke(app, ["graph", str(root)])
    assert result.exit_code == 0, result.output
    dot_text = result.stdout
    assert dot_text.startswith("digraph tabletrace {")
    if shutil.which("dot"):
        check = subprocess.run(["dot", "-Tsvg"], input=dot_text, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_graph_svg_or_clear_message(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(SMALL)
    if shutil.which("dot"):
        result = runner.invoke(app, ["graph", str(root), "--format", "svg"])
        assert result.exit_code == 0
        assert "<svg" in result.stdout and "public.users" in result.stdout
    monkeypatch.setattr("analyzer.render.dot.shutil.which", lambda name: None)
    result = runner.invoke(app, ["graph", str(root), "--format", "svg"])
    assert result.exit_code == 2
    assert "apt-get install graphviz" in result.stderr


def test_graph_for_one_table_keeps_only_its_neighbourhood(sample_report: Report) -> None:
    table = next(t for t in sample_report.tables if t.uses and t.definitions)
    dot_text = render_dot(sample_report, table.qualified_name)
    assert dot_text.count("shape=cylinder") + dot_text.count("shape=component") == 1
    assert quote(f"{table.qualified_name}\n[{table.status}]") in dot_text


def test_a_json_scan_does_not_import_the_console_renderer(tmp_path: Path) -> None:
    """A warm scan writing JSON (CI) should not pay for the console's tables; run in a fresh
    interpreter to see what loads."""
    import sys

    sample = Path(__file__).parent.parent / "sample_repo"
    program = (
        "import sys\n"
        "from analyzer.cli import app\n"
        "sys.argv = ['tabletrace', 'scan', sys.argv[1], '-f', 'json', '-o', sys.argv[2],\n"
        "            '--fail-on', 'never', '--no-cache', '--jobs', '1']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print('analyzer.render.console' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(sample), str(tmp_path / "r.json")],
        capture_output=True, text=True, check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
    assert json.loads((tmp_path / "r.json").read_text())["tables"]


def test_a_warm_json_scan_imports_no_pipeline_policy_rules_or_renderer(tmp_path: Path) -> None:
    """A scan the cached report answers is mostly start-up: it imports neither the pipeline
    nor the policy and its rules (the cached report already went through them) nor a
    renderer JSON does not use, nor rich (the progress bar and consoles are for terminals),
    nor the report model and pydantic (it writes the report as the cache stored it:
    `analyzer.stored`). Fresh interpreters, to see what loads."""
    import sys

    sample = Path(__file__).parent.parent / "sample_repo"
    program = (
        "import sys\n"
        "from analyzer.cli import app\n"
        "sys.argv = ['tabletrace', 'scan', sys.argv[1], '-f', 'json', '-o', sys.argv[2],\n"
        "            '--fail-on', 'never', '--cache-dir', sys.argv[3], '--jobs', '1']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('analyzer.pipeline',\n"
        "    'analyzer.policy', 'analyzer.rules', 'analyzer.render.', 'libcst', 'sqlglot',\n"
        "    'rich', 'analyzer.models', 'pydantic'))\n"
        "    and m != 'analyzer.render.text'))\n"
    )
    outputs = []
    for name in ("cold.json", "warm.json"):
        done = subprocess.run(
            [sys.executable, "-c", program, str(sample), str(tmp_path / name),
             str(tmp_path / "cache")],
            capture_output=True, text=True, check=True,
        )
        outputs.append(done.stdout.strip().splitlines()[-1])
    assert "'analyzer.pipeline'" in outputs[0]  # the cold scan: what the check looks for
    assert "'pydantic'" in outputs[0] and "'analyzer.models'" in outputs[0]
    assert outputs[1] == "[]"
    assert (tmp_path / "warm.json").read_bytes() == (tmp_path / "cold.json").read_bytes()


def test_a_warm_concise_scan_renders_the_stored_report_without_the_model(
    tmp_path: Path,
) -> None:
    """The pre-commit hook's `--format concise`, answered by the stored report: the same
    lines as the cold scan's, and neither pydantic nor the report model imported. Fresh
    interpreters, to see what loads."""
    import sys

    sample = Path(__file__).parent.parent / "sample_repo"
    program = (
        "import sys\n"
        "from analyzer.cli import app\n"
        "sys.argv = ['tabletrace', 'scan', sys.argv[1], '-f', 'concise', '--fail-on',\n"
        "            'never', '--cache-dir', sys.argv[2], '--jobs', '1']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m in ('pydantic', 'analyzer.models')))\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", program, str(sample), str(tmp_path / "cache")],
            capture_output=True, text=True, check=True,
        ).stdout
        for _ in range(2)
    ]
    cold, warm = (output.rsplit("\n", 2) for output in outputs)
    assert cold[1] == "['analyzer.models', 'pydantic']" and warm[1] == "[]"
    assert warm[0] == cold[0] and cold[0].count(": TT") > 5


def test_a_warm_json_scan_gates_on_the_stored_severities(tmp_path: Path) -> None:
    """The warm JSON scan decides the exit code from the stored report's summary, not the
    report model: the same exit code and message as the cold scan, for each `--fail-on`."""
    sample = Path(__file__).parent.parent / "sample_repo"
    report = json.loads(
        runner.invoke(app, ["scan", str(sample), "-f", "json", "--no-cache", "--fail-on",
                            "never"]).stdout
    )
    counts = {s: sum(f["severity"] == s for f in report["findings"])
              for s in ("error", "warning", "info")}
    assert counts["error"] and counts["warning"]  # the sample has both: each gate can fail
    cache = tmp_path / "cache"
    for fail_on, failing in (("error", counts["error"]),
                             ("warning", counts["error"] + counts["warning"]),
                             ("never", 0)):
        runs = [
            runner.invoke(app, ["scan", str(sample), "-f", "json", "-o",
                                str(tmp_path / f"{fail_on}{n}.json"), "--cache-dir",
                                str(cache), "--jobs", "1", "--fail-on", fail_on])
            for n in (1, 2)
        ]
        for run in runs:
            assert run.exit_code == (1 if failing else 0)
            assert (f"{failing} finding(s) at or above {fail_on}" in run.stderr) == bool(failing)
        assert runs[0].stderr == runs[1].stderr
    outputs = {p.read_bytes() for p in tmp_path.glob("*.json")}
    assert len(outputs) == 1


def test_external_table_option(make_repo) -> None:
    root = make_repo({"app/q.py": 'def f(cur):\n    cur.execute("SELECT * FROM mb.artist")\n'})
    result = runner.invoke(
        app, ["scan", str(root), "--format", "json", "--no-cache", "--external-table", "mb.*"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [(t["qualified_name"], t["status"]) for t in report["tables"]] == [
        ("mb.artist", "external")
    ]
    assert report["config"]["external_tables"] == ["mb.*"]
