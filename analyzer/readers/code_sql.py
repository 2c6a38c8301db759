"""SQL in application code: every string expression that may hold SQL, and the calls that may
carry a table name into a helper.

* **String candidates**: every *maximal* string-valued expression (plain / triple-quoted /
  bytes-that-decode-as-UTF-8 literals, implicit and `+` concatenation, f-strings and t-strings,
  `"...".format(...)`, `"..." % args`) as `Literal` pieces and `Hole`s. A string nested inside
  a bigger string expression, or inside one of its holes, is not reported on its own.
* **Sinks**: when the expression is the SQL argument of a known SQL-taking call, the
  candidate's `sink` is that call's name. A bare name or attribute chain in a sink position is a
  one-hole candidate (`style="argument"`); a visibly computed value there (`QUERY % x`, `a + b`,
  `QUERIES[k]`, `q.format(...)`, `build_query(kind)`) is a one-hole candidate with `ref=None`
  (dynamic SQL). A list or tuple of string expressions there (`db.execute(["SELECT id",
  "FROM comments", "WHERE id = ?"])`) is one candidate, its items joined by line breaks: no
  DB-API driver takes a list for a statement, so the call is a wrapper that joins the lines,
  and an item alone is a fragment (`"SELECT id FROM comments WHERE"`), not a statement.
* **Calls** (`CallFact`): calls passing a name-like value (an identifier-like string, a name,
  an attribute chain) that may be a table name given to a repository helper
  (`db.insert("accounts", row)`); resolution decides later which callees are such helpers.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

import libcst as cst

from analyzer.facts import CallFact, FileDatabase, Hole, Literal, Part, StringCandidate
from analyzer.python import expr as ir
from analyzer.python.nodes import dotted, is_format_call, last_name, literal_string
from analyzer.python.parse import ParsedModule
from analyzer.python.scopes import Context, Reader, Scope
from analyzer.python.templates import (
    StringShapes,
    TemplateBuilder,
    joined,
    sql_composable_text,
)
from analyzer.python.translate import Translator
from analyzer.readers.sinks import (
    LIBRARY_ROOTS,
    LOG_ROOTS,
    METHOD_SINKS,
    MIN_TEXT_LENGTH,
    NOT_HELPERS,
    SINKS,
    SQL_KEYWORDS,
    TABLE_COPY_METHODS,
    TABLE_LIKE,
    TEMP_VIEW_KEYWORDS,
    TEMP_VIEW_METHODS,
    in_memory_sqlite,
)


def _is_sink_call(call: cst.Call) -> bool:
    name = last_name(call.func)
    return name is not None and (
        name in SINKS or (isinstance(call.func, cst.Attribute) and name in METHOD_SINKS)
    )


def _result_may_be_sql(call: cst.Call) -> bool:
    """A call given to a sink whose result the resolver evaluates: `q.format(...)`,
    `"...".join(...)`, and a function's result (`cur.execute(build_query("task"))`, the
    repository function returning the SQL). Not a sink of its own (`execute(text(sql))`) nor
    a method of one (`text("...").bindparams(...)`): the sink's own argument is read, where
    it is written."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in ("format", "join"):
        return True
    if _is_sink_call(call):
        return False
    while isinstance(func, cst.Attribute | cst.Call):
        if isinstance(func, cst.Call):
            if _is_sink_call(func):
                return False
            func = func.func
        else:
            func = func.value
    return True


def _library_call(hole: Part, scope: Scope) -> bool:
    """A sink argument calling a library's function (`session.execute(select(User))`, `select`
    imported from SQLAlchemy): its result is no text the resolver could read."""
    if not isinstance(hole, Hole) or not isinstance(hole.value, ir.Call):
        return False
    func: ir.Expr = hole.value.func
    if isinstance(func, ir.Attr) and func.attr in ("format", "join"):
        return False  # a template filled in (psycopg's `sql.SQL(...).format(...)` too)
    while isinstance(func, ir.Attr | ir.Call):
        func = func.value if isinstance(func, ir.Attr) else func.func
    if isinstance(func, ir.Imported):
        return func.level == 0 and func.module.split(".")[0] in LIBRARY_ROOTS
    if not isinstance(func, ir.Global):
        return False
    module = scope
    while module.parent is not None:
        module = module.parent
    sites = module.bindings.get(func.name)
    return bool(sites) and all(
        site.kind == "import" and site.imported is not None and site.imported.level == 0
        and site.imported.module.split(".")[0] in LIBRARY_ROOTS
        for site in sites
    )


