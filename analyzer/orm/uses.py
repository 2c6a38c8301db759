"""ORM references in application code -> table uses; model declarations -> `model` sources."""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.facts import PythonFacts
from analyzer.models import Use
from analyzer.orm.mapping import Mapper, OrmModel
from analyzer.orm.symbols import Symbol, SymbolTable
from analyzer.replay import SchemaOp, SourceHistory
from analyzer.resolve.evaluate import Frame
from analyzer.resolve.values import ClassV, InstanceV, TableV, Values
from analyzer.sql.names import TableKey


def orm_uses(
    modules: Iterable[PythonFacts], symbols: SymbolTable, mapper: Mapper, model: OrmModel
) -> list[tuple[TableKey, Use]]:
    """Keep the references whose name resolves to a mapped class or a Table object."""
    uses: list[tuple[TableKey, Use]] = []
    evaluator = mapper.expander.evaluator
    for facts in modules:
        seen: set[tuple[int, TableKey, str, str]] = set()
        for reference in facts.orm.references:
            keys: list[TableKey] = []
            confidence = reference.confidence
            if reference.value is not None:
                keys = _evaluated_tables(evaluator.evaluate(reference.value, Frame(facts)), mapper)
            else:
                symbol = symbols.lookup(facts, reference.name)
                if symbol is None or symbol.module is None:
                    continue
                keys = _symbol_tables(symbol, mapper, model)
                confidence = "low" if symbol.via_star else reference.confidence
            for key in keys:
                marker = (reference.line, key, reference.kind, reference.context)
                if marker in seen:
                    continue
                seen.add(marker)
                uses.append(
                    (
                        key,
                        Use(
                            path=facts.path,
                            line=reference.line,
                            module=facts.module,
                            kind=reference.kind,
                            via="orm",
                            confidence=confidence,
                            operation=reference.context,
                            function=reference.function,
                            snippet=f"{reference.context}: {reference.name}",
                        ),
                    )
                )
    return uses


def _symbol_tables(symbol: Symbol, mapper: Mapper, model: OrmModel) -> list[TableKey]:
    if symbol.module is None:
        return []
    if symbol.kind == "class":
        info = model.classes.get((symbol.module.path, symbol.name))
        if info is not None and info.role == "mapped":
            return mapper.tables_of(info)
    elif symbol.kind == "table":
        key = mapper.table_of(symbol.module, symbol.node)  # type: ignore[arg-type]
        return [key] if key is not None else []
    return []


def _evaluated_tables(values: Values, mapper: Mapper) -> list[TableKey]:
    """Tables of what the evaluator found: a mapped class, one of its instances, a Table."""
    keys: list[TableKey] = []
    for value in values:
        cls = value.cls if isinstance(value, InstanceV) else value
        if isinstance(cls, ClassV):
            info = mapper.class_info(cls)
            if info is not None and info.role == "mapped":
                keys.extend(k for k in mapper.tables_of(info) if k not in keys)
        elif isinstance(value, TableV):
            key = TableKey(value.schema or mapper.default_schema, value.name)
            if key not in keys:
                keys.append(key)
    return keys


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
        history.operations.append(
            SchemaOp(
                source=history.id,
                source_kind="model",
                path=declaration.path,
                line=declaration.line,
                operation="declare",
                table=declaration.table,
                columns=declaration.columns,
                snippet=declaration.label,
            )
        )
    return [histories[path] for path in sorted(histories)]
