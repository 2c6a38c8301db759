"""peewee_migrate's operations in a numbered migration module, as schema operations.

A peewee_migrate migration (`migrations/004_add_bbox.py`, `def migrate(migrator, database,
fake=False, **kwargs)`) changes the schema through its `Migrator`: `migrator.sql(...)` runs SQL
(read as any migration SQL), and `add_fields`, `remove_fields`, `rename_field`, `rename_table`,
`create_model`, `remove_model` change tables named by their model. The model is usually the
application's own class, imported from its module (`from app.models import Event`), so its
table and its fields' columns are the mapper's (`analyzer.orm.mapping`); a model a migration
declares itself (`@migrator.create_model class Tag(pw.Model)`) is read from its class body.

Each operation becomes the `SchemaOp` a `CREATE TABLE` / `ALTER TABLE` / `DROP TABLE` statement
would, at the call's line, so that the replay gives the columns peewee_migrate builds. What
cannot be read (`**fields`, a model given by name, a field name that is no literal, a
`rename_table` of a model whose class already carries the new name) is left out with a
diagnostic naming the call: no replayed column rests on a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from analyzer.facts import FileProblem, OrmClass, PeeweeMigratorOp, PythonFacts
from analyzer.orm.mapping import ClassInfo, Mapper, peewee_legacy_name
from analyzer.resolve.evaluate import Frame
from analyzer.sources.model import SchemaOp
from analyzer.sql.names import TableKey

#: The diagnostic of an operation left out.
UNREAD = "peewee-migrate-unread"


@dataclass(slots=True)
class _Model:
    """The table an operation changes and its fields' columns (attribute -> column)."""

    table: TableKey
    columns: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # the columns in peewee's order


@dataclass(slots=True)
class PeeweeOps:
    """The schema operations of one migration module's forward operations."""

    operations: list[SchemaOp] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)


def peewee_operations(
    facts: PythonFacts, source: str, kind: str, mapper: Mapper, forward: frozenset[str] | None,
    added: dict[TableKey, dict[str, str]] | None = None,
) -> PeeweeOps:
    """The `SchemaOp`s of the module's `migrator` operations made by a function that is not a
    reverse step (`forward`: the reverse functions' names, excluded). `added`: the fields the
    earlier migrations' `add_fields` gave each model, shared across the modules of one
    history: peewee_migrate adds them to the model class it is given (`Metadata.add_field`),
    so a later `remove_fields` finds them there."""
    result = PeeweeOps()
    added = added if added is not None else {}
    for op in facts.orm.migrator_ops:
        if forward is not None and op.function in forward:
            continue
        model = _model(facts, op, mapper)
        if model is None:
            result.problems.append(_unread(op, "its model cannot be resolved statically"))
            continue

        make = partial(
            _schema_op, source=source, kind=kind, path=facts.path, line=op.line,
            table=model.table, snippet=op.snippet,
        )

        method = op.method
        if method in ("create_model", "create_table"):
            result.operations.append(make("create", columns=tuple(model.order),
                                          if_not_exists=True))
        elif method in ("remove_model", "drop_table"):
            result.operations.append(make("drop", if_exists=True))
        elif op.columns is None:
            result.problems.append(_unread(op, "its fields are not all written out"))
        elif method in ("add_fields", "add_columns"):
            changes = tuple(("add", column, None) for _, column in op.columns_of_fields())
            added.setdefault(model.table, {}).update(op.columns_of_fields())
            result.operations.append(make("alter", column_changes=changes))
        elif method in ("remove_fields", "drop_columns"):
            known = {**model.columns, **added.get(model.table, {})}
            # peewee_migrate drops the fields the model has of those names, and ignores others
            names = op.columns if method == "drop_columns" else tuple(
                known[name] for name in op.columns if name in known
            )
            if names:
                result.operations.append(
                    make("alter", column_changes=tuple(("drop", name, None) for name in names))
                )
        elif method in ("rename_field", "rename_column") and len(op.columns) == 2:
            old, new = op.columns
            if method == "rename_field":
                known = {**model.columns, **added.get(model.table, {})}
                if old not in known:
                    result.problems.append(_unread(
                        op, f"{old} is no field of the model as tabletrace reads it"
                    ))
                    continue
                # a foreign key's column is `<field>_id`: renamed with its field
                old_column = known[old]
                new = new + "_id" if old_column == old + "_id" else new
                old = old_column
            result.operations.append(make("alter", column_changes=(("rename", old, new),)))
        elif method == "rename_table" and len(op.columns) == 1:
            new_table = TableKey(model.table.schema, op.columns[0])
            if new_table == model.table:
                result.problems.append(_unread(
                    op, f"its model's class already names the new table {new_table.display}, "
                    "so the old name is not in sight",
                ))
                continue
            result.operations.append(make("rename_from", peer=new_table))
            result.operations.append(make("rename_to", table=new_table, peer=model.table))
        else:
            result.problems.append(_unread(op, "its arguments are not read"))
    return result