def _worth_reporting(parts: tuple[Part, ...]) -> bool:
    text = "".join(p.text for p in parts if isinstance(p, Literal))
    return len(text.strip()) >= MIN_TEXT_LENGTH and any(c.isalpha() for c in text)


class CodeSqlReader(Reader):
    """Rides on the one traversal; `finish` builds the candidates once scopes are complete."""

    def __init__(self, parsed: ParsedModule) -> None:
        super().__init__()
        self.parsed = parsed
        # (expression, its context, the sink it is given to, how it is read: "string",
        # "argument", "lines", "view": the name a DataFrame is registered under, or "copy":
        # the table a cursor's copy method is given)
        self._pending: list[tuple[cst.BaseExpression, Context, str | None, str]] = []
        self._sinks: dict[int, str] = {}  # id(argument node) -> sink name
        # ids of strings read as part of something else: the items of a list of lines given
        # to a sink (`_sink_argument`), the name a DataFrame is registered under (`_call`)
        self._taken: set[int] = set()
        self._calls: list[tuple[cst.Call, Context]] = []
        # `connect(database)` calls (`PythonFacts.file_databases`)
        self.connects: list[FileDatabase] = []
        string_handler = CodeSqlReader._string
        for node_type in (
            cst.SimpleString,
            cst.ConcatenatedString,
            cst.FormattedString,
            cst.BinaryOperation,
        ):
            self.handlers[node_type] = string_handler
        templated = getattr(cst, "TemplatedString", None)
        if templated is not None:
            self.handlers[templated] = string_handler
        self.handlers[cst.Call] = CodeSqlReader._call
        self.handlers[cst.Expr] = CodeSqlReader._expression_statement
        self.handlers[cst.Assign] = CodeSqlReader._assign
        self.handlers[cst.AnnAssign] = CodeSqlReader._single_target
        self.handlers[cst.AugAssign] = CodeSqlReader._single_target
        self._builder: TemplateBuilder | None = None
        self.shapes = StringShapes()

    # ---- traversal -------------------------------------------------------------------------

    def _expression_statement(self, node: cst.CSTNode, ctx: Context) -> bool:
        value = node.value  # type: ignore[attr-defined]
        # docstrings and other bare string statements are never candidates
        return not isinstance(
            value, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString
        )

    def _assign(self, node: cst.CSTNode, ctx: Context) -> bool:
        return not any(_is_all(t.target) for t in node.targets)  # type: ignore[attr-defined]

    def _single_target(self, node: cst.CSTNode, ctx: Context) -> bool:
        return not _is_all(node.target)  # type: ignore[attr-defined]

    def _string(self, node: cst.CSTNode, ctx: Context) -> bool:
        if not self.shapes.is_str(node):
            return True
        if id(node) in self._taken:
            return False
        self._pending.append((node, ctx, self._sinks.pop(id(node), None), "string"))  # type: ignore[arg-type]
        return False  # strings inside a string expression are part of it

    def _call(self, node: cst.CSTNode, ctx: Context) -> bool:
        call: cst.Call = node  # type: ignore[assignment]
        name = last_name(call.func)
        if _is_sink_call(call):
            arg = call.args[0] if call.args else None
            if arg is None or arg.keyword is not None or arg.star:
                keyed = (a for a in call.args if a.keyword and a.keyword.value in SQL_KEYWORDS)
                arg = next(keyed, None)
            if arg is not None:
                self._sink_argument(arg.value, name, ctx)  # type: ignore[arg-type]
        elif name in TEMP_VIEW_METHODS and isinstance(call.func, cst.Attribute):
            view = _view_name(call)
            if view is not None:
                if self.shapes.is_str(view):
                    self._taken.add(id(view))
                self._pending.append((view, ctx, name, "view"))
        elif name in TABLE_COPY_METHODS and isinstance(call.func, cst.Attribute):
            table = _copied_table(call, *TABLE_COPY_METHODS[name][2:])
            if table is not None:
                if self.shapes.is_str(table):
                    self._taken.add(id(table))
                self._pending.append((table, ctx, name, "copy"))
        if _may_pass_a_name(call):
            self._calls.append((call, ctx))
        if name == "connect" and call.args and call.args[0].keyword is None and not (
            call.args[0].star
        ) and (callee := dotted(call.func)) is not None:
            self.connects.append(FileDatabase(
                self.parsed.line(call), sys.intern(callee), ctx.scope.function,
                in_memory_sqlite(literal_string(call.args[0].value), name),
            ))
        if (is_format_call(call) or sql_composable_text(call) is not None) and self.shapes.is_str(
            call
        ):
            self._pending.append((call, ctx, self._sinks.pop(id(call), None), "string"))
            return False
        return True

    def _sink_argument(self, node: cst.BaseExpression, sink: str, ctx: Context) -> None:
        if isinstance(node, cst.IfExp):
            self._sink_argument(node.body, sink, ctx)
            self._sink_argument(node.orelse, sink, ctx)
            return
        if self.shapes.is_str(node):
            self._sinks[id(node)] = sink
            return
        items = _lines_of(node)
        if items and all(self.shapes.is_str(item) for item in items):
            self._taken.update(id(item) for item in items)
            self._pending.append((node, ctx, sink, "lines"))
            return
        if dotted(node) is not None or isinstance(
            node, cst.BinaryOperation | cst.Subscript
        ) or (isinstance(node, cst.Call) and _result_may_be_sql(node)):
            self._pending.append((node, ctx, sink, "argument"))

    # ---- after the traversal ---------------------------------------------------------------

    def candidates(self, translator: Translator) -> list[StringCandidate]:
        builder = self._builder = TemplateBuilder(self.parsed, translator, self.shapes)
        found: list[tuple[int, int, StringCandidate, int]] = []
        done: set[int] = set()
        # the local string bindings a sink's text reads in part (`sql + clause`), and those a
        # sink reads whole (`execute(sql)`, counted where the string is written)
        read_in_part: set[int] = set()
        read_whole: set[int] = set()
        pending = list(self._pending)
        for node, ctx, sink, reading in pending:
            if id(node) in done:
                continue
            scope = ctx.scope
            parts: tuple[Part, ...] | None
            if reading == "lines":
                parts = self._joined_lines(node, scope, ctx.loops)
                if parts is None:  # an item that cannot be read: each item as any string
                    pending.extend((item, ctx, None, "string") for item in _lines_of(node))
                    done.add(id(node))
                    continue
            elif reading in ("view", "copy"):
                name = (
                    builder.build(node, scope, ctx.loops) if self.shapes.is_str(node)
                    else (builder.hole(node, "argument", scope, ctx.loops),)
                )
                done.add(id(node))
                if not name:
                    continue
                assert sink is not None
                before, after = (
                    (TEMP_VIEW_METHODS[sink], "") if reading == "view"
                    else TABLE_COPY_METHODS[sink][:2]
                )
                line = self.parsed.line(node)
                parts = (
                    Literal(before, line), *name, *((Literal(after, line),) if after else ())
                )
            elif reading == "argument" and (
                formatted := builder.local_percent(node, scope, ctx.loops)
            ) is not None:
                parts, locals_in = formatted
                read_in_part.update(locals_in)  # (their text is this statement's)
            elif reading == "argument":
                parts = (
                    builder.hole(node, "argument", scope, ctx.loops),
                )
                whole = self._local_sql_variable(parts, sink, scope, ctx.loops)
                if whole is not None:
                    read_whole.add(whole)
                    continue
                arms = self._local_sql_arms(parts, sink, scope)
                if arms:
                    read_whole.update(arms)
                    continue
                if isinstance(node, cst.Call) and _library_call(parts[0], scope):
                    continue
                read_in_part.update(self._local_strings_in(node, scope, ctx.loops))
            else:
                parts = builder.build(node, scope, ctx.loops)
                if parts is None:
                    done.add(id(node))
                    continue
            done.add(id(node))
            spliced: set[int] = set()
            parts = builder.splice_locals(parts, scope, spliced=spliced)
            if sink is not None:
                read_in_part.update(spliced)  # (`sql + " WHERE x = 1"`: the local is in)
            if sink is None and not _worth_reporting(parts):
                continue
            line = self.parsed.line(node)
            found.append(
                (
                    line,
                    self.parsed.column(node),
                    StringCandidate(
                        parts, line, self.parsed.end_line(node), sink, scope.function,
                        ctx.loops, any(guard != "with" for guard in ctx.guards),
                    ),
                    id(node),
                )
            )
        found.sort(key=lambda item: (item[0], item[1]))
        # A local string a sink reads as a piece of its statement (`sql = "SELECT ... WHERE
        # "`, then `execute(sql + clause)`) is in that sink's candidate: on its own it is a
        # fragment (a false unparsable statement) or the same statement counted twice
        # (`execute(sql + " WHERE " + cond)`). Kept when a sink reads it whole, as that sink
        # is counted where the string is written.
        pieces = read_in_part - read_whole
        return [
            candidate for _, _, candidate, node_id in found
            if candidate.sink is not None or node_id not in pieces
        ]

    def _joined_lines(
        self, node: cst.BaseExpression, scope: Scope, loops: tuple[int, ...]
    ) -> tuple[Part, ...] | None:
        """The items of a list of lines given to a sink, joined by line breaks (each break on
        the line of the item after it, so every item keeps its own lines); None if an item
        cannot be represented."""
        builder = self._builder
        assert builder is not None
        lines = _lines_of(node)
        return joined(((self.parsed.line(i), builder.build(i, scope, loops)) for i in lines), "\n")

    def _local_sql_variable(
        self, parts: tuple[Part, ...], sink: str | None, scope: Scope, loops: tuple[int, ...]
    ) -> int | None:
        """`sql = "SELECT ..."; cur.execute(sql)`: the string is already a candidate where it
        is written, so the sink argument would only count the same statement twice; the id of
        the node bound (0 for a text given to a sink of its own, `sql = text("...")`), or None
        when the argument is no such local. Module and class constants are different: their
        sink sites are the uses other modules make. The sink's loops tell which binding
        reaches it when the name is bound again later, in a loop (`query = "SELECT ...";
        execute(query)`, then `for row in rows: query = text("UPDATE ..."); execute(query,
        ...)`)."""
        assert self._builder is not None
        hole = parts[0]
        if sink is None or not isinstance(hole, Hole) or hole.ref is None:
            return None
        found = self._builder.string_binding(hole.ref, scope, hole.line, loops)
        if found is not None:
            return id(found[0].value) if found[1].kind == "function" else None
        return 0 if self._bound_to_a_sink_of_text(hole.ref, scope, hole.line, loops) else None

    def _local_sql_arms(
        self, parts: tuple[Part, ...], sink: str | None, scope: Scope
    ) -> list[int]:
        """`if soft: query = "UPDATE ..."` / `else: query = "DELETE ..."`, then
        `conn.execute(text(query))`: each string is a candidate where it is written, so the
        sink would count both statements a second time (as `_local_sql_variable` says of one
        binding); the ids of the values bound, or none."""
        assert self._builder is not None
        hole = parts[0]
        if sink is None or not isinstance(hole, Hole) or hole.ref is None:
            return []
        sites = self._builder.string_arms(hole.ref, scope)
        return [id(site.value) for site in sites] if sites else []

    def _local_literal(
        self, name: str, scope: Scope, line: int, loops: tuple[int, ...]
    ) -> int | None:
        """The id of the plain string literal a function's local `name` is bound to once
        where `line` reads it, else None."""
        assert self._builder is not None
        found = self._builder.string_binding(name, scope, line, loops)
        if found is None or found[1].kind != "function":
            return None
        value = found[0].value
        return id(value) if value is not None and literal_string(value) is not None else None

    def _local_strings_in(
        self, node: cst.BaseExpression, scope: Scope, loops: tuple[int, ...]
    ) -> set[int]:
        """The local strings an argument the resolver evaluates reads as pieces of its text:
        the names of its `+` operands bound to a plain literal (`redactions_sql + clause`),
        which the resolver opens into that text and holes whatever the other operands are.
        Not a `%` or `.format` of an unknown value, nor a local that is itself a template
        (`sql = "CREATE TABLE {0}".format(name)`): the resolver leaves the whole unknown
        then, and the local's own candidate is all that reads its text."""
        found: set[int] = set()
        stack: list[cst.BaseExpression] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Name):
                node_id = self._local_literal(current.value, scope, self.parsed.line(current),
                                              loops)
                if node_id is not None:
                    found.add(node_id)
            elif isinstance(current, cst.BinaryOperation) and isinstance(
                current.operator, cst.Add
            ):
                stack.extend((current.left, current.right))
        return found

    def _bound_to_a_sink_of_text(
        self, ref: str, scope: Scope, line: int, loops: tuple[int, ...]
    ) -> bool:
        """`query = text(f"DELETE FROM {table}"); session.execute(query)`: the text is already
        a candidate at its own sink (`text`), so the execute would count it twice."""
        assert self._builder is not None
        found = (
            self._builder.local_assignment(ref, scope, line, loops) if "." not in ref else None
        )
        if found is None:
            return False
        value = found[0].value
        return (
            isinstance(value, cst.Call) and _is_sink_call(value) and bool(value.args)
            and value.args[0].keyword is None and not value.args[0].star
            and self.shapes.is_str(value.args[0].value)
        )

    def calls(self, translator: Translator) -> list[CallFact]:
        out = []
        for call, ctx in self._calls:
            args = []
            kwargs = []
            for arg in call.args:
                value = translator.expr(arg.value, ctx.scope, ctx.loops)
                if arg.star:
                    value = ir.Starred(value)
                if arg.keyword is not None:
                    kwargs.append((arg.keyword.value, value))
                else:
                    args.append(value)
            if not any(_table_like(v) for v in (*args, *(v for _, v in kwargs))):
                continue
            out.append(
                CallFact(
                    self.parsed.line(call),
                    translator.expr(call.func, ctx.scope, ctx.loops),
                    tuple(args),
                    tuple(kwargs),
                    ctx.scope.function,
                    ctx.loops,
                    " ".join(self.parsed.code(call).split())[:160],
                )
            )
        return out


