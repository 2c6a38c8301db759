"""Run a revision's `upgrade()` statically: its steps, in order, with helpers followed.

The reader (`analyzer.readers.alembic`) recorded what each function does; here `upgrade()` is
walked step by step with the evaluator: helpers are followed wherever they are defined (the
same file, another module, a function nested in `upgrade()`) with their parameters bound to
the call's arguments, loops over known collections are unrolled (each element one operation,
with the loop's line kept as the operation's), `op.batch_alter_table(...)` batches are
recognised even when passed to a helper, and table names are evaluated across modules
(`Tag.__tablename__`, `Tag.__table__`, imported constants). What cannot be read stays a hole,
and statements whose effect cannot be seen are listed as opaque.
"""

from __future__ import annotations

import dataclasses

from analyzer.facts import (
    AlembicOp,
    AlembicRevision,
    FileProblem,
    FunctionFact,
    Hole,
    Literal,
    MigrationStep,
    Part,
    PythonFacts,
)
from analyzer.python import expr as ir
from analyzer.readers.alembic_api import (
    BATCH_OPERATIONS,
    NON_OPERATIONS,
    OPERATIONS,
    Spec,
    first_string_argument,
)
from analyzer.resolve.evaluate import Evaluator, Frame, call_params, loop_elements
from analyzer.resolve.templates import Template, TemplateExpander
from analyzer.resolve.values import (
    BatchV,
    ClassV,
    ExternalResultV,
    ExternalV,
    FileV,
    FunctionV,
    InstanceV,
    StrV,
    TableV,
    Unknown,
    Value,
    Values,
    why_unknown,
)
from analyzer.sql.refs import hole_marker

MAX_HELPER_DEPTH = 8  # nested helper calls followed from upgrade()
STATEMENT_CALLS = frozenset({"insert", "update", "delete", "select"})


class RevisionRunner:
    """Turns a revision's steps into operations, with the evaluator of the whole repository."""

    def __init__(self, evaluator: Evaluator, expander: TemplateExpander) -> None:
        self.evaluator = evaluator
        self.expander = expander

    def run(self, revision: AlembicRevision, facts: PythonFacts | None) -> AlembicRevision:
        """A copy of `revision` with its operations, upgrade text and opaque statements."""
        result = dataclasses.replace(
            revision, operations=[], opaque_statements=[], problems=list(revision.problems)
        )
        if revision.branch_label_parts:
            self._branch_labels(revision, facts, result)
        if facts is None or not revision.has_upgrade:
            return result
        run = _Run(self, revision, facts, result)
        run.function(facts, "upgrade", Frame(facts), (), None, False)
        result.upgrade_text = "\n".join(
            revision.function_texts[name] for name in run.texts if name in revision.function_texts
        )
        result.opaque_statements = list(dict.fromkeys(run.opaque))
        return result


    def _branch_labels(
        self, revision: AlembicRevision, facts: PythonFacts | None, result: AlembicRevision
    ) -> None:
        """`branch_labels = (cli.EXPAND_BRANCH,)`: each label evaluated with the revision's
        imports (one known text each), or ignored with the problem the reader would have
        reported for a label that is no literal."""
        labels: list[str] = []
        why = "the revision's module was not read"
        for parts in revision.branch_label_parts:
            texts, why = (
                self.expander.text(parts, Frame(facts)) if facts is not None else ([], why)
            )
            if len(texts) != 1:
                why = why or f"{len(texts)} possible values"
                break
            labels.append(texts[0])
        else:
            result.branch_labels = tuple(labels)
            return
        result.problems.append(
            FileProblem(
                "alembic-dynamic-identifier", revision.branch_labels_line,
                f"`branch_labels` could not be evaluated ({why}); it was ignored",
            )
        )


