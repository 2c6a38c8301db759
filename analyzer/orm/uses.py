"""ORM references in application code -> table uses; model declarations -> `model` sources."""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.facts import PythonFacts
from analyzer.models import Use
from analyzer.orm.mapping import Mapper, OrmModel
from analyzer.orm.symbols import Symbol, SymbolTable
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
    return uses + _secondary_uses(uses, model)


def _secondary_uses(
    uses: list[tuple[TableKey, Use]], model: OrmModel
) -> list[tuple[TableKey, Use]]:
    """An association table (`relationship(secondary=...)`) is read and written by the ORM
    whenever its class is used: one use at the relationship, when code uses the class."""
    used = {key for key, use in uses if use.kind in ("read", "write")}
    found: list[tuple[TableKey, Use]] = []
    for info in sorted(model.classes.values(), key=lambda i: (i.facts.path, i.cls.line)):
        if info.table is None or info.table not in used:
            continue
        for key, line in info.secondaries:
            found.append(
                (
                    key,
                    Use(
                        path=info.facts.path,
                        line=line,
                        module=info.facts.module,
                        kind="read",
                        via="orm",
                        operation="relationship",
                        snippet=f"relationship(secondary=...) of {info.cls.name}",
                    ),
                )
            )
    return found


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
