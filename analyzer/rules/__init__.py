"""The rule registry: every finding tabletrace can report, by stable code."""

from __future__ import annotations

from analyzer.rules import (
    dead_table,
    dropped_table_in_use,
    duplicate_definition,
    dynamic_table_name,
    runtime_created_table,
    undefined_table,
)
from analyzer.rules.base import Rule

RULES: tuple[Rule, ...] = (
    undefined_table.RULE,
    dead_table.RULE,
    runtime_created_table.RULE,
    dynamic_table_name.RULE,
    duplicate_definition.RULE,
    dropped_table_in_use.RULE,
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}
RULES_BY_NAME = {rule.name: rule for rule in RULES}