class _Run:
    def __init__(
        self,
        runner: RevisionRunner,
        revision: AlembicRevision,
        facts: PythonFacts,
        result: AlembicRevision,
    ) -> None:
        self.evaluator = runner.evaluator
        self.expander = runner.expander
        self.revision = revision
        self.facts = facts
        self.result = result
        self.texts: dict[str, None] = {}
        self.opaque: list[tuple[int, str]] = []
        self.why: list[str] = []  # why names of the operation being read stay unknown
        self.path: str | None = None  # the module of the step being read, if not the revision
        self.elements = ""  # the loop elements the operation runs with (evidence)
        # `for col in [sa.Column("tags", ...), ...]: batch_op.add_column(col)`: the column
        # each loop's current element is, as written (its value keeps no name), by loop
        self.loop_columns: dict[int, ir.Expr] = {}
        # `def create_table_if_not_exists(name, *args): op.create_table(name, *args)`: what a
        # helper's `*args` holds, as the caller wrote it, by (id of the helper's frame, param):
        # the arguments, the caller's frame, and the helper's frame (kept alive for its id)
        self.forwarded: dict[tuple[int, str], tuple[tuple[ir.Expr, ...], Frame, Frame]] = {}

    # ---- functions and steps ---------------------------------------------------------------

    def function(
        self,
        facts: PythonFacts,
        qualname: str,
        frame: Frame,
        stack: tuple[tuple[str, str], ...],
        helper: str | None,
        cond: bool,
    ) -> None:
        if facts is self.facts and "." not in qualname:
            self.texts.setdefault(qualname, None)
        steps = facts.migration_steps.get(qualname, ())
        self.steps(facts, steps, frame, (*stack, (facts.module, qualname)), helper, cond)

    def steps(
        self,
        facts: PythonFacts,
        steps: tuple[MigrationStep, ...],
        frame: Frame,
        stack: tuple[tuple[str, str], ...],
        helper: str | None,
        cond: bool,
    ) -> None:
        index = 0
        while index < len(steps):
            step = steps[index]
            unbound = [loop for loop in step.loops if loop not in frame.loops]
            if unbound:
                loop = unbound[0]
                end = index
                while end < len(steps) and loop in steps[end].loops:
                    end += 1
                group = steps[index:end]
                iterations = list(self.evaluator.iterations((loop,), frame))
                columns = self._column_items(facts, loop, frame)
                if columns is not None and len(columns) != len(iterations):
                    # the columns a comprehension keeps (`[c for name, c in new if name not in
                    # existing]`): each one, as the evaluator cannot tell which are kept
                    iterations = [
                        frame.with_loop(loop, Unknown("a column a comprehension may keep"))
                        for _ in columns
                    ]
                for position, iteration in enumerate(iterations):
                    if columns is not None:
                        self.loop_columns[loop] = columns[position]
                    unknown = isinstance(iteration.loops.get(loop), Unknown)
                    self.steps(facts, group, iteration, stack, helper, cond or unknown)
                self.loop_columns.pop(loop, None)
                index = end
                continue
            self.elements = loop_elements(facts, step.loops, frame)
            self.path = None if facts is self.facts else facts.path
            self.step(facts, step, frame, stack, helper, cond or step.conditional)
            index += 1

    def _column_items(
        self, facts: PythonFacts, loop: int, frame: Frame
    ) -> tuple[ir.Expr, ...] | None:
        """The `Column(...)` calls a loop runs over, one per iteration, when the revision
        spells them out (`new_columns = [sa.Column("tags", ...)]`, a module constant, a helper
        returning them, a comprehension picking them from pairs: `_unpacked`); None
        otherwise."""
        if loop >= len(facts.loops):
            return None
        items = _unpacked(facts.loops[loop].iterable, frame, self.evaluator)
        if not items or not all(
            isinstance(item, ir.Call) and ir.render(item.func).rsplit(".", 1)[-1] == "Column"
            for item in items
        ):
            return None
        return items

    def step(
        self,
        facts: PythonFacts,
        step: MigrationStep,
        frame: Frame,
        stack: tuple[tuple[str, str], ...],
        helper: str | None,
        cond: bool,
    ) -> None:
        if step.kind == "opaque":
            self.opaque.append((step.line, step.text))
        elif step.kind == "globals":
            for name in sorted(facts.functions, key=lambda n: facts.functions[n].line):
                if "." not in name and name.startswith(step.name):
                    self.follow(facts, name, step, frame, Frame(facts), stack, helper, True)
        elif step.kind == "call":
            self.call(facts, step, frame, stack, helper, cond)
        elif step.kind == "op":
            self.op(facts, step, frame, stack, helper, cond)
        elif step.kind == "execute":
            self.execute(step, frame, helper, cond)

    def follow(
        self,
        facts: PythonFacts,
        qualname: str,
        step: MigrationStep,
        caller: Frame,
        frame: Frame,
        stack: tuple[tuple[str, str], ...],
        helper: str | None,
        cond: bool,
    ) -> None:
        if (facts.module, qualname) in stack:
            return  # recursion: already being read
        if len(stack) > MAX_HELPER_DEPTH:
            self.opaque.append((step.line, step.text))
            return
        name = qualname.rsplit(".", 1)[-1]
        self.function(facts, qualname, frame, stack, helper or name, cond)

    def call(
        self,
        facts: PythonFacts,
        step: MigrationStep,
        frame: Frame,
        stack: tuple[tuple[str, str], ...],
        helper: str | None,
        cond: bool,
    ) -> None:
        assert step.value is not None
        followed = False
        for value in self.evaluator.evaluate(step.value, frame):
            if not isinstance(value, FunctionV):
                continue
            callee = self.evaluator.module(value.module)
            if callee is None or value.qualname not in callee.migration_steps:
                continue
            fact = callee.functions.get(value.qualname)
            if fact is None:
                continue
            bound = self.evaluator.bind_call(callee, fact, value, step, frame)
            self._forward(fact, value, step, frame, bound)
            self.follow(callee, value.qualname, step, frame, bound, stack, helper, cond)
            followed = True
        if not followed:
            self.opaque.append((step.line, step.text))

    def _forward(
        self, fact: FunctionFact, value: FunctionV, step: MigrationStep, caller: Frame,
        bound: Frame,
    ) -> None:
        """Keep the arguments as the caller wrote them, by the helper's parameter: a positional
        parameter's one (`add_column_if_not_exists("networks", sa.Column("qinq", ...))`),
        a `*args` parameter's (none when the call unpacks something itself: positions are
        unknown then)."""
        if any(isinstance(a, ir.Starred) for a in step.args):
            return
        params = call_params(fact, value)
        positional = [p for p in params if p.kind == "positional"]
        for param, argument in zip(positional, step.args, strict=False):
            self.forwarded[(id(bound), param.name)] = ((argument,), caller, bound)
        for param, argument in step.kwargs:
            if any(p.name == param for p in params):
                self.forwarded[(id(bound), param)] = ((argument,), caller, bound)
        varargs = next((p for p in params if p.kind == "varargs"), None)
        if varargs is not None:
            self.forwarded[(id(bound), varargs.name)] = (
                tuple(step.args[len(positional):]), caller, bound
            )

    # ---- operations ------------------------------------------------------------------------

    def record(self, step: MigrationStep, helper: str | None, cond: bool, **fields: object) -> None:
        why = "; ".join(dict.fromkeys(self.why))
        self.why = []
        self.result.operations.append(
            AlembicOp(
                str(fields.pop("name", step.name)),
                step.line,
                conditional=cond,
                helper=helper,
                snippet=step.snippet + self.elements,
                unresolved=why,
                path=self.path,
                **fields,  # type: ignore[arg-type]
            )
        )

    def op(
        self,
        facts: PythonFacts,
        step: MigrationStep,
        frame: Frame,
        stack: tuple[tuple[str, str], ...],
        helper: str | None,
        cond: bool,
    ) -> None:
        assert step.receiver is not None
        receivers = self.evaluator.evaluate(step.receiver, frame)
        batch = next((v for v in receivers if isinstance(v, BatchV)), None)
        if batch is None:
            batch = self._entered_batch(step.receiver, frame)
        is_op = self._is_op(step.receiver, receivers)
        if batch is None and not is_op:
            method = self.evaluator.evaluate(ir.Attr(step.receiver, step.name), frame)
            call = dataclasses.replace(step, kind="call", value=ir.Attr(step.receiver, step.name))
            if any(isinstance(v, FunctionV) for v in method):
                self.call(facts, call, frame, stack, helper, cond)
            else:
                self.opaque.append((step.line, step.text))
            return
        if step.name in NON_OPERATIONS:
            return
        if step.name == "execute":
            self.execute(step, frame, helper, cond)
            return
        spec = (BATCH_OPERATIONS if batch is not None else OPERATIONS).get(step.name)
        if spec is None:
            self.opaque.append((step.line, step.text))
            if batch is not None:
                table, schema = self._batch(batch, step)
                self.record(step, helper, cond, table=table, schema=schema)
                return
            first = first_string_argument(step.args)
            table = None if first is None else self.name(first, frame, step.line)
            self.record(step, helper, cond, table=table)
            return
        self.record(step, helper, cond, **self.fields(step, spec, frame, batch))

    def fields(
        self, step: MigrationStep, spec: Spec, frame: Frame, batch: BatchV | None
    ) -> dict[str, object]:
        lines: dict[int, int] = {}

        def get(role: str) -> ir.Expr | None:
            where = spec.get(role)
            if where is None:
                return None
            index, keywords = where
            for (keyword, value), at in zip(step.kwargs, step.kwarg_lines, strict=False):
                if keyword in keywords:
                    lines[id(value)] = at
                    return value
            positional = []
            for value, at in zip(step.args, step.arg_lines, strict=False):
                if isinstance(value, ir.Starred):
                    break
                positional.append(value)
                lines[id(value)] = at
            if index is not None and index < len(positional):
                return positional[index]
            return None

        def at(node: ir.Expr) -> int:
            return lines.get(id(node), step.line)

        fields: dict[str, object] = {}
        if batch is not None:
            fields["table"], fields["schema"] = self._batch(batch, step)
        else:
            table = get("table")
            if table is not None:
                fields["table"] = self.name(table, frame, at(table))
            fields["schema"] = self.literal(get("schema"), frame)
        table_obj = get("table_obj")
        if table_obj is not None:
            found = self._table_object(table_obj, frame)
            if found is None:
                fields["table"] = (self.hole(table_obj, at(table_obj)),)
            else:
                fields["table"] = (Literal(found.name, at(table_obj)),)
                fields["schema"] = found.schema
        new_table = get("new_table")
        if new_table is not None:
            fields["new_table"] = self.name(new_table, frame, at(new_table))
        referent = get("referent")
        if referent is not None:
            fields["referent_table"] = self.name(referent, frame, at(referent))
            fields["referent_schema"] = self.literal(get("referent_schema"), frame)
        if "coldefs" in spec:
            start = spec["coldefs"][0] or 0
            known: list[tuple[ir.Expr, Frame]] = []
            for value in step.args:
                if isinstance(value, ir.Starred):
                    # `*timestamps()`, `*COMMON_COLUMNS`: the columns a helper of the
                    # revision returns, or a module constant holds; `*args` of a helper:
                    # the columns its caller wrote
                    items = self._starred(value.value, frame) if len(known) >= start else None
                    if items is None:
                        fields["columns_open"] = True
                        break  # positions after *args are unknown
                    known.extend(items)
                    continue
                known.append((value, frame))
            names = (self.column_name(a, at_frame) for a, at_frame in known[start:])
            fields["columns"] = tuple(n for n in names if n is not None)
        column_obj = get("column_obj")
        if column_obj is not None:
            name = self.column_name(column_obj, frame)
            fields["columns"] = (name,) if name is not None else ()
        column = get("column")
        if column is not None:
            name = self.literal(column, frame)
            fields["columns"] = (name,) if name is not None else ()
            new_name = self.literal(get("new_column"), frame)
            if name is not None and new_name is not None:
                fields["column_rename"] = (name, new_name)
        return fields

    @staticmethod
    def _is_op(receiver: ir.Expr, values: Values) -> bool:
        """Whether `receiver` (evaluated to `values`) is Alembic's `op`: imported, a free `op`
        (the revision relies on Alembic's module-level proxy), or a parameter named `op`
        (`def upgrade(op=None)`, `def upgrade(op, tables, tester)`: the runner hands the
        revision its `Operations`)."""
        return any(
            isinstance(v, ExternalV) and (v.path == "alembic.op" or v.path.endswith(".op"))
            for v in values
        ) or (
            isinstance(receiver, ir.Global)
            and receiver.name == "op"
            and all(isinstance(v, Unknown) for v in values)
        ) or (
            isinstance(receiver, ir.Param)
            and receiver.name == "op"
            and not any(isinstance(v, FunctionV | InstanceV | ClassV) for v in values)
        )

    def _entered_batch(self, receiver: ir.Expr, frame: Frame) -> BatchV | None:
        """`with op.batch_alter_table("item") as batch_op` where `op` is the runner's (a
        parameter, or the free proxy), which the evaluator cannot call: the batch of the
        table its arguments name."""
        if not (
            isinstance(receiver, ir.Entered) and isinstance(receiver.value, ir.Call)
            and isinstance(receiver.value.func, ir.Attr)
            and receiver.value.func.attr == "batch_alter_table"
        ):
            return None
        call = receiver.value
        owner = call.func.value  # type: ignore[attr-defined]
        if not self._is_op(owner, self.evaluator.evaluate(owner, frame)):
            return None
        keywords = dict(call.kwargs)
        table = call.args[0] if call.args else keywords.get("table_name")
        if table is None:
            return None
        names = self.evaluator.evaluate(table, frame)
        schema = keywords.get("schema")
        schemas = self.evaluator.evaluate(schema, frame) if schema is not None else ()
        return BatchV(names[0] if len(names) == 1 else Unknown("several names"),
                      schemas[0] if len(schemas) == 1 else None)

    def _batch(self, batch: BatchV, step: MigrationStep) -> tuple[tuple[Part, ...], str | None]:
        line = step.line
        name: tuple[Part, ...]
        if isinstance(batch.table, StrV):
            name = (Literal(batch.table.value, line),)
        else:
            table: ir.Expr | None = None
            receiver = step.receiver
            if isinstance(receiver, ir.Entered) and isinstance(receiver.value, ir.Call):
                call = receiver.value
                table = call.args[0] if call.args else dict(call.kwargs).get("table_name")
            if table is None:
                name = (Hole("batch_alter_table(...)", None, line, "argument"),)
            else:
                name = (self.hole(table, line),)
        schema = batch.schema.value if isinstance(batch.schema, StrV) else None
        return name, schema

    def _table_object(self, node: ir.Expr, frame: Frame) -> TableV | None:
        values = self.evaluator.evaluate(node, frame)
        tables = [v for v in values if isinstance(v, TableV)]
        return tables[0] if len(tables) == 1 and len(values) == 1 else None

    # ---- names -----------------------------------------------------------------------------

    def name(self, node: ir.Expr, frame: Frame, line: int) -> tuple[Part, ...]:
        """A table name: its text when known, else a hole (and the evaluator's reason)."""
        values = self.evaluator.evaluate(node, frame)
        if len(values) == 1 and isinstance(values[0], StrV):
            return (Literal(values[0].value, line),)
        if len(values) == 1 and isinstance(values[0], TableV):
            return (Literal(values[0].name, line),)
        parts = self._partial(node, frame, line)
        if parts is not None:
            return parts
        texts = list(dict.fromkeys(v.value for v in values if isinstance(v, StrV)))
        if len(texts) > 1 and len(texts) == len(values):
            # `other = "p"; if flag: other = "q"`: which one the revision drops or renames is
            # decided when it runs
            self.why.append(f"it is one of {', '.join(repr(t) for t in texts)}")
        else:
            self.why.append(why_unknown(values))
        return (self.hole(node, line),)

    def _partial(self, node: ir.Expr, frame: Frame, line: int) -> tuple[Part, ...] | None:
        if not isinstance(node, ir.FString):
            return None
        hole = Hole(ir.render(node), None, line, "fstring", node)
        templates = self.expander.expand((hole,), frame)
        if len(templates) != 1:
            return None
        return template_parts(templates[0])

    @staticmethod
    def hole(node: ir.Expr, line: int) -> Hole:
        return Hole(ir.render(node), ir.dotted_of(node), line, "argument", node)

    def literal(self, node: ir.Expr | None, frame: Frame) -> str | None:
        if node is None:
            return None
        values = self.evaluator.evaluate(node, frame)
        if len(values) == 1 and isinstance(values[0], StrV):
            return values[0].value
        return None

    def _starred(self, node: ir.Expr, frame: Frame) -> list[tuple[ir.Expr, Frame]] | None:
        """What `*node` unpacks, each item with the frame to read it in: the arguments the
        caller handed a helper's `*args` (`_forward`), or what `_unpacked` spells out."""
        if isinstance(node, ir.Param):
            forwarded = self.forwarded.get((id(frame), node.name))
            if forwarded is not None:
                return [(item, forwarded[1]) for item in forwarded[0]]
            return None
        items = _unpacked(node, frame, self.evaluator)
        return None if items is None else [(item, frame) for item in items]

    def column_name(self, node: ir.Expr, frame: Frame) -> str | None:
        """The name of `sa.Column("name", ...)` (also through a helper's parameter, as its
        caller wrote it)."""
        for _ in range(8):
            if isinstance(node, ir.LoopVar) and not node.path and node.loop in self.loop_columns:
                node = self.loop_columns[node.loop]
                continue
            if isinstance(node, ir.Param):
                forwarded = self.forwarded.get((id(frame), node.name))
                if forwarded is None or len(forwarded[0]) != 1:
                    return None
                node, frame = forwarded[0][0], forwarded[1]
                continue
            if isinstance(node, ir.Call):
                rendered = ir.render(node.func)
                if rendered.rsplit(".", 1)[-1] != "Column":
                    return None
                first = node.args[0] if node.args else dict(node.kwargs).get("name")
                return self.literal(first, frame) if first is not None else None
            return None
        return None

    # ---- SQL -------------------------------------------------------------------------------

    def execute(self, step: MigrationStep, frame: Frame, helper: str | None, cond: bool) -> None:
        if step.kind == "op":  # op.execute(...) recorded as an operation call
            sql_node = step.args[0] if step.args else dict(step.kwargs).get("sqltext")
            if sql_node is None:
                self.record(step, helper, cond, name="execute")
                return
            step = dataclasses.replace(step, kind="execute", value=_unwrap_text(sql_node))
        if step.sql is not None:
            for template in self.expander.expand(step.sql, frame):
                self.record(step, helper, cond, name="execute", sql=template_parts(template))
            return
        assert step.value is not None
        node = self._unwrap(step.value, frame)
        if isinstance(node, ir.FString | ir.BinOp | ir.Str):
            hole = Hole(ir.render(node), None, step.line, "argument", node)
            for template in self.expander.expand((hole,), frame):
                if not template.holes or template.has_literal_text():
                    self.record(step, helper, cond, name="execute", sql=template_parts(template))
                    continue
                self._execute_value(step, Unknown("not known"), frame, helper, cond)
            return
        step = dataclasses.replace(step, value=node)
        values = self.evaluator.evaluate(node, frame)
        for value in values:
            self._execute_value(step, value, frame, helper, cond or len(values) > 1)

    def _execute_value(
        self, step: MigrationStep, value: Value, frame: Frame, helper: str | None, cond: bool
    ) -> None:
        assert step.value is not None
        line = step.line
        if isinstance(value, StrV):
            if _written_here(step.value):
                # `op.execute(textwrap.dedent(...))` of a literal: its lines follow the call's
                sql: tuple[Literal, ...] = (Literal(value.value, line),)
            else:
                sql = _run_at(value.value, line)
            self.record(step, helper, cond, name="execute", sql=sql)
            return
        if isinstance(value, FileV) and value.kind == "text" and not value.path.endswith(".py"):
            self.record(step, helper, cond, name="execute", sql_file=value.path)
            return
        hole = (Hole(ir.render(step.value), _ref(step.value), line, "argument", step.value),)
        table = self._statement_table(step.value, frame)
        if table is not None:
            # a SQLAlchemy Core statement on a known table: a data change, never DDL
            self.record(
                step, helper, cond, name="execute", table=(Literal(table.name, line),),
                schema=table.schema,
            )
            return
        if _is_core_statement(value):
            self.record(step, helper, cond, name="execute")  # data on a table not known
            return
        if _is_sequence_ddl(value):
            # `op.execute(CreateSequence(Sequence("ids")))`: an operation, on no table
            self.record(step, helper, cond, name="execute")
            return
        self.why.append(why_unknown((value,)))
        self.record(step, helper, cond, name="execute", sql=hole)

    def _unwrap(self, node: ir.Expr, frame: Frame) -> ir.Expr:
        """`sa.text(x)`, `DDL(x)` (under any import name) -> x."""
        for _ in range(8):
            if not isinstance(node, ir.Call) or not node.args:
                return node
            funcs = self.evaluator.evaluate(node.func, frame)
            if not any(
                isinstance(f, ExternalV)
                and f.path.startswith("sqlalchemy")
                and f.path.rsplit(".", 1)[-1] in ("text", "DDL")
                for f in funcs
            ):
                return node
            node = node.args[0]
        return node

    def _statement_table(self, node: ir.Expr, frame: Frame) -> TableV | None:
        """Table of a SQLAlchemy Core statement: `t.insert().values()`, `sa.update(t)`."""
        for _ in range(16):
            if not isinstance(node, ir.Call):
                return None
            func = node.func
            if isinstance(func, ir.Attr) and func.attr in STATEMENT_CALLS:
                found = self._table_object(func.value, frame)
                if found is not None:
                    return found
            name = ir.render(func).rsplit(".", 1)[-1]
            if name in STATEMENT_CALLS and node.args:
                found = self._table_object(node.args[0], frame)
                if found is not None:
                    return found
            if not isinstance(func, ir.Attr):
                return None
            node = func.value
        return None


