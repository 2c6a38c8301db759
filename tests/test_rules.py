"""Every rule against its own examples (what it must catch and what it must not)."""

from __future__ import annotations

import pytest

from analyzer import scan
from analyzer.rules import RULES
from analyzer.rules.base import Example, Rule

# Rules that need a database run their examples in tests/test_database_rules.py.
CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{rule.name}-{index}")
    for rule in RULES
    if not rule.requires_database
    for index, example in enumerate(rule.examples)
]


def test_every_rule_has_a_catching_and_a_silent_example() -> None:
    for rule in RULES:
        assert any(example.expected for example in rule.examples), rule.name
        assert any(not example.expected for example in rule.examples), rule.name


def test_database_rules_find_nothing_without_a_database(tmp_path) -> None:
    """Their evidence is a database: a plain scan of their catching examples stays silent."""
    for rule in RULES:
        for index, example in enumerate(rule.examples if rule.requires_database else ()):
            root = tmp_path / f"{rule.name}-{index}"
            for relative, text in example.files.items():
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                (root / relative).write_text(text, encoding="utf-8")
            assert not [f for f in scan(root).findings if f.code == rule.code], rule.name


def test_codes_and_names_are_unique() -> None:
    assert len({rule.code for rule in RULES}) == len(RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_rule_example(rule: Rule, example: Example, make_repo) -> None:
    report = scan(make_repo(example.files))
    reported = {
        finding.table or f"{finding.path}:{finding.line}"
        for finding in report.findings
        if finding.code == rule.code
    }
    assert reported == set(example.expected)
    for finding in report.findings:
        assert finding.locations, finding
        assert finding.message
