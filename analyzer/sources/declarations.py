"""ORM declarations as a source: models declare tables, they do not create them.

One `model` history per module that declares tables; its `declare` operations put the tables in
its state, so that rules can compare what the code expects with what migrations build.
"""

from __future__ import annotations

from analyzer.orm.mapping import OrmModel
from analyzer.sources.model import SchemaOp, SourceHistory
from analyzer.sql.refs import TEMPORARY_CREATION


def model_histories(model: OrmModel) -> list[SourceHistory]:
    """One `model` source per module that declares tables; `declare` puts them in its state."""
    histories: dict[str, SourceHistory] = {}
    for declaration in sorted(model.declarations, key=lambda d: (d.path, d.line, d.table)):
        history = histories.setdefault(
            declaration.path,
            SourceHistory(
                id=f"model:{declaration.path}", kind="model", path=declaration.path,
                files=[declaration.path], ordered=False,
            ),
        )
        if declaration.foreign_bases:
            history.foreign_bases.setdefault(declaration.table, declaration.foreign_bases[0])
        if declaration.owner:
            history.metadata_owners.setdefault(declaration.table, declaration.owner)
        if declaration.unread:
            history.unread_columns.setdefault(declaration.table, set()).update(
                declaration.unread
            )
        history.operations.append(
            SchemaOp(
                source=history.id,
                source_kind="model",
                path=declaration.path,
                line=declaration.line,
                # peewee's `Meta.temporary`: a table its session makes, in no schema
                operation=TEMPORARY_CREATION if declaration.temporary else "declare",
                table=declaration.table,
                columns=declaration.columns,
                snippet=declaration.label,
            )
        )
    return [histories[path] for path in sorted(histories)]