def _is_core_statement(value: Value) -> bool:
    """`sa.select(...)`, `sa.update(t).where(...).values(...)`: a Core statement object."""
    if not isinstance(value, ExternalResultV | ExternalV) or not value.path.startswith(
        "sqlalchemy"
    ):
        return False
    return any(f".{verb}(" in value.path + "(" for verb in STATEMENT_CALLS)


#: SQLAlchemy DDL elements that change a sequence, never a table.
SEQUENCE_DDL = frozenset({"CreateSequence", "DropSequence"})


def _is_sequence_ddl(value: Value) -> bool:
    """`sa.schema.CreateSequence(Sequence("ids"))`: SQLAlchemy's DDL for a sequence."""
    if not isinstance(value, ExternalResultV | ExternalV) or not value.path.startswith(
        "sqlalchemy"
    ):
        return False
    return value.path.split("(", 1)[0].rsplit(".", 1)[-1] in SEQUENCE_DDL


def _written_here(node: ir.Expr) -> bool:
    """Whether the execute's own expression holds a multi-line literal (`textwrap.dedent`
    of a triple-quoted string, which keeps every line where it is): its text starts at the
    call, so its lines follow the call's."""
    return any(isinstance(part, ir.Str) and "\n" in part.value for part in ir.walk(node))


