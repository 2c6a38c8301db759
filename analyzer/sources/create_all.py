"""`metadata.create_all()` as a source: it creates every table of one MetaData.

`Base.metadata.create_all(engine)`, `SQLModel.metadata.create_all(engine)`, Flask-SQLAlchemy's
`db.create_all()`, `metadata.create_all(engine)` and `conn.run_sync(Base.metadata.create_all)`
each build the tables that the models and `Table` objects of that MetaData declare. The MetaData
is resolved through imports as models are (`analyzer.orm.mapping.Mapper.metadata_owner`); the
call site is the evidence of every table it creates. `tables=[...]` narrows it to those tables.

peewee's `db.create_tables([Event, Recording])` and `Event.create_table()` are such a source
too: they create the tables of the models they name (`temporary=True`, or a model's
`Meta.temporary`, a temporary table).

When the receiver cannot be resolved (`self.db.create_all()`) and the repository has exactly
one MetaData with tables, that one is meant: the tables are still created, and a diagnostic
says the link was assumed. With several candidates nothing is assumed, and the diagnostic says
which call could not be resolved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzer.facts import CreateAllCall, FileProblem, PythonFacts
from analyzer.orm.mapping import Declaration, Mapper, OrmModel
from analyzer.resolve.index import absolute_module
from analyzer.sources.model import SchemaOp, SourceHistory
from analyzer.sql.names import TableKey
from analyzer.sql.refs import TEMPORARY_CREATION


@dataclass(slots=True)
class CreateAllSources:
    histories: list[SourceHistory] = field(default_factory=list)
    diagnostics: list[tuple[str, FileProblem]] = field(default_factory=list)


def _called_by_stampers(modules: Iterable[PythonFacts]) -> set[tuple[str, str]]:
    """(module, function) of the module-level functions a stamping function calls
    (`def prepare_db(): flask_migrate.stamp(...); create_all_tables(db)`, the helper in
    another module), found through the caller's imports."""
    found: set[tuple[str, str]] = set()
    for facts in modules:
        for names in facts.orm.stamping_calls.values():
            for name in names:
                target = _function_of(facts, name)
                if target is not None:
                    found.add(target)
    return found


def _function_of(facts: PythonFacts, dotted: str) -> tuple[str, str] | None:
    """The (module, function) a called dotted name stands for: a function of the module, one
    it imports (`from x import f`), or one of a module it imports (`import x; x.f()`)."""
    head, _, rest = dotted.partition(".")
    for binding in facts.imports:
        if binding.local != head:
            continue
        module = absolute_module(facts, binding)
        if not rest:
            return (module, binding.name) if binding.name else None
        if "." in rest:
            return None
        return (f"{module}.{binding.name}" if binding.name else module, rest)
    return (facts.module, dotted) if not rest else None


def _stamps(
    facts: PythonFacts, call: CreateAllCall, mapper: Mapper, stamped: set[tuple[str, str]]
) -> bool:
    """Whether the create_all is followed by an Alembic stamp: the module calls `stamp`, the
    function making the call also calls a function of the repository that does
    (`db.create_all(); stamp_latest_revision()`, the helper calling `flask_migrate.stamp`), or
    a function that stamps calls the function making it (`stamp(...); create_all_tables()`)."""
    if facts.orm.stamps_alembic:
        return True
    if call.function is not None and (facts.module, call.function) in stamped:
        return True
    for name in call.nearby:
        symbol = mapper.symbols.lookup(facts, name)
        if symbol is not None and symbol.kind == "stamp":
            return True
    return False


def create_all_sources(
    modules: Iterable[PythonFacts], mapper: Mapper, model: OrmModel
) -> CreateAllSources:
    """One unordered `create_all` history per call, creating its MetaData's tables."""
    result = CreateAllSources()
    modules = list(modules)
    stamped = _called_by_stampers(modules)
    by_owner: dict[str, list[Declaration]] = {}
    for declaration in model.declarations:
        if declaration.owner:
            by_owner.setdefault(declaration.owner, []).append(declaration)
    for facts in sorted(modules, key=lambda f: f.path):
        for call in facts.orm.create_all:
            if call.local:
                # a MetaData of the function's own: its `Table`s are the function's (their
                # names, when known, are read as such); no MetaData of the models is meant
                continue
            if call.peewee:
                _peewee_tables(facts, call, mapper, model, result)
                continue
            found = _declarations(facts, call, mapper, model, by_owner, result)
            if found is None:
                continue
            declarations, assumed = found
            history = SourceHistory(
                id=f"create_all:{facts.path}:{call.line}", kind="create_all", path=facts.path,
                files=[facts.path], ordered=False, bootstrap=_stamps(facts, call, mapper, stamped),
                assumed=assumed, alternative_to=call.alternative,
            )
            columns: dict[TableKey, list[str]] = {}
            for declaration in declarations:
                columns.setdefault(declaration.table, []).extend(declaration.columns)
            for table in sorted(columns):
                history.operations.append(
                    SchemaOp(
                        source=history.id,
                        source_kind="create_all",
                        path=facts.path,
                        line=call.line,
                        operation="create",
                        table=table,
                        columns=tuple(dict.fromkeys(columns[table])),
                        if_not_exists=True,  # create_all checks first (checkfirst=True)
                        snippet=call.snippet,
                    )
                )
            result.histories.append(history)
    return result


