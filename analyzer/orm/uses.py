"""ORM references in application code -> table uses; model declarations -> `model` sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from analyzer.facts import NameFact, OrmReference, PythonFacts
from analyzer.models import Use
from analyzer.orm.mapping import ClassInfo, Mapper, OrmModel
from analyzer.orm.symbols import Symbol, SymbolTable
from analyzer.python import expr as ir
from analyzer.readers.sinks import (
    ATTRIBUTE_SET,
    QUERY_HELD,
    RELATIONSHIP_WRITE,
    ROW_METHOD,
)
from analyzer.resolve.evaluate import Evaluator, Frame, loops_read
from analyzer.resolve.values import ClassV, FunctionV, InstanceV, TableV, Values
from analyzer.sql.names import TableKey

#: peewee model methods that write the table (`Event.create(...)`, `Event.insert_many(rows)`),
#: by the operation the use names.
PEEWEE_WRITES = frozenset(
    {"create", "insert", "insert_many", "insert_from", "replace", "replace_many", "update",
     "delete", "delete_by_id", "set_by_id", "bulk_create", "bulk_update", "get_or_create",
     "truncate_table"}
)
#: peewee model methods that read the table (`Event.get(...)`, `Event.select()`).
PEEWEE_READS = frozenset({"select", "get", "get_or_none", "get_by_id", "filter", "noop"})
#: peewee model attributes that touch no row: the schema (`create_table` is a source read by
#: `analyzer.sources.create_all`; `drop_table`...), the binding, the metadata, the exception
#: class, and `raw`, whose SQL is read as SQL (its tables are the statement's, not the model's).
PEEWEE_NO_ROW = frozenset(
    {"create_table", "drop_table", "table_exists", "bind", "bind_ctx", "_meta", "_schema",
     "DoesNotExist", "raw", "alias", "add_index", "index", "validate_model", "dependencies"}
)
#: Contexts of an instance's write (`event.save()`, `reader._instance_write`): kept for a
#: peewee model only (another library's `save()` is that project's own method).
PEEWEE_INSTANCE_CONTEXTS = frozenset({"save", "delete_instance"})


def orm_uses(
    modules: Iterable[PythonFacts], symbols: SymbolTable, mapper: Mapper, model: OrmModel
) -> list[tuple[TableKey, Use]]:
    """Keep the references whose name resolves to a mapped class or a Table object."""
    uses: list[tuple[TableKey, Use]] = []
    evaluator = mapper.expander.evaluator
    modules = list(modules)
    writing = writing_method_names(modules)
    by_method: set[tuple[str, int, TableKey]] = set()  # (path, line, table) of row methods
    # references to a parameter that named no model here (`insert(table)` in `def
    # _upsert(table, rows)`), by the function taking it: read again at its calls
    by_parameter: dict[tuple[str, str], list[OrmReference]] = {}
    for facts in modules:
        seen: set[tuple[int, TableKey, str, str]] = set()
        for reference in facts.orm.references:
            keys: list[TableKey] = []
            confidence = reference.confidence
            kind, operation = reference.kind, reference.context
            peewee_only = reference.context in PEEWEE_INSTANCE_CONTEXTS
            row_method = _row_method(reference)
            if row_method is not None:
                # `asset.save()`, `entity.update(data)`: the row's own method, when its class
                # (or a base) writes through the session in it
                if row_method in writing:
                    found = _row_method_uses(
                        reference, row_method, facts, evaluator, mapper, model
                    )
                    uses.extend(found)
                    by_method.update((use.path, use.line, key) for key, use in found)
                if reference.context not in PEEWEE_INSTANCE_CONTEXTS:
                    continue
            if reference.context == RELATIONSHIP_WRITE:
                # `shelf.owners.append(reader)`: the association table of the relationship
                # `owners` of the row's class, if it has one
                keys = _association_tables(reference, facts, evaluator, mapper, model)
                operation = "relationship"
            elif reference.value is not None:
                # `select(self.model)` in a generic repository: each subclass's model
                frames = evaluator.receiver_frames([reference.value], (), Frame(facts))
                loops = loops_read(reference.value)
                if loops:
                    # `for model in (Color, Size): session.query(model)`: each element
                    frames = [each for f in frames for each in evaluator.iterations(loops, f)]
                # a held query, and a row whose attribute is set, write only what a query
                # loaded (`Shelf(...)` then `shelf.label = x` is the constructor's insert)
                loaded_only = reference.context in (QUERY_HELD, ATTRIBUTE_SET)
                keys = [] if loaded_only else list(dict.fromkeys(
                    key
                    for frame in frames
                    for key in _evaluated_tables(
                        evaluator.evaluate(reference.value, frame), mapper, peewee_only
                    )
                ))
                if not keys and isinstance(reference.value, ir.ClsRef) and not loaded_only and (
                    not peewee_only
                ):
                    # `db.query(cls)` in a classmethod of a mixin (`Expiring.purge`): the
                    # class is each mapped subclass, for which the method may run
                    keys = _subclass_tables(reference.value, Frame(facts), evaluator, mapper)
                if not keys:
                    # `award = Awards.query.filter_by(id=1).first_or_404()` then
                    # `db.session.delete(award)`: the instance a query of the model returns
                    column = reference.attribute if reference.context == ATTRIBUTE_SET else None
                    keys = list(dict.fromkeys(
                        key for frame in frames
                        for key in _queried_tables(
                            reference.value, frame, evaluator, mapper, peewee_only, column
                        )
                    ))
                    if reference.context == ATTRIBUTE_SET:
                        operation = "update"
                parameter = _parameter_root(reference.value)
                if not keys and parameter is not None and not peewee_only and (
                    reference.context != ATTRIBUTE_SET  # a row handed in: maybe a new one
                ):
                    by_parameter.setdefault((facts.module, parameter.function), []).append(
                        reference
                    )
            else:
                symbol = symbols.lookup(facts, reference.name)
                made = _made_by_a_factory(symbols, facts, reference, model)
                if made is not None:
                    # `Run.Label.name`, `join(Run.Label)`: the class a factory made for the
                    # attribute (`Mapper._factory_instances`), not a column of `runs`
                    symbol = made
                    reference = replace(reference, attribute=None)
                # a name bound in branches (`if FLAVOR == "a": Item = AItem` / `else: Item =
                # BItem`) is any of them: each one's table, confidence medium at most
                candidates = (
                    [symbol] if symbol is not None else symbols.choices(facts, reference.name)
                )
                candidates = [c for c in candidates if c.module is not None]
                if not candidates or (reference.attribute is not None and any(
                    _reads_no_row(c, reference.attribute, model) for c in candidates
                )):
                    continue
                keys = list(dict.fromkeys(
                    key for c in candidates for key in _symbol_tables(c, mapper, model)
                ))
                peewee = bool(keys) and all(_is_peewee(c, model) for c in candidates)
                method = (
                    reference.attribute if reference.context == "attribute" and not peewee
                    else reference.context if peewee_only and not peewee else None
                )  # (`Task(...).save()`: the constructor's reference, marked `save`)
                written = (
                    method is not None and method in writing
                    and _classes_write(candidates, method, evaluator)
                )
                if written:
                    # `Entity.create(name=...)`, `Task(...).save()`: a method of the model's
                    # base that writes through the session
                    kind, operation = "write", method  # type: ignore[assignment]
                elif peewee and reference.context == "attribute" and reference.attribute:
                    # `Event.create(...)`, `Event.get(...)`, `Event.create_table()`
                    if reference.attribute in PEEWEE_NO_ROW:
                        continue
                    if reference.attribute in PEEWEE_WRITES:
                        kind, operation = "write", reference.attribute
                    elif reference.attribute in PEEWEE_READS:
                        operation = reference.attribute
                elif peewee_only and not peewee:
                    # `User(...).save()` on another library's model: its own method, read
                    # as the constructor it makes
                    kind, operation, confidence = "read", "constructor", "low"
                confidence = (
                    "low" if any(c.via_star for c in candidates)
                    else reference.confidence if len(candidates) == 1
                    else "low" if reference.confidence == "low" else "medium"
                )
            for key in keys:
                # a table name a library's rule was inferred to give: medium at most
                key_confidence = (
                    "medium" if key in model.inferred and confidence == "high" else confidence
                )
                marker = (reference.line, key, kind, operation)
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
                            kind=kind,
                            via="orm",
                            confidence=key_confidence,
                            operation=operation,
                            function=reference.function,
                            snippet=f"{operation}: {reference.name}",
                        ),
                    )
                )
    if by_parameter:
        uses.extend(_parameter_uses(modules, by_parameter, evaluator, mapper))
    # `asset.update(data)` on a row whose class defines `update`: the model's own method, not
    # also a held query's `Query.update` (one call, one use)
    uses = [
        (key, use) for key, use in uses
        if use.operation != QUERY_HELD or (use.path, use.line, key) not in by_method
    ]
    secondary = _secondary_uses(uses, model)
    return uses + secondary + _versioned_uses(uses + secondary, model)


def writing_method_names(modules: Iterable[PythonFacts]) -> frozenset[str]:
    """Names of the methods of the repository that write a row through a session, or call
    one of their own receiver's that may (`create` calling `create_no_commit`): the only
    method calls worth evaluating (`dict.update` is far likelier than a model's)."""
    direct: set[str] = set()
    calls: dict[str, set[str]] = {}
    for facts in modules:
        for function in facts.functions.values():
            if function.receiver is None:
                continue
            name = function.qualname.rsplit(".", 1)[-1]
            if function.session_write:
                direct.add(name)
            elif function.own_calls:
                calls.setdefault(name, set()).update(function.own_calls)
    found = set(direct)
    changed = True
    while changed:
        changed = False
        for name, called in calls.items():
            if name not in found and called & found:
                found.add(name)
                changed = True
    return frozenset(found)


def method_write(
    evaluator: Evaluator, cls: ClassV, name: str, seen: frozenset[str] = frozenset()
) -> str:
    """What the method `name` of `cls` (the first definition along its ancestry, as Python
    finds it) does to a row through the session, itself or through the methods of its
    receiver it calls (each looked up on `cls` again, as `self.x()` is): "write", "delete"
    or ""."""
    if name in seen or len(seen) > 8:
        return ""
    for klass in evaluator.mro(cls):
        facts = evaluator.module(klass.module)
        fact = facts.functions.get(f"{klass.qualname}.{name}") if facts is not None else None
        if fact is None:
            continue
        if fact.session_write:
            return fact.session_write
        for called in fact.own_calls:
            if method_write(evaluator, cls, called, seen | {name}):
                return "write"
        return ""
    return ""


def _classes_write(candidates: list[Symbol], method: str, evaluator: Evaluator) -> bool:
    """Whether every class a name may be has a method `method` that writes its row."""
    classes = [
        ClassV(c.module.module, c.name) for c in candidates
        if c.kind == "class" and c.module is not None
    ]
    return bool(classes) and all(method_write(evaluator, cls, method) for cls in classes)


def _row_method(reference: OrmReference) -> str | None:
    """The method a row's method call names (`row_method:update`, peewee's `save`)."""
    if reference.value is None:
        return None
    if reference.context.startswith(ROW_METHOD):
        return reference.context.removeprefix(ROW_METHOD)
    return reference.context if reference.context == "save" else None


def _row_method_uses(
    reference: OrmReference, method: str, facts: PythonFacts, evaluator: Evaluator,
    mapper: Mapper, model: OrmModel,
) -> list[tuple[TableKey, Use]]:
    """`asset.save()` where `asset` is an instance of a mapped class (made by its
    constructor, `self` in its method, a row a query of it loaded) whose own method of that
    name writes through the session: a write of its table."""
    assert reference.value is not None
    frame = Frame(facts)
    classes: list[ClassV] = []
    for value in evaluator.evaluate(reference.value, frame):
        cls = value.cls if isinstance(value, InstanceV) else None
        if isinstance(cls, ClassV) and cls not in classes:
            classes.append(cls)
    for key in _queried_tables(reference.value, frame, evaluator, mapper):
        for info in model.classes.values():
            if info.table == key and info.role == "mapped":
                cls = ClassV(info.facts.module, info.cls.name)
                if cls not in classes:
                    classes.append(cls)
    found: list[tuple[TableKey, Use]] = []
    for cls in classes:
        info = mapper.class_info(cls)
        if info is None or info.role != "mapped" or info.flavour == "peewee":
            continue
        if not method_write(evaluator, cls, method):
            continue
        for key in mapper.tables_of(info):
            use = Use(
                path=facts.path, line=reference.line, module=facts.module, kind="write",
                via="orm", confidence=reference.confidence, operation=method,
                function=reference.function, snippet=f"{method}: {reference.name}",
            )
            if (key, use) not in found:
                found.append((key, use))
    return found


def _association_tables(
    reference: OrmReference, facts: PythonFacts, evaluator: Evaluator, mapper: Mapper,
    model: OrmModel,
) -> list[TableKey]:
    """The association tables (`secondary=`) of the relationship named by the reference's
    attribute on the classes its row may be of: an instance the evaluator tells (made by the
    constructor, `self._model` bound to one), or a row a query loaded."""
    assert reference.value is not None
    frame = Frame(facts)
    tables = set(_evaluated_tables(evaluator.evaluate(reference.value, frame), mapper))
    tables.update(_queried_tables(reference.value, frame, evaluator, mapper))
    found: list[TableKey] = []
    for info in sorted(model.classes.values(), key=lambda i: (i.facts.path, i.cls.line)):
        if info.table is None or info.table not in tables:
            continue
        found.extend(
            key for key, _line, attribute in info.secondaries
            if attribute == reference.attribute and key not in found
        )
    return found


def _parameter_root(value: ir.Expr | None) -> ir.Param | None:
    """The parameter a reference's expression is read from (`table`, `model.__table__`)."""
    while isinstance(value, ir.Attr):
        value = value.value
    return value if isinstance(value, ir.Param) else None


def _parameter_uses(
    modules: list[PythonFacts],
    by_parameter: dict[tuple[str, str], list[OrmReference]],
    evaluator: Evaluator,
    mapper: Mapper,
) -> list[tuple[TableKey, Use]]:
    """`def _upsert(table, rows): return insert(table).values(rows)` called as
    `self._upsert(User, users)`: the model the call gives the parameter, at the call, as the
    helpers that build SQL from a parameter are read (`resolve.code_sql`), one level deep.
    Medium confidence: the helper's body is read with the call's arguments, not run."""
    out: list[tuple[TableKey, Use]] = []
    seen: set[tuple[str, int, TableKey, str, str]] = set()
    for facts, call, fact, inner in evaluator.calls_of(modules, by_parameter):
        for reference in by_parameter[(inner.module.module, fact.qualname)]:
            assert reference.value is not None
            tables = _evaluated_tables(evaluator.evaluate(reference.value, inner), mapper)
            for key in tables:
                marker = (facts.path, call.line, key, reference.kind, reference.context)
                if marker in seen:
                    continue
                seen.add(marker)
                out.append((key, Use(
                    path=facts.path, line=call.line, module=facts.module,
                    kind=reference.kind, via="orm", confidence="medium",
                    operation=reference.context, function=call.function,
                    snippet=f"{reference.context}: {reference.name} -> {fact.qualname}()",
                )))
    return out


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
        for key, line, _attribute in [*info.secondaries, *info.joined]:
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


#: Attributes of a mapped class that describe the mapping and query nothing.
MAPPING_ATTRIBUTES = frozenset({"__mapper__", "__mapper_args__", "__table_args__"})


def _made_by_a_factory(
    symbols: SymbolTable, facts: PythonFacts, reference: OrmReference, model: OrmModel
) -> Symbol | None:
    """The class a factory made for `reference`'s attribute (`Run.Label`), when it is one."""
    if reference.attribute is None:
        return None
    found = symbols.lookup(facts, f"{reference.name}.{reference.attribute}")
    if (
        found is None or found.kind != "class" or found.module is None
        or (found.module.path, found.name) not in model.classes
        or (found.module.path, found.name) not in symbols.instances
    ):
        return None
    return found


def _reads_no_row(symbol: Symbol, attribute: str, model: OrmModel) -> bool:
    """`ReadBook.STATUS_FINISHED`, `Books.DEFAULT_PUBDATE`: a constant the class body (or a
    base's) binds to a literal, or a class nested in it, not a column; `User.__mapper__`: the
    mapping. Reading one
    queries no table (a column, `User.email`, is read as the table's)."""
    if attribute in MAPPING_ATTRIBUTES:
        return True
    if symbol.kind != "class" or symbol.module is None:
        return False
    info = model.classes.get((symbol.module.path, symbol.name))
    seen: set[int] = set()
    while info is not None and id(info) not in seen:
        seen.add(id(info))
        if any(column.attribute == attribute for column in info.columns):
            return False
        fact = info.facts.classes.get(info.cls.name)
        binding = fact.names.get(attribute) if fact is not None else None
        if binding is not None:
            # a class nested in the model (`class Type(enum.Enum)` read as
            # `Subscription.Type.MENTION`) is a namespace of the class, no column either; nor
            # is an attribute annotated `ClassVar[...]`, which SQLAlchemy does not map
            # (freqtrade's `session: ClassVar[SessionType]`, `Trade.session.remove()`)
            return binding.kind == "class" or (
                binding.kind == "value" and _is_literal(binding.value)
            ) or _class_variable(binding.annotation)
        info = info.parents[0] if len(info.parents) == 1 else None
    return False


def _class_variable(annotation: ir.Expr | None) -> bool:
    """`ClassVar[...]`, `typing.ClassVar[...]` (or a bare `ClassVar`)."""
    if isinstance(annotation, ir.Subscript):
        annotation = annotation.value
    return annotation is not None and ir.render(annotation).rsplit(".", 1)[-1] == "ClassVar"


def _maps(info: ClassInfo, attribute: str) -> bool:
    """Whether setting `attribute` on a loaded row of the class changes its table: a mapped
    column's attribute, or a name tabletrace could not read (`unread`, a foreign base's)."""
    return (
        any(c.attribute == attribute for c in info.columns)
        or attribute in info.unread or bool(info.foreign_bases)
    )


def _is_literal(value: ir.Expr | None) -> bool:
    if isinstance(value, ir.Const | ir.Str):
        return True
    if isinstance(value, ir.Seq):
        return all(_is_literal(item) for item in value.items)
    return False


def _is_peewee(symbol: Symbol, model: OrmModel) -> bool:
    """Whether the symbol is a peewee model class."""
    if symbol.kind != "class" or symbol.module is None:
        return False
    info = model.classes.get((symbol.module.path, symbol.name))
    return info is not None and info.flavour == "peewee"


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


#: Calls of a session or query that take the model first (`session.query(Awards)`,
#: `db.session.get(Awards, 1)`, `db.get_or_404(Awards, 1)`).
_MODEL_FIRST_CALLS = frozenset({"query", "get", "get_or_404", "first_or_404", "one_or_404"})
#: Calls running a statement whose result holds rows of the model it selects first
#: (`session.execute(select(Note).where(...)).scalar_one_or_none()`,
#: `session.scalars(select(Tag)).first()`, Flask-SQLAlchemy's `db.one_or_404(db.select(M))`)
_STATEMENT_RESULTS = frozenset(
    {"execute", "scalars", "scalar", "first_or_404", "one_or_404"}
)
#: peewee model methods returning rows of the model (`Event.get(...)`, `Event.select()...`,
#: `Event.create(...)`): an instance they return is the model's.
_PEEWEE_ROWS = frozenset(
    {"get", "get_or_none", "get_by_id", "select", "create", "get_or_create", "filter"}
)


def _queried_tables(
    value: ir.Expr, frame: Frame, evaluator: Evaluator, mapper: Mapper, peewee_only: bool = False,
    column: str | None = None, depth: int = 0,
) -> list[TableKey]:
    """The tables of the model whose query returned `value`: a chain from `Awards.query`
    (Flask-SQLAlchemy's query property) or from a call taking the model first
    (`session.query(Awards)....first()`, `db.session.get(Awards, 1)`), or a peewee model's
    (`Event.get(...)`, `Event.select().where(...)`), also through a loop over such a result;
    `peewee_only`: a peewee model's only; `column`: a model mapping that attribute only."""
    node = value
    if isinstance(node, ir.BoolOp | ir.IfExp):
        # `Shelf.query.get(name) or flask.abort(404)`, `a if c else b`: any of its values (a
        # call that raises, `abort`, gives none)
        parts = node.values if isinstance(node, ir.BoolOp) else (node.body, node.orelse)
        found: list[TableKey] = []
        for part in parts:
            found.extend(
                key
                for key in _queried_tables(
                    part, frame, evaluator, mapper, peewee_only, column, depth
                )
                if key not in found
            )
        return found
    # `for award in Awards.query.filter(...).all(): db.session.delete(award)`: each element of
    # the query's result
    iterable = frame.iterated(node)
    if iterable is not None:
        node = iterable
    first = True
    called = False  # the attribute reached is a method called (`.first()`), not a read
    while True:
        if isinstance(node, ir.Call):
            called = True
            func = node.func
            if (
                isinstance(func, ir.Attr) and func.attr in _MODEL_FIRST_CALLS and node.args
                and not peewee_only
            ):
                keys = _evaluated_tables(
                    evaluator.evaluate(node.args[0], frame), mapper, column=column
                )
                if keys:
                    return keys
            if isinstance(func, ir.Attr) and func.attr in _STATEMENT_RESULTS and node.args and (
                not peewee_only
            ):
                selected = _selected_entity(node.args[0])
                if selected is not None:
                    keys = _evaluated_tables(
                        evaluator.evaluate(selected, frame), mapper, column=column
                    )
                    if keys:
                        return keys
            if first and depth < _HELPER_DEPTH:
                # `tag = get_colored_tag(session, name)`, then `session.delete(tag)`: the row
                # the repository's function returns (its query, or the instance it makes)
                keys = _returned_rows(
                    node, frame, evaluator, mapper, peewee_only, column, depth + 1
                )
                if keys:
                    return keys
            node = func
        elif isinstance(node, ir.Attr):
            if not called and node.attr != "query":
                # `user.posts` (then `.select()`): a relationship or column read on the row,
                # which is no row of the model
                return []
            called = False
            if node.attr == "query" and not peewee_only:
                keys = _evaluated_tables(
                    evaluator.evaluate(node.value, frame), mapper, column=column
                )
                if keys:
                    return keys
            if node.attr in _PEEWEE_ROWS and column is None:
                # (a peewee row's attribute set writes nothing: `save()` does, a use of its own)
                keys = _evaluated_tables(evaluator.evaluate(node.value, frame), mapper, True)
                if keys:
                    return keys
            node = node.value
        else:
            return []
        first = False


def _selected_entity(statement: ir.Expr) -> ir.Expr | None:
    """The first thing `select(...)` selects in a statement built from it
    (`select(Note).where(...).order_by(...)`, `db.select(Note)`), or None for any other
    statement. A column (`select(Note.id)`) evaluates to no model, so it gives no table."""
    node = statement
    while isinstance(node, ir.Call):
        func = node.func
        name = (
            func.attr if isinstance(func, ir.Attr)
            else func.name if isinstance(func, ir.Imported | ir.Global) else None
        )
        if name == "select":
            return node.args[0] if node.args and not node.unpacked else None
        if not isinstance(func, ir.Attr):
            return None
        node = func.value
    return None


#: How many functions deep a row returned by the repository's functions is followed
_HELPER_DEPTH = 2


def _returned_rows(
    call: ir.Call, frame: Frame, evaluator: Evaluator, mapper: Mapper, peewee_only: bool,
    column: str | None, depth: int,
) -> list[TableKey]:
    """The tables of the rows a call of the repository's function returns: each return
    value (those its arguments leave possible) read as a query's result or an instance, in
    the call's frame."""
    if call.unpacked:
        return []
    keys: list[TableKey] = []
    for func in evaluator.evaluate(call.func, frame):
        if not isinstance(func, FunctionV):
            continue
        read = evaluator.call_returns(func, call, frame)
        if read is None:
            continue
        callee, returns = read
        for returned in returns:
            found_keys = _queried_tables(
                returned, callee, evaluator, mapper, peewee_only, column, depth
            ) or _evaluated_tables(
                evaluator.evaluate(returned, callee), mapper, peewee_only, column
            )
            keys.extend(k for k in found_keys if k not in keys)
    return keys


def _subclass_tables(
    node: ir.ClsRef, frame: Frame, evaluator: Evaluator, mapper: Mapper
) -> list[TableKey]:
    """The tables of the mapped repository subclasses of an unmapped class `cls` stands for."""
    keys: list[TableKey] = []
    for value in evaluator.evaluate(node, frame):
        if not isinstance(value, ClassV):
            continue
        info = mapper.class_info(value)
        if info is not None and info.role == "mapped":
            continue  # its own table: `_evaluated_tables` answered already
        for sub in evaluator.subclasses(value):
            keys.extend(k for k in _evaluated_tables((sub,), mapper) if k not in keys)
    return keys


def _evaluated_tables(values: Values, mapper: Mapper, peewee_only: bool = False,
                      column: str | None = None) -> list[TableKey]:
    """Tables of what the evaluator found: a mapped class, one of its instances, a Table
    (`peewee_only`: a peewee model or one of its instances only; `column`: a class mapping
    that attribute to a column, or one whose columns tabletrace could not all read)."""
    keys: list[TableKey] = []
    for value in values:
        cls = value.cls if isinstance(value, InstanceV) else value
        if isinstance(cls, ClassV):
            info = mapper.class_info(cls)
            if info is not None and info.role == "mapped" and (
                info.flavour == "peewee" or not peewee_only
            ) and (column is None or _maps(info, column)):
                keys.extend(k for k in mapper.tables_of(info) if k not in keys)
        elif isinstance(value, TableV) and not peewee_only:
            key = TableKey(value.schema or mapper.default_schema, value.name)
            if key not in keys:
                keys.append(key)
    return keys


def _versioned_uses(
    uses: list[tuple[TableKey, Use]], model: OrmModel
) -> list[tuple[TableKey, Use]]:
    """SQLAlchemy-Continuum (`__versioned__ = {}` in a mapped class or a base of it) keeps a
    version table (`<table>_version`, or the class's own `table_name` pattern) for the class
    and for the association tables of its relationships, and a `transaction` table: it writes
    them at each flush that changes the class, wherever that happens. One write of each at the
    `__versioned__` line when code uses the class's table: high confidence when code writes
    it, medium when it only reads it (the writes are not in sight)."""
    kinds: dict[TableKey, set[str]] = {}
    for key, use in uses:
        kinds.setdefault(key, set()).add(use.kind)
    found: list[tuple[TableKey, Use]] = []
    for info in sorted(model.classes.values(), key=lambda i: (i.facts.path, i.cls.line)):
        if info.role != "mapped" or info.table is None or info.table not in kinds:
            continue
        declared = _versioned(info, set())
        if declared is None:
            continue
        facts, fact = declared
        pattern = _version_pattern(fact.value)
        if pattern is None:
            continue
        used = {key for key, _, _ in info.secondaries if key in kinds}
        tables = [
            TableKey(key.schema, pattern.replace("%s", key.name))
            for key in (info.table, *sorted(used))
        ]
        tables.append(TableKey(info.table.schema, "transaction"))
        confidence = "high" if "write" in kinds[info.table] else "medium"
        for key in tables:
            found.append(
                (
                    key,
                    Use(
                        path=facts.path, line=fact.line, module=facts.module, kind="write",
                        via="orm", confidence=confidence, operation="__versioned__",
                        snippet=f"{info.cls.name}.__versioned__: SQLAlchemy-Continuum "
                        f"writes a version of each change of {info.cls.name}",
                    ),
                )
            )
    return found


def _versioned(info: ClassInfo, seen: set[int]) -> tuple[PythonFacts, NameFact] | None:
    """The `__versioned__` binding of the class, or of the nearest base declaring one."""
    if id(info) in seen:
        return None
    seen.add(id(info))
    fact = info.facts.classes.get(info.cls.name)
    binding = fact.names.get("__versioned__") if fact is not None else None
    if binding is not None and binding.value is not None:
        return info.facts, binding
    for parent in info.parents:
        found = _versioned(parent, seen)
        if found is not None:
            return found
    return None


def _version_pattern(value: ir.Expr | None) -> str | None:
    """The version table's name pattern of a `__versioned__` dict literal: its `table_name`,
    else Continuum's default `%s_version`; None when it turns versioning off or is no dict
    literal (`__versioned__ = None` on a subclass)."""
    if not isinstance(value, ir.Mapping):
        return None
    pattern = "%s_version"
    for key, item in value.items:
        if not isinstance(key, ir.Str):
            continue
        if key.value == "versioning" and isinstance(item, ir.Const) and item.value is False:
            return None
        if key.value == "table_name":
            if not isinstance(item, ir.Str) or "%s" not in item.value:
                return None
            pattern = item.value
    return pattern
