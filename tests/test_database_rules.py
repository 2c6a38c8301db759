"""Every database rule against its own examples, on a real PostgreSQL.

The generic runner (tests/test_rules.py) scans examples without a database; rules with a
`database_check` are run here instead: each example's `database_sql` builds the live database
the repository is compared with (`--database-url`), and the repository is also built in a
scratch database (`verify`). Skips without a server, like tests/test_database.py.
"""

from __future__ import annotations

import pytest

from analyzer import scan
from analyzer.database.run import compare_with_database, verify_repository
from analyzer.rules import DATABASE_RULES
from analyzer.rules.base import Example, Rule
from tests.pg import MakeDatabase, dev_database, make_database, pg_server

__all__ = ["dev_database", "make_database", "pg_server"]

CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{rule.name}-{index}")
    for rule in DATABASE_RULES
    for index, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_database_rule_example(
    rule: Rule, example: Example, make_repo, make_database: MakeDatabase, dev_database: str
) -> None:
    root = make_repo(example.files)
    static = scan(root)
    compared = compare_with_database(static, make_database(example.database_sql))
    verified, _ = verify_repository(static, root, dev_database)
    reported = {
        finding.table or f"{finding.path}:{finding.line}"
        for report in (compared, verified)
        for finding in report.findings
        if finding.code == rule.code
    }
    assert reported == set(example.expected)
    for report in (compared, verified):
        for finding in report.findings:
            assert finding.locations, finding
            assert finding.message
