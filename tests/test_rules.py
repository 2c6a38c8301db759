"""Every rule against its own examples (what it must catch and what it must not)."""

from __future__ import annotations

import pytest

from analyzer import scan
from analyzer.rules import RULES
from analyzer.rules.base import Example, Rule

CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{rule.name}-{index}")
    for rule in RULES
    for index, example in enumerate(rule.examples)
]


def test_every_rule_has_a_catching_and_a_silent_example() -> None:
    for rule in RULES:
        assert any(example.expected for example in rule.examples), rule.name
        assert any(not example.expected for example in rule.examples), rule.name


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