def _copied_table(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    """The table a cursor's copy method is given (`TABLE_COPY_METHODS`): a string, or a name
    (a parameter a caller fills), at its position or keyword; None for anything else (the
    method of some other object)."""
    positional = [arg for arg in call.args if arg.keyword is None]
    if any(arg.star for arg in call.args):
        return None
    found = next((arg.value for arg in call.args if arg.keyword and arg.keyword.value == keyword),
                 positional[position].value if len(positional) > position else None)
    if found is None or not (
        isinstance(found, cst.Name | cst.SimpleString | cst.FormattedString | cst.Attribute)
    ):
        return None
    return found


def _view_name(call: cst.Call) -> cst.BaseExpression | None:
    """The name a DataFrame is registered under (`TEMP_VIEW_METHODS`): the first positional
    argument, else the keyword naming it."""
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None or arg.keyword.value in TEMP_VIEW_KEYWORDS:
            return arg.value
    return None


def _lines_of(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The items of a list or tuple display without starred items, else none."""
    if not isinstance(node, cst.List | cst.Tuple):
        return []
    elements = node.elements
    if not all(type(element) is cst.Element for element in elements):
        return []
    return [element.value for element in elements]


def _is_all(target: cst.BaseExpression) -> bool:
    return isinstance(target, cst.Name) and target.value == "__all__"


def _may_pass_a_name(call: cst.Call) -> bool:
    """Cheap structural test before translating a call's arguments."""
    if not call.args:
        return False
    name = last_name(call.func)
    if name is None or name in NOT_HELPERS or name in SINKS:
        return False
    root = dotted(call.func)
    if root is not None and root.split(".")[0] in LOG_ROOTS:
        return False
    for arg in call.args:
        value = arg.value
        if isinstance(value, cst.SimpleString):
            text = literal_string(value)
            if text is not None and TABLE_LIKE.fullmatch(text):
                return True
        elif isinstance(value, cst.Name | cst.Attribute) or (
            isinstance(value, cst.List | cst.Tuple)
            and _names_listed(element.value for element in value.elements)
        ):
            return True
    return False


def _names_listed(items: Iterable[cst.BaseExpression]) -> bool:
    """`Query(tables=["build", "tag"])`: a list or tuple of literal names, which a builder
    may join into its FROM (names in it are not followed: `[a, b]` is any call's list)."""
    for item in items:
        if isinstance(item, cst.SimpleString):
            text = literal_string(item)
            if text is not None and TABLE_LIKE.fullmatch(text):
                return True
    return False


def _table_like(value: ir.Expr) -> bool:
    if isinstance(value, ir.Str):
        return TABLE_LIKE.fullmatch(value.value) is not None
    if isinstance(value, ir.IfExp):
        # `table = "annuals" if annual else "issues"`, or a name bound in `if`/`else`
        # branches: either value may be the table
        return _table_like(value.body) or _table_like(value.orelse)
    if isinstance(value, ir.BoolOp):
        return any(_table_like(item) for item in value.values)
    if isinstance(value, ir.Seq):
        # `Query(tables=["build", "tag"])`: a list of tables a builder joins into its FROM
        return any(
            isinstance(item, ir.Str) and TABLE_LIKE.fullmatch(item.value) is not None
            for item in value.items
        )
    return isinstance(
        value, ir.Global | ir.Attr | ir.Param | ir.LoopVar | ir.Imported | ir.Subscript
    )
