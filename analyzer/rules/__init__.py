"""The rule registry: every finding tabletrace can report, by stable code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analyzer.rules import (
    broken_definition,
    broken_revision_graph,
    dangling_foreign_key,
    database_drift,
    dead_table,
    definition_drift,
    documentation_only_migration,
    dropped_table_in_use,
    duplicate_definition,
    dynamic_table_name,
    externally_used_table,
    fails_on_database,
    migration_order,
    missing_in_database,
    model_drift,
    model_without_migration,
    multiple_heads,
    runtime_created_table,
    sql_only_table,
    unbuilt_table,
    undefined_table,
    unmanaged_table,
    unused_suppression,
)

if TYPE_CHECKING:
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
    broken_definition.RULE,
    migration_order.RULE,
    dangling_foreign_key.RULE,
    unused_suppression.RULE,
    # Rules that need a database (--database-url, verify): see analyzer/database/.
    unmanaged_table.RULE,
    missing_in_database.RULE,
    database_drift.RULE,
    externally_used_table.RULE,
    fails_on_database.RULE,
    unbuilt_table.RULE,
)
DATABASE_RULES: tuple[Rule, ...] = tuple(rule for rule in RULES if rule.requires_database)

RULES_BY_CODE = {rule.code: rule for rule in RULES}
RULES_BY_NAME = {rule.name: rule for rule in RULES}