def _peewee_tables(
    facts: PythonFacts, call: CreateAllCall, mapper: Mapper, model: OrmModel,
    result: CreateAllSources,
) -> None:
    """`db.create_tables([A, B])` / `A.create_table()`: one history creating the tables of
    the peewee models named (nothing when none is a peewee model: another library's method)."""
    infos = []
    unknown = []
    for name in call.tables or ():
        symbol = mapper.symbols.lookup(facts, name) if name != "?" else None
        info = (
            mapper.info(symbol.module, symbol.node)  # type: ignore[arg-type]
            if symbol is not None and symbol.kind == "class" and symbol.module is not None
            else None
        )
        if info is not None and info.flavour == "peewee" and info.role == "mapped":
            infos.append(info)
        else:
            unknown.append(name)
    if not infos:
        return
    if unknown:
        result.diagnostics.append((facts.path, FileProblem(
            "create-all-unresolved", call.line,
            f"`{call.snippet}`: {', '.join(unknown)} cannot be resolved to a peewee model "
            "statically; the tables it creates are not counted",
        )))
    history = SourceHistory(
        id=f"create_all:{facts.path}:{call.line}", kind="create_all", path=facts.path,
        files=[facts.path], ordered=False, alternative_to=call.alternative,
    )
    columns = {d.table: d.columns for d in model.declarations}
    for info in infos:
        assert info.table is not None
        history.operations.append(
            SchemaOp(
                source=history.id, source_kind="create_all", path=facts.path, line=call.line,
                operation=TEMPORARY_CREATION if call.temporary or info.temporary else "create",
                table=info.table, columns=columns.get(info.table), if_not_exists=True,
                snippet=call.snippet,
            )
        )
    result.histories.append(history)


def _declarations(
    facts: PythonFacts,
    call: CreateAllCall,
    mapper: Mapper,
    model: OrmModel,
    by_owner: dict[str, list[Declaration]],
    result: CreateAllSources,
) -> tuple[list[Declaration], bool] | None:
    """The declarations the call creates and whether its MetaData was assumed, or None (with
    a diagnostic) when unknown."""
    owner = mapper.metadata_owner(facts, call.receiver) if call.receiver else None
    assumed = False
    if owner is None and call.receiver:
        symbol = mapper.symbols.lookup(facts, call.receiver.removesuffix("()"))
        if symbol is not None and symbol.kind in ("module", "class", "table"):
            # `some_module.create_all(...)`: a function of that name, not MetaData; and
            # `Seeder(...).create_all()`: the method of an instance of the repository's class
            return None
    if owner is None:
        if len(by_owner) != 1:
            if by_owner:  # no ORM at all: a `create_all` of something else, nothing to say
                result.diagnostics.append(
                    (
                        facts.path,
                        FileProblem(
                            "create-all-unresolved", call.line,
                            f"`{call.snippet}`: which MetaData this is cannot be read "
                            f"statically and the repository has {len(by_owner)}; the tables it "
                            "creates are not counted",
                        ),
                    )
                )
            return None
        owner = next(iter(by_owner))
        assumed = True
        result.diagnostics.append(
            (
                facts.path,
                FileProblem(
                    "create-all-assumed", call.line,
                    f"`{call.snippet}`: which MetaData this is cannot be read statically; the "
                    "repository has only one with tables, so its tables are counted as created "
                    "here (so that they are not reported as never created); whether this call "
                    "runs at all is not known, so no duplicate-definition rests on it",
                ),
            )
        )
    declarations = by_owner.get(owner, [])
    if call.tables is None:
        return declarations, assumed
    wanted = _listed_tables(facts, call.tables, mapper, model)
    if wanted is None:
        result.diagnostics.append(
            (
                facts.path,
                FileProblem(
                    "create-all-unresolved", call.line,
                    f"`{call.snippet}`: its `tables=` list cannot be read statically; every "
                    "table of its MetaData is counted as created here",
                ),
            )
        )
        return declarations, assumed
    return [d for d in declarations if d.table in wanted], assumed


def _listed_tables(
    facts: PythonFacts, listed: tuple[str, ...], mapper: Mapper, model: OrmModel
) -> set[TableKey] | None:
    """`tables=[orders, User.__table__]` as table keys; None if any entry is unknown."""
    tables: set[TableKey] = set()
    for name in listed:
        symbol = mapper.symbols.lookup(facts, name.removesuffix(".__table__"))
        key: TableKey | None = None
        if symbol is not None and symbol.module is not None:
            if symbol.kind == "table":
                key = model.tables.get((symbol.module.path, symbol.name))
            elif symbol.kind == "class":
                key = mapper.info(symbol.module, symbol.node).table  # type: ignore[arg-type]
        if key is None:
            return None
        tables.add(key)
    return tables
