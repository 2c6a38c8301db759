"""`.sql` files as sources: each file its own history, numbered folders one ordered history.

The facts come from the engine (`analyzer.readers.sql_file`); files an Alembic revision reads
belong to that revision's history instead (`analyzer.sources.alembic`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from analyzer.readers.sql_file import SqlFileFacts, SqlRoutineFact
from analyzer.sources.model import (
    EXTERNAL_KIND,
    SchemaOp,
    SourceHistory,
    StateEntry,
    created_tables,
    is_schema_change,
    schema_op,
    sql_source_layout,
)
from analyzer.sql.engine_files import engine_family, variant_family
from analyzer.sql.names import TableKey


@dataclass(slots=True)
class SqlSources:
    histories: list[SourceHistory] = field(default_factory=list)
    statements: int = 0
    unparsed: list[tuple[str, int, str]] = field(default_factory=list)  # (path, line, error)
    # the operations of statements after a `\connect name` / `USE name`, with that database
    # (`other_databases`)
    switched: list[tuple[SourceHistory, SchemaOp, str]] = field(default_factory=list)


def sql_sources(
    files: Mapping[str, SqlFileFacts], ignored: Callable[[TableKey], bool]
) -> SqlSources:
    """One history per source, in replay order (numbered files by their number's value)."""
    result = SqlSources()
    for source_id, path, ordered, members in sql_source_layout(sorted(files)):
        history = SourceHistory(
            id=source_id, kind="sql", path=path, files=members, ordered=ordered,
            # `x.sql.postgres` / `x.sql.sqlite`, or a numbered folder's steps per engine
            # (`sql:db#postgres`, `sql:db#sqlite`): one schema per engine, alternatives
            variant_of=engine_family(source_id) or (variant_family(path) if not ordered else None),
        )
        dialects = {files[member].dialect for member in members}
        if len(dialects) == 1:
            history.dialect = dialects.pop()
        for file_path in members:
            written: set[TableKey] = set()
            for statement in files[file_path].statements:
                result.statements += 1
                if not statement.parsed:
                    result.unparsed.append(
                        (file_path, statement.line, statement.error or "not parsed")
                    )
                before = len(history.operations)
                for fact in statement.refs:
                    ref = fact.ref
                    key = TableKey(ref.schema, ref.name)
                    if ignored(key):
                        continue
                    if ref.kind == "write" and key not in written:
                        # The first write into each table, as migration data (replay ignores
                        # it; the order check needs the table there): a dump's 200,000 rows
                        # are one operation per table, not 200,000.
                        written.add(key)
                        history.operations.append(
                            SchemaOp(
                                source=history.id, source_kind=history.kind, path=file_path,
                                line=fact.line, operation="data", table=key,
                                snippet=statement.snippet, order_check_only=True,
                            )
                        )
                        continue
                    if not is_schema_change(ref):
                        continue
                    history.operations.append(
                        schema_op(
                            history, file_path, fact.line, ref, statement.snippet,
                            statement.cannot_run,
                        )
                    )
                if statement.database is not None:
                    result.switched.extend(
                        (history, op, statement.database)
                        for op in history.operations[before:]
                    )
        result.histories.append(history)
    _pair_upgrades_with_fresh_scripts(result.histories)
    return result


def final_routines(
    files: Mapping[str, SqlFileFacts],
) -> dict[str, list[tuple[str, SqlRoutineFact]]]:
    """Each database function's final definition in each source defining it, by name: a
    chain of upgrades may define `log_build()` again without a table an earlier version
    wrote, and only the last definition is what the database runs after it. Sources as
    `sql_sources` groups them, their files in replay order."""
    out: dict[str, list[tuple[str, SqlRoutineFact]]] = {}
    for _source_id, _path, _ordered, members in sql_source_layout(sorted(files)):
        final: dict[str, tuple[str, SqlRoutineFact]] = {}
        for file_path in members:
            for routine in files[file_path].routines:
                final[routine.name] = (file_path, routine)
        for name, definition in sorted(final.items()):
            out.setdefault(name, []).append(definition)
    return out


def _pair_upgrades_with_fresh_scripts(histories: list[SourceHistory]) -> None:
    """Upgrade scripts and the script that builds the latest schema from nothing are two ways
    to one schema: a fresh install runs `create_tables.sql`, an existing database the
    upgrades (`updates/2023-09-13-add-cache.sql`..., or a chain `update_app_0.9_to_0.10.sql`
    named by versions). Both create the same tables, and that is no rivalry
    (`duplicate-definition`); where their final schemas differ, `definition-drift` says so.

    The script is beside the upgrades, in the folder above theirs, or in a folder beside
    theirs when its name says it builds a schema (`admin/sql/create_tables.sql` with
    `admin/schema_changes/8.sql`; a folder beside is also where the next delta of a sequence
    of folders lives, whose re-creation of a table is no alternative). A chain pairs with a
    script creating a table it creates: its names say it upgrades. A numbered folder could
    also continue from the script (`init.sql`, then `migrations/001_x.sql`), so it pairs only
    when running one after the other would fail: both create a table, neither `IF NOT
    EXISTS`."""
    scripts = [
        (script, _parent(script.path), _BUILDS_A_SCHEMA.search(_name(script.path)) is not None)
        for script in histories if script.kind == "sql" and not script.ordered
    ]
    for upgrades in histories:
        if upgrades.kind != "sql" or not upgrades.ordered or upgrades.variant_of is not None:
            continue
        folder = upgrades.path
        above = _parent(folder)
        chain = upgrades.id.endswith("*")
        for script, place, named_as_schema in scripts:
            # in the upgrades' folder, the one above it, or, named as a schema, one beside it
            near = place in (folder, above) or (
                named_as_schema and folder not in (place, above) and _parent(place) == above
            )
            if script.variant_of is None and near and _alternatives(upgrades, script, chain):
                script.variant_of = upgrades.variant_of = upgrades.id


def _parent(path: str) -> str:
    """The folder of a `/`-separated path ("." at the top, as `sql_source_layout` names it),
    as `PurePosixPath.parent` but without building paths: pairing compares every script
    with every numbered folder (synapse: 132 ms with paths, 2 ms with strings)."""
    return path.rpartition("/")[0] or "."


def _name(path: str) -> str:
    return path.rpartition("/")[2]


_BUILDS_A_SCHEMA = re.compile(r"create|schema|init|full|tables", re.IGNORECASE)


def _alternatives(upgrades: SourceHistory, script: SourceHistory, chain: bool) -> bool:
    shared = created_tables(upgrades) & created_tables(script)
    if chain or not shared:
        return bool(shared)
    unconditional = [
        {op.table for op in h.operations if op.operation == "create" and not op.if_not_exists}
        for h in (upgrades, script)
    ]
    return bool(shared & unconditional[0] & unconditional[1])




def other_databases(sources: SqlSources, used: Collection[TableKey]) -> list[SourceHistory]:
    """Tables `.sql` files build after switching to another database (`\\connect powerdns`,
    `USE powerdns`): a container's init script setting up the database of a service the
    application talks to over its API. A table no application code uses by its name is that
    database's (`powerdns.domains`), owned outside the application: its operations leave the
    file's source for one `external` source per file and database, never dead. When the code
    uses a table of that database by its name, the switch was to the application's own (a
    dump's `USE app;`): every table of it stays the file's. Before replay: the operations
    removed are not replayed."""
    own = {
        (op.path, database) for _, op, database in sources.switched
        if op.table in used or (op.peer is not None and op.peer in used)
    }
    found: dict[str, SourceHistory] = {}
    for history, op, database in sources.switched:
        if (op.path, database) in own:
            continue
        history.operations = [o for o in history.operations if o is not op]
        source_id = f"{EXTERNAL_KIND}:database {database} ({op.path})"
        external = found.setdefault(source_id, SourceHistory(
            id=source_id, kind=EXTERNAL_KIND, path=op.path, files=[op.path], ordered=False,
        ))
        if op.operation == "create":
            external.state.setdefault(
                TableKey(database, op.table.name), StateEntry(op.object_type, None)
            )
    return [found[key] for key in sorted(found) if found[key].state]
