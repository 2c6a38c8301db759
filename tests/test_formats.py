"""Machine formats: concise, github, SARIF (official schema), JUnit (Jenkins' XSD), statistics."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from analyzer import scan
from analyzer.cli import app
from analyzer.models import Report
from analyzer.render.concise import render_concise, render_concise_json
from analyzer.render.github import escape_data, escape_property, render_github
from analyzer.render.junit import render_junit
from analyzer.render.sarif import FINGERPRINT_KEY, render_sarif
from analyzer.render.statistics import render_statistics, render_statistics_json
from analyzer.rules import RULES
from tests.conftest import REPO

DATA = REPO / "tests" / "data"
runner = CliRunner()

FILES = {
    "app/repo.py": (
        "def f(cur):\n"
        '    cur.execute("SELECT * FROM ghosts")\n'
        '    cur.execute("SELECT * FROM users")\n'
    ),
    "sql/schema.sql": "CREATE TABLE users (id int);\nCREATE TABLE old_audit (id int);\n",
    "app/legacy.py": "print 'python 2'\n",
}
CONCISE_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>\S+) \[(?P<level>\w+)\] "
)


@pytest.fixture
def small(make_repo) -> Report:
    return scan(make_repo(FILES))


def test_concise_is_one_clickable_line_per_finding_then_diagnostics(small: Report) -> None:
    lines = render_concise(small).splitlines()
    assert [CONCISE_LINE.match(line).groupdict() for line in lines] == [  # type: ignore[union-attr]
        {"path": "app/repo.py", "line": "2", "col": "1", "code": "TT001", "level": "error"},
        {"path": "sql/schema.sql", "line": "2", "col": "1", "code": "TT002", "level": "warning"},
        {
            "path": "app/legacy.py", "line": "1", "col": "1",
            "code": "python-syntax-error", "level": "diagnostic",
        },
    ]
    assert "\x1b" not in render_concise(small)
    assert "\x1b[" in render_concise(small, color=True)


def test_concise_from_the_reports_json_is_the_same_text(small: Report, sample_report: Report
                                                        ) -> None:
    """A warm scan answered by the stored report renders `--format concise` from its JSON
    (`render_concise_json`), without the report model: the same bytes, colour or not."""
    for report in (small, sample_report):
        for color in (False, True):
            assert render_concise_json(report.to_json(), color=color) == render_concise(
                report, color=color
            )
    assert render_concise(sample_report).count("\n") == len(sample_report.findings) + len(
        sample_report.diagnostics
    ) > 5


def test_concise_message_never_wraps_and_file_level_findings_point_at_line_1() -> None:
    report = Report.model_validate(
        {
            "tool_version": "0", "root": "r", "config": {}, "tables": [], "sources": [],
            "diagnostics": [],
            "stats": {
                "files_scanned": 0, "python_files": 0, "sql_files": 0, "skipped_test_files": 0,
                "excluded_files": 0, "alembic_files": 0, "sql_strings": 0, "sql_statements": 0,
                "sql_statements_unparsed": 0, "tables": 0, "uses": 0, "findings": {},
                "diagnostics": 0,
            },
            "findings": [
                {
                    "code": "TT010", "name": "multiple-heads", "severity": "error", "table": None,
                    "path": "alembic/env.py", "line": None, "message": "two\nheads:  a,\tb",
                }
            ],
        }
    )
    assert render_concise(report) == "alembic/env.py:1:1: TT010 [error] two heads: a, b\n"


def test_github_annotations_escape_as_the_actions_toolkit(small: Report) -> None:
    lines = render_github(small).splitlines()
    assert lines[0].startswith("::error file=app/repo.py,line=2,title=TT001 undefined-table::")
    assert lines[1].startswith("::warning file=sql/schema.sql,line=2,title=TT002 dead-table::")
    assert lines[2].startswith(
        "::notice file=app/legacy.py,line=1,title=tabletrace diagnostic python-syntax-error::"
    )
    assert escape_data("50%\r\nx") == "50%25%0D%0Ax"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_names_the_other_locations(make_repo) -> None:
    report = scan(
        make_repo(
            {
                "a.py": 'Q = "SELECT * FROM nowhere"\n',
                "b.py": 'R = "SELECT * FROM nowhere"\n',
            }
        )
    )
    (line,) = render_github(report).splitlines()
    assert line.startswith("::error file=a.py,line=1,")
    assert line.endswith("(also at b.py:1)")


# ---- SARIF ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def _schema_errors(validator: jsonschema.Draft4Validator, document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_sarif_of_the_sample_validates_against_the_official_schema(
    sample_report: Report, sarif_validator: jsonschema.Draft4Validator
) -> None:
    document = json.loads(render_sarif(sample_report))
    assert _schema_errors(sarif_validator, document) == []
    run = document["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [r.code for r in RULES]
    assert len(run["results"]) == len(sample_report.findings)
    # the validator does reject a broken document (the test can fail)
    broken = copy.deepcopy(document)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert _schema_errors(sarif_validator, broken)


def test_sarif_results_rules_locations_and_fingerprints(
    small: Report, sarif_validator: jsonschema.Draft4Validator
) -> None:
    document = json.loads(render_sarif(small))
    assert _schema_errors(sarif_validator, document) == []
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    dead = rules[[r["id"] for r in rules].index("TT002")]
    assert dead["name"] == "dead-table"
    assert dead["defaultConfiguration"] == {"level": "warning"}
    assert dead["shortDescription"]["text"].startswith("A table present")
    assert "Why it matters" in dead["help"]["text"]
    assert "## How to fix it" in dead["help"]["markdown"]
    (undefined, dead_result) = run["results"]
    assert undefined["ruleId"] == "TT001" and undefined["level"] == "error"
    assert rules[undefined["ruleIndex"]]["id"] == "TT001"
    assert undefined["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "app/repo.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "snippet": {"text": "SELECT * FROM ghosts"}},
    }
    assert dead_result["properties"]["table"] == "public.old_audit"
    fingerprints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in run["results"]]
    assert fingerprints == [f.fingerprint for f in small.findings] and all(fingerprints)
    notification = run["invocations"][0]["toolExecutionNotifications"][0]
    assert notification["descriptor"]["id"] == "python-syntax-error"


def test_sarif_fingerprints_survive_lines_moving(make_repo, tmp_path: Path) -> None:
    before = scan(make_repo(FILES))
    moved = dict(FILES)
    moved["app/repo.py"] = "\n\n\n# a comment\n" + FILES["app/repo.py"]
    moved["sql/schema.sql"] = "-- header\n\n" + FILES["sql/schema.sql"]
    after = scan(make_repo(moved))
    assert [f.line for f in after.findings] != [f.line for f in before.findings]

    def prints(report: Report) -> list[str]:
        return [
            r["partialFingerprints"][FINGERPRINT_KEY]
            for r in json.loads(render_sarif(report))["runs"][0]["results"]
        ]

    assert prints(after) == prints(before)


def test_sarif_paths_are_uri_references(
    make_repo, sarif_validator: jsonschema.Draft4Validator
) -> None:
    report = scan(make_repo({"odd dir/wé#ird.py": 'Q = "SELECT * FROM nowhere"\n'}))
    document = json.loads(render_sarif(report))
    assert _schema_errors(sarif_validator, document) == []
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "odd%20dir/w%C3%A9%23ird.py"


# ---- JUnit ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def junit_schema() -> Any:
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is in the test extra")
    return xmlschema.XMLSchema(str(DATA / "junit-10.xsd"))


def test_junit_validates_and_has_a_suite_per_rule(small: Report, junit_schema) -> None:
    text = render_junit(small)
    junit_schema.validate(text)
    root = ET.fromstring(text)
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert list(suites) == [f"{rule.code} {rule.name}" for rule in RULES] + [
        "tabletrace diagnostics"
    ]
    undefined = suites["TT001 undefined-table"]
    (case,) = undefined.iter("testcase")
    assert case.get("name") == "public.ghosts (app/repo.py:2)"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert "app/repo.py:2" in (failure.text or "")
    (passing,) = suites["TT005 duplicate-definition"].iter("testcase")
    assert passing.get("name") == "no findings" and passing.find("failure") is None
    assert root.get("failures") == "2"
    assert "python-syntax-error" in (suites["tabletrace diagnostics"].findtext("system-err") or "")


def test_junit_lists_only_selected_rules_and_survives_control_characters(
    make_repo, junit_schema
) -> None:
    root = make_repo({**FILES, "pyproject.toml": '[tool.tabletrace]\nselect = ["TT001"]\n'})
    report = scan(root)
    text = render_junit(report)
    junit_schema.validate(text)
    names = [suite.get("name") for suite in ET.fromstring(text).iter("testsuite")]
    assert names == ["TT001 undefined-table", "tabletrace diagnostics"]
    finding = report.findings[0].model_copy(update={"message": "bad \x00\x08 byte"})
    hostile = report.model_copy(update={"findings": [finding]})
    junit_schema.validate(render_junit(hostile))


# ---- statistics and the CLI -----------------------------------------------------------------


def test_statistics_counts_per_rule(sample_report: Report) -> None:
    lines = render_statistics(sample_report).splitlines()
    assert lines[0].split() == ["26", "TT007", "sql-only-table", "[warning]"]
    assert ["2", "TT003", "runtime-created-table", "[warning,", "info]"] in [
        line.split() for line in lines
    ]
    data = json.loads(render_statistics_json(sample_report))
    assert sum(item["count"] for item in data) == len(sample_report.findings)


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("concise", lambda out: out.startswith("app/repo.py:2:1: TT001 [error]")),
        ("github", lambda out: out.startswith("::error file=app/repo.py,line=2,")),
        ("sarif", lambda out: json.loads(out)["version"] == "2.1.0"),
        ("junit", lambda out: ET.fromstring(out.split("\n", 2)[2]).tag == "testsuites"),
    ],
)
def test_cli_formats(make_repo, fmt: str, check) -> None:
    result = runner.invoke(app, ["scan", str(make_repo(FILES)), "--format", fmt, "--no-cache"])
    assert result.exit_code == 1, result.output  # TT001 is an error
    assert check(result.stdout), result.stdout


def test_cli_statistics_and_quiet(make_repo) -> None:
    root = make_repo(FILES)
    result = runner.invoke(app, ["scan", str(root), "--statistics", "--no-cache"])
    assert result.stdout.splitlines() == [
        "1  TT001  undefined-table  [error]",
        "1  TT002  dead-table       [warning]",
    ]
    assert result.exit_code == 1 and "at or above error" in result.stderr
    quiet = runner.invoke(app, ["scan", str(root), "--quiet", "--no-cache"])
    assert quiet.exit_code == 1 and quiet.stderr == ""
    assert quiet.stdout.startswith("TT001 undefined-table: 1 error\n")
    assert "Tables" not in quiet.stdout and "tabletrace 0.1.0" not in quiet.stdout