def _run_at(text: str, line: int) -> tuple[Literal, ...]:
    """SQL the evaluator computed (a constant, a value passed in), not written at `line`: every
    table it names is cited at `line`, where it runs, as application code cites a constant
    at its execute. One piece per line of the text, each at `line`: a table on the text's
    third line is not cited two lines below the execute, a line that says nothing of it."""
    return tuple(Literal(piece, line) for piece in text.splitlines(keepends=True)) or (
        Literal(text, line),
    )


def _ref(node: ir.Expr) -> str | None:
    """The dotted name of a module-level value (`queries.RESET`), else None."""
    return ir.dotted_of(node)


def _unwrap_text(node: ir.Expr) -> ir.Expr:
    """`sa.text(x)` / `DDL(x)` -> x, on translated expressions."""
    for _ in range(8):
        if isinstance(node, ir.Call) and node.args:
            name = ir.render(node.func).rsplit(".", 1)[-1]
            if name in ("text", "DDL"):
                node = node.args[0]
                continue
        return node
    return node


def template_parts(template: Template) -> tuple[Part, ...]:
    """A filled template back as parts: its text pieces with their lines, its holes."""
    markers = {hole_marker(index): hole for index, hole in template.holes.items()}
    parts: list[Part] = []
    for segment in template.segments:
        text = template.text[segment.start : segment.end]
        hole = markers.get(text) if segment.fixed else None
        if hole is not None:
            parts.append(hole)
        elif text:
            parts.append(Literal(text, segment.line))
    return tuple(parts)


