"""The rule registry: every finding tabletrace can report, by stable code."""

from __future__ import annotations

from analyzer.rules import (
    broken_revision_graph,
    dead_table,
    definition_drift,
    documentation_only_migration,
    dropped_table_in_use,
    duplicate_definition,
    dynamic_table_name,
    model_drift,
    model_without_migration,
    multiple_heads,
    runtime_created_table,
    sql_only_table,
    undefined_table,
    unused_suppression,
)
from analyzer.rules.base import Rule

RULES: tuple[Rule, ...] = (
    undefined_table.RULE,
    dead_table.RULE,
    runtime_created_table.RULE,
    dynamic_table_name.RULE,
    duplicate_definition.RULE,
    dropped_table_in_use.RULE,
    sql_only_table.RULE,
    documentation_only_migration.RULE,
    definition_drift.RULE,
    multiple_heads.RULE,
    broken_revision_graph.RULE,
    model_without_migration.RULE,
    model_drift.RULE,
    unused_suppression.RULE,
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}
RULES_BY_NAME = {rule.name: rule for rule in RULES}