def _schema_op(
    operation: str, *, source: str, kind: str, path: str, line: int, table: TableKey,
    snippet: str, **extra: object,
) -> SchemaOp:
    return SchemaOp(
        source=source, source_kind=kind, path=path, line=line, operation=operation,
        table=table, snippet=snippet, **extra,  # type: ignore[arg-type]
    )


def _unread(op: PeeweeMigratorOp, why: str) -> FileProblem:
    return FileProblem(
        UNREAD, op.line,
        f"`{op.snippet}`: {why}; this peewee_migrate operation is left out of the replayed "
        "schema",
    )


def _model(facts: PythonFacts, op: PeeweeMigratorOp, mapper: Mapper) -> _Model | None:
    """The model an operation names: the application's class (through the module's imports)
    or a class of the migration itself (`@migrator.create_model`)."""
    if op.local_class is not None:
        cls = next((c for c in facts.orm.classes if c.name == op.local_class), None)
        return _local_model(facts, cls, mapper) if cls is not None else None
    if op.model is None or op.model[:1] in "'\"":
        return None  # a model named by a string: peewee_migrate's own registry, not in sight
    symbol = mapper.symbols.lookup(facts, op.model)
    if symbol is None or symbol.kind != "class" or symbol.module is None:
        local = next(
            (c for c in facts.orm.classes if c.name == op.model), None
        )  # a class the migration defines, then passes (`migrator.create_model(Tag)`)
        return _local_model(facts, local, mapper) if local is not None else None
    info = mapper.info(symbol.module, symbol.node)  # type: ignore[arg-type]
    return _mapped_model(info)


def _mapped_model(info: ClassInfo) -> _Model | None:
    if info.flavour != "peewee" or info.table is None or info.role != "mapped":
        return None
    model = _Model(info.table)
    for column in info.columns:
        if column.attribute:
            model.columns[column.attribute] = column.name
        model.order.append(column.name)
    return model


def _local_model(facts: PythonFacts, cls: OrmClass, mapper: Mapper) -> _Model | None:
    """A model class in the migration (`@migrator.create_model class Tag(pw.Model)`): its
    own fields and `Meta.table_name` (peewee_migrate writes the whole model out, no base)."""
    meta = dict(cls.meta)
    name: str | None = peewee_legacy_name(cls.name)
    if cls.meta_table_name is not None:
        texts, _ = mapper.expander.text(cls.meta_table_name, Frame(facts))
        name = texts[0] if len(texts) == 1 and texts[0] else None
    elif meta.get("legacy_table_names") not in (None, "True") or "table_function" in meta:
        name = None
    if name is None:
        return None
    model = _Model(TableKey(mapper.default_schema, name))
    fields = list(cls.fields)
    if not any(f.primary_key for f in fields) and "primary_key" not in meta:
        model.order.append("id")
    for column in sorted(fields, key=lambda c: not c.primary_key):
        if column.attribute:
            model.columns[column.attribute] = column.name
        model.order.append(column.name)
    return model