def _unpacked(
    node: ir.Expr, frame: Frame, evaluator: Evaluator, depth: int = 0
) -> tuple[ir.Expr, ...] | None:
    """The items `*node` unpacks, when the repository spells them out: a tuple or list, a
    module constant holding one, or a call of a function without parameters whose one
    `return` is one (`def timestamps(): return (sa.Column("created_at", ...), ...)`, in the
    revision or imported from the project); None otherwise."""
    if depth > 4:
        return None
    if isinstance(node, ir.Seq):
        return node.items
    if isinstance(node, ir.Comp):
        # `[col for name, col in new_columns if ...]`: the part of each item the element is
        # (a comprehension's condition may leave some out: each is a candidate)
        items = _unpacked(node.iterable, frame, evaluator, depth + 1)
        element = node.element
        if items is None or not isinstance(element, ir.LoopVar) or element.loop != node.loop:
            return None
        picked = []
        for item in items:
            for index in element.path:
                if not isinstance(item, ir.Seq) or index >= len(item.items):
                    return None
                item = item.items[index]
            picked.append(item)
        return tuple(picked)
    if isinstance(node, ir.Global):
        fact = frame.module.names.get(node.name)
        if fact is not None and fact.kind == "value" and fact.value is not None:
            return _unpacked(fact.value, frame, evaluator, depth + 1)
        return None
    if isinstance(node, ir.Call) and not node.args and not node.kwargs:
        for value in evaluator.evaluate(node.func, frame):
            module = evaluator.module(value.module) if isinstance(value, FunctionV) else None
            function = module.functions.get(value.qualname) if module is not None else None
            if function is not None and not function.params and len(function.returns) == 1:
                assert module is not None
                return _unpacked(function.returns[0], Frame(module), evaluator, depth + 1)
    return None
