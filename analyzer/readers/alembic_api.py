"""Alembic's operation signatures, as the Alembic reader and the resolver of its steps read them.

Kept apart from `analyzer.readers.alembic` (which needs LibCST) so that the resolver, imported
by the main process of every scan, does not import LibCST: with worker processes the main
process never parses a file, and LibCST costs it about 0.1 s to import.
"""

from __future__ import annotations

from collections.abc import Mapping

from analyzer.python import expr as ir

# --------------------------------------------------------------------------------------------
# Operation signatures (alembic/operations/base.py; older keyword spellings accepted too)
# --------------------------------------------------------------------------------------------

#: role -> (positional index or None, keyword names)
Spec = Mapping[str, tuple[int | None, tuple[str, ...]]]

_SCHEMA: tuple[int | None, tuple[str, ...]] = (None, ("schema",))

OPERATIONS: dict[str, Spec] = {
    "create_table": {"table": (0, ("table_name", "name")), "coldefs": (1, ()), "schema": _SCHEMA},
    "drop_table": {"table": (0, ("table_name", "name")), "schema": _SCHEMA},
    "rename_table": {
        "table": (0, ("old_table_name",)),
        "new_table": (1, ("new_table_name",)),
        "schema": _SCHEMA,
    },
    "add_column": {
        "table": (0, ("table_name",)),
        "column_obj": (1, ("column",)),
        "schema": _SCHEMA,
    },
    "drop_column": {
        "table": (0, ("table_name",)),
        "column": (1, ("column_name",)),
        "schema": _SCHEMA,
    },
    "alter_column": {
        "table": (0, ("table_name",)),
        "column": (1, ("column_name",)),
        "new_column": (None, ("new_column_name",)),
        "schema": _SCHEMA,
    },
    "create_index": {"table": (1, ("table_name",)), "schema": _SCHEMA},
    "drop_index": {"table": (1, ("table_name",)), "schema": _SCHEMA},
    "create_foreign_key": {
        "table": (1, ("source_table", "source")),
        "referent": (2, ("referent_table", "referent")),
        "schema": (None, ("source_schema",)),
        "referent_schema": (None, ("referent_schema",)),
    },
    "drop_constraint": {"table": (1, ("table_name",)), "schema": _SCHEMA},
    "create_unique_constraint": {"table": (1, ("table_name", "source")), "schema": _SCHEMA},
    "create_check_constraint": {"table": (1, ("table_name", "source")), "schema": _SCHEMA},
    "create_primary_key": {"table": (1, ("table_name",)), "schema": _SCHEMA},
    "create_exclude_constraint": {"table": (1, ("table_name",)), "schema": _SCHEMA},
    "create_table_comment": {"table": (0, ("table_name",)), "schema": _SCHEMA},
    "drop_table_comment": {"table": (0, ("table_name",)), "schema": _SCHEMA},
    "bulk_insert": {"table_obj": (0, ("table",))},
    # not an `op` method: `with op.batch_alter_table(t, recreate="always"):` rebuilds the
    # table when the block ends, whatever the block holds (`RECREATE_TABLE`)
    "recreate_table": {"table": (0, ("table_name",)), "schema": _SCHEMA},
}
#: The operation a `batch_alter_table(..., recreate="always")` block is read as.
RECREATE_TABLE = "recreate_table"

#: `batch_op.*`: the table (and schema) come from the enclosing `batch_alter_table`.
BATCH_OPERATIONS: dict[str, Spec] = {
    "add_column": {"column_obj": (0, ("column",))},
    "drop_column": {"column": (0, ("column_name",))},
    "alter_column": {"column": (0, ("column_name",)), "new_column": (None, ("new_column_name",))},
    "create_index": {},
    "drop_index": {},
    "create_foreign_key": {
        "referent": (1, ("referent_table",)),
        "referent_schema": (None, ("referent_schema",)),
    },
    "drop_constraint": {},
    "create_unique_constraint": {},
    "create_check_constraint": {},
    "create_primary_key": {},
    "create_exclude_constraint": {},
    "create_table_comment": {},
    "drop_table_comment": {},
}

#: GeoAlchemy2's Alembic helpers (`op.add_geospatial_column(...)`, `batch_op.add_geospatial_column`
#: ...) take the arguments of the plain operation they wrap: read as that operation.
GEOSPATIAL_OPERATIONS: dict[str, str] = {
    "add_geospatial_column": "add_column",
    "drop_geospatial_column": "drop_column",
    "create_geospatial_table": "create_table",
    "drop_geospatial_table": "drop_table",
    "create_geospatial_index": "create_index",
    "drop_geospatial_index": "drop_index",
}

#: `op` methods that are not operations (no operation, harmless).
NON_OPERATIONS = frozenset(
    {"get_bind", "get_context", "f", "inline_literal", "batch_alter_table", "context"}
)


def first_string_argument(call_args: tuple[ir.Expr, ...]) -> ir.Expr | None:
    """The first positional argument that is a string expression (unknown op methods)."""
    for value in call_args:
        if isinstance(value, ir.Str | ir.FString):
            return value
    return None
