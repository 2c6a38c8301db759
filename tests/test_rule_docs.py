"""Every rule documents itself; `tabletrace rule` and the README table come from that."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.render.ruledoc import rule_markdown, rules_table
from analyzer.rules import RULES
from analyzer.rules.base import Rule

runner = CliRunner()
DOC_FIELDS = ("summary", "explanation", "why_it_matters", "how_to_fix")


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_every_registered_rule_is_documented(rule: Rule) -> None:
    """A new rule must fill these fields (analyzer/rules/base.py) before it can be registered."""
    for name in DOC_FIELDS:
        text = getattr(rule, name)
        assert isinstance(text, str) and len(text.split()) >= 5, f"{rule.code}: {name} is empty"
    assert rule.summary.endswith("."), rule.code
    assert any(example.expected for example in rule.examples), f"{rule.code}: no caught example"
    assert any(not example.expected for example in rule.examples), f"{rule.code}: no silent one"


def test_a_rule_without_docs_fails_the_check() -> None:
    bare = Rule(code="TT999", name="bare", severity="warning", summary="", check=lambda ctx: ())
    assert [name for name in DOC_FIELDS if not getattr(bare, name)] == list(DOC_FIELDS)


def test_rule_command_prints_the_docs_by_code_or_name() -> None:
    by_code = runner.invoke(app, ["rule", "TT002"])
    by_name = runner.invoke(app, ["rule", "dead-table"])
    assert by_code.exit_code == by_name.exit_code == 0
    assert by_code.stdout == by_name.stdout == rule_markdown(RULES[1])
    text = by_code.stdout
    assert text.startswith("# TT002 dead-table\n")
    for heading in ("## What it means", "## Why it matters", "## How to fix it", "## Caught"):
        assert heading in text
    assert "CREATE TABLE old_audit (id int);" in text  # the caught example
    assert "Reported: `public.old_audit`" in text
    assert "Not reported." in text
    unknown = runner.invoke(app, ["rule", "TT999"])
    assert unknown.exit_code == 2 and "`tabletrace rules` lists them" in unknown.stderr


def test_rules_table_has_one_row_per_rule_from_the_metadata() -> None:
    rows = rules_table().splitlines()[2:]
    assert len(rows) == len(RULES)
    for row, rule in zip(rows, RULES, strict=True):
        assert row == f"| {rule.code} | `{rule.name}` | {rule.severity} | {rule.summary} |"
