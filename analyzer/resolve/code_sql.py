"""SQL in application code -> table uses, across modules and through helper functions.

Each string candidate is filled in by the evaluator (`analyzer.resolve.templates`): module
constants of any module, class attributes, `Model.__tablename__`, loops over literal
collections (each element a separate statement). What stays unknown in a table position is a
dynamic table name, with the evaluator's reason.

**Helpers.** Real code often builds SQL in a function that receives the table name:
`def insert(self, table_name, row): ... f"INSERT INTO {table_name} ..."`, called as
`db.insert("accounts", row)`. A candidate whose table hole depends on a parameter of its own
function makes that function a *helper* for that parameter; a function passing its own
parameter on to a helper is a helper too (up to three levels). Each call of a helper whose
callee can be found (through imports, `self`, annotations, constructor assignments, `a or b`)
is evaluated with the parameters bound to the call's arguments: the use belongs to the call
site, with the helper's SQL as the snippet. Where the receiver cannot be typed but exactly one
helper of the repository has that method name, it is used with confidence `medium`. A
parameter that never reaches a table position (a name used as a hint, validated, never put in
SQL) makes no helper. A helper is reported as dynamic only when no call of it can be read.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace

from analyzer.facts import (
    CallFact,
    FunctionFact,
    Hole,
    Literal,
    ParamFact,
    PythonFacts,
    StringCandidate,
)
from analyzer.python import expr as ir
from analyzer.readers.sql_file import snippet_of
from analyzer.resolve.evaluate import Evaluator, Frame
from analyzer.resolve.index import ModuleIndex
from analyzer.resolve.templates import Template, TemplateExpander, params_in
from analyzer.resolve.values import ClassV, FunctionV, InstanceV, StrV, Unknown, Values
from analyzer.sql.detect import Parsed, candidate_may_be_sql, is_sql_text
from analyzer.sql.names import ANY_SCHEMA, TableKey
from analyzer.sql.refs import CREATING_OPERATIONS, HOLE_PREFIX, StatementResult, TableRef
from analyzer.sql.split import Statement, split_statements
from analyzer.sql.statements import analyze_statement
from analyzer.sql.tokenscan import cte_names

HELPER_LEVELS = 3  # a call site, then up to three helpers deep

FuncKey = tuple[str, str]  # (module, function qualname)
# function name -> (parameters taking a table name, their positions): `find_helpers`
HelperSignatures = dict[str, tuple[frozenset[str], frozenset[int]]]


@dataclass(frozen=True, slots=True)
class ResolvedRef:
    ref: TableRef
    line: int
    snippet: str
    statement_type: str
    function: str | None = None
    confidence: str = "high"
    # its statement is written under an `if`/`try`/`while` (`StringCandidate.guarded`)
    guarded: bool = False


@dataclass(frozen=True, slots=True)
class DynamicName:
    line: int
    expressions: tuple[str, ...]
    kind: str
    snippet: str
    reason: str = ""
    # What the statement does to the table (`TableRef.operation`). Not part of the identity:
    # `ALTER TABLE {a} RENAME TO {b}` with one unknown hole is one dynamic name, not two.
    operation: str = field(default="", compare=False)
    # "low" when only the token scan read the statement (`_unique_dynamic` prefers a parse)
    confidence: str = field(default="high", compare=False)
    # "spark": a name of a Spark session's catalog (`analyzer.sources.spark`), not a table
    # of the database
    engine: str = field(default="", compare=False)


#: A Jinja (or Liquid) expression or tag in a name: `{{ table }}`, `{% if x %}`
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class UnparsedStatement:
    line: int
    error: str
    snippet: str


@dataclass(slots=True)
class PythonSql:
    """The SQL found in one Python module."""

    refs: list[ResolvedRef] = field(default_factory=list)
    dynamic: list[DynamicName] = field(default_factory=list)
    unparsed: list[UnparsedStatement] = field(default_factory=list)
    sql_strings: int = 0
    statements: int = 0
    # (line, schema name) of each `ATTACH DATABASE ... AS name` (SQLite): another database
    attached: list[tuple[int, str]] = field(default_factory=list)
    # statements calling functions or procedures a `.sql` file may define
    calls: list[RoutineCall] = field(default_factory=list)
    # sequences its statements create (`StatementResult.sequences`)
    sequences: list[TableKey] = field(default_factory=list)
    # (line, table) of each table a catalog query asks about (`StatementResult.probed`)
    probed: list[tuple[int, TableKey]] = field(default_factory=list)
    # (line, table, snippet) of each table a CREATE's or ALTER's foreign key references
    # (`StatementResult.references`)
    references: list[tuple[int, TableKey, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RoutineCall:
    """A statement of the module calling database functions (`StatementResult.calls`)."""

    line: int
    names: tuple[str, ...]
    snippet: str
    function: str | None


Analysis = tuple[tuple[Statement, StatementResult], ...] | None
MemoKey = tuple[str, bool, str, str]
# (analyses by text, CTE names by (text, dialect)), as a scan saves them for the next
MemoState = tuple[dict[MemoKey, Analysis], dict[tuple[str, str], frozenset[str]]]


class SqlMemo:
    """Analyses from an earlier scan (`previous`) and those this scan used (`used`); the CTE
    names of texts the same way (`ctes`).

    Saving `used` only keeps the memo the size of the repository's current SQL.
    """

    def __init__(
        self,
        previous: MemoState | None = None,
        ahead: dict[MemoKey, Analysis] | None = None,
    ) -> None:
        self.previous, self.previous_ctes = previous or ({}, {})
        # analyses extraction made in this scan (the workers' `literal_analyses`, the
        # relevance rounds' helper search), so taking one counts as computing it
        self.ahead = ahead or {}
        self.used: dict[MemoKey, Analysis] = {}
        self.used_ctes: dict[tuple[str, str], frozenset[str]] = {}
        self.computed = 0

    def get(self, key: MemoKey) -> tuple[bool, Analysis]:
        if key in self.used:
            return True, self.used[key]
        if key in self.previous:
            self.used[key] = self.previous[key]
            return True, self.used[key]
        if key in self.ahead:
            self.put(key, self.ahead[key])
            return True, self.used[key]
        return False, None

    def put(self, key: MemoKey, analysis: Analysis) -> None:
        self.used[key] = analysis
        self.computed += 1

    def ctes(self, text: str, dialect: str) -> frozenset[str]:
        """`cte_names(text, dialect)`, tokenized once per text: a generated repository's
        rescan tokenized the same 492 texts again for 0.33 s of its 4.9 s."""
        key = (text, dialect)
        names = self.used_ctes.get(key)
        if names is None:
            names = self.previous_ctes.get(key)
            if names is None:
                names = cte_names(text, dialect)
                self.computed += 1
            self.used_ctes[key] = names
        return names

    @property
    def state(self) -> MemoState:
        """What the next scan starts from (`SqlMemo(state)`)."""
        return self.used, self.used_ctes

    @property
    def changed(self) -> bool:
        return (
            self.computed > 0
            or len(self.used) != len(self.previous)
            or len(self.used_ctes) != len(self.previous_ctes)
        )


def memo_key(text: str, *, at_sink: bool, dialect: str, default_schema: str) -> MemoKey:
    """What `analyze_text`'s result depends on: its memo key (also the key of the analyses
    made ahead, `literal_analyses`)."""
    return (text, at_sink, dialect, default_schema)


def analyze_text(
    text: str, *, at_sink: bool, dialect: str, default_schema: str, memo: SqlMemo | None = None,
    parsed: Parsed | None = None,
) -> Analysis:
    """None when `text` is not SQL, else its statements with their analysis.

    Parsing dominates a warm scan, so results are memoised by the text itself: a template
    whose constants changed is a different text, so a memo entry can never be stale.
    `parsed`: sqlglot's parses already made of some texts (`detect.sharing_parses`); a
    statement whose very text is among them is taken from it instead of parsed again.
    """
    key = memo_key(text, at_sink=at_sink, dialect=dialect, default_schema=default_schema)
    if memo is not None:
        found, cached = memo.get(key)
        if found:
            return cached
    analysis: Analysis = None
    if parsed is None:
        parsed = {}  # what the verdict parsed: a statement that is the whole text reuses it
    if is_sql_text(text, at_sink=at_sink, dialect=dialect, parsed=parsed):
        statements, _problems = split_statements(text)
        analysis = tuple(
            (s, _without_clause_holes(
                s.text,
                # (a text no sink runs as it is: its code may split it on line breaks)
                analyze_statement(s.text, dialect=dialect, default_schema=default_schema,
                                  parsed=parsed, one_a_line=not at_sink),
                dialect, default_schema,
            ))
            for s in statements
        )
    if memo is not None:
        memo.put(key, analysis)
    return analysis


def _left_out(text: str, hole: re.Match[str]) -> str:
    """What stands in for an unknown hole, same length: `0` where a value is expected (after
    an operator, `(`, `,` or a keyword taking a value: `stopped >= {timestamp}`), else
    nothing (a clause: `WHERE a = 1 {user_cond} GROUP BY`)."""
    before = text[: hole.start()].rstrip()
    word = _LAST_WORD.search(before)
    keyword = word.group(1).upper() if word is not None else ""
    value = bool(before) and (before[-1] in "=<>!(,+-*/%|" or keyword in _TAKES_A_VALUE)
    return ("0" if value else "").ljust(len(hole.group()))


_LAST_WORD = re.compile(r"(\w+)\Z")
_TAKES_A_VALUE = frozenset(
    {"AND", "OR", "NOT", "IS", "LIKE", "ILIKE", "IN", "BETWEEN", "LIMIT", "OFFSET", "THEN",
     "ELSE", "WHEN", "CASE", "SELECT", "WHERE", "HAVING", "ON", "DISTINCT", "BY"}
)  # fmt: skip

# An unknown hole standing alone between tokens, not glued to a name (`{prefix}_users`)
_LONE_HOLE = re.compile(rf"(?<![\w.\"`\[]){re.escape(HOLE_PREFIX)}\d+__(?![\w.\"`\]])")


def _without_clause_holes(
    text: str, result: StatementResult, dialect: str, default_schema: str
) -> StatementResult:
    """A statement sqlglot could not parse because unknown holes stand for clauses
    (`"... WHERE media_type = 'movie' %s %s GROUP BY %s" % (where_timeframe, where_id,
    group_by)`), read with those holes left out: when it then parses, its tables are the
    ones its own text names, each `confidence: medium` (a fragment filled in at run time may
    name more), instead of the token scan's low. Only when every hole stands alone between
    tokens (one glued to a name, `FROM {prefix}_users`, would leave another name), none is
    in a table's place, and the parse names exactly the tables the token scan found."""
    if result.parsed or HOLE_PREFIX not in text:
        return result
    scanned = {(ref.schema, ref.name) for ref in result.refs}
    if any(HOLE_PREFIX in schema or HOLE_PREFIX in name for schema, name in scanned):
        return result  # a hole in a table's place: a dynamic name, maybe a helper's
    blanked = _LONE_HOLE.sub(lambda hole: _left_out(text, hole), text)
    if HOLE_PREFIX in blanked:
        return result  # a hole glued to a name
    retried = analyze_statement(blanked, dialect=dialect, default_schema=default_schema)
    if not retried.parsed or {(ref.schema, ref.name) for ref in retried.refs} != scanned:
        # the parse must name the very tables the token scan found: left out, a hole may
        # turn what follows into other syntax (`UPDATE {t} SET ...` into a table `set`,
        # `WHERE a = ? {order}, rowid` into a table `rowid`)
        return result
    return replace(
        retried,
        refs=tuple(replace(ref, confidence=_weakest(ref.confidence, "medium"))
                   for ref in retried.refs),
    )


def literal_analyses(
    facts: PythonFacts, *, dialect: str, default_schema: str, parsed: Parsed | None = None
) -> dict[MemoKey, Analysis]:
    """`analyze_text` of each of the module's candidates that is literal text only, under the
    memo key `CodeSqlResolver` will ask for it: such a text is the same in every frame.

    Why: a worker that has just read a file makes these while the main process waits for the
    round; the resolver, one process after extraction, then finds them in its memo (synapse:
    4,300 texts, 0.43 s of that process's time). Pure, like `analyze_text`: an analysis made
    here equals the one the resolver would make, and one it never asks for is dropped.
    `parsed`: the parses the file's first look made (`analyze_text`)."""
    analyses: dict[MemoKey, Analysis] = {}
    for candidate in facts.candidates:
        if not all(isinstance(part, Literal) for part in candidate.parts):
            continue
        template = TemplateExpander.assemble(candidate.parts)
        if not template.has_literal_text():
            continue
        at_sink = candidate.sink is not None
        key = memo_key(template.text, at_sink=at_sink, dialect=dialect,
                       default_schema=default_schema)
        if key not in analyses:
            analyses[key] = analyze_text(
                template.text, at_sink=at_sink, dialect=dialect, default_schema=default_schema,
                parsed=parsed,
            )
    return analyses


def _unique_dynamic(names: list[DynamicName]) -> list[DynamicName]:
    """One dynamic name per line, hole and kind, in its first place (the same statement read
    for several loop elements or receivers, `SELECT {field} FROM {table}` with each field,
    is one unknown table); the one that may create a table wins (`RENAME TO {b}` over
    `ALTER TABLE {a}` of the same statement), then the one sqlglot parsed over one only the
    token scan read (as `_unique` keeps the strongest use)."""
    unique: dict[tuple[int, tuple[str, ...], str], DynamicName] = {}
    for name in names:
        key = (name.line, name.expressions, name.kind)
        kept = unique.get(key)
        if kept is None or _stronger_dynamic(name, kept):
            unique[key] = name  # an equal key keeps its place
    return list(unique.values())


def _stronger_dynamic(name: DynamicName, kept: DynamicName) -> bool:
    creates = name.operation in CREATING_OPERATIONS
    kept_creates = kept.operation in CREATING_OPERATIONS
    if creates != kept_creates:
        return creates
    return _stronger(name.confidence, kept.confidence)


# --------------------------------------------------------------------------------------------
# candidates
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Found:
    """What one candidate gave in one frame."""

    refs: list[ResolvedRef] = field(default_factory=list)
    # each dynamic name with the (function, parameter) pairs and the `self.x` reads, as
    # (class, attribute), it depends on (`_take_helper`)
    dynamic: list[tuple[DynamicName, set[tuple[str, str]], set[tuple[str, str]]]] = field(
        default_factory=list
    )
    unparsed: list[UnparsedStatement] = field(default_factory=list)
    attached: list[tuple[int, str]] = field(default_factory=list)
    calls: list[RoutineCall] = field(default_factory=list)
    sequences: list[TableKey] = field(default_factory=list)
    probed: list[tuple[int, TableKey]] = field(default_factory=list)
    references: list[tuple[int, TableKey, str]] = field(default_factory=list)
    # the indices in `dynamic` of the names the class's own frame left unknown, read while
    # subclasses gave theirs (`Evaluator.receiver_frames`): `_take_helper` drops them when
    # every instance is made by such a subclass or by calling the class
    own_frame: set[int] = field(default_factory=set)
    is_sql: bool = False
    statements: int = 0


@dataclass(slots=True)
class _Helper:
    """A function whose SQL takes a table name from its parameters."""

    facts: PythonFacts
    fact: FunctionFact
    params: set[str] = field(default_factory=set)
    templates: list[StringCandidate] = field(default_factory=list)
    forwards: list[tuple[CallFact, FuncKey]] = field(default_factory=list)
    dynamic: list[DynamicName] = field(default_factory=list)  # reported if no call is read
    # a constructor's names left unknown by its class's own reading while subclasses gave
    # theirs (`_take_helper`): reported too if no call is read but some call hands on a
    # parameter of a function no call of which is read either (`Db.table(name)` making
    # `Table(self, name)`): an instance may then be made with any table
    superseded: list[DynamicName] = field(default_factory=list)
    called: bool = False
    forwarded: bool = False  # some call of it hands on a parameter of its calling helper


class CodeSqlResolver:
    """Resolves the SQL of every application module (helpers need all of them at once)."""

    def __init__(
        self,
        evaluator: Evaluator,
        *,
        dialect: str,
        default_schema: str,
        memo: SqlMemo | None = None,
    ) -> None:
        self.evaluator = evaluator
        self.expander = TemplateExpander(evaluator)
        self.dialect = dialect
        self.default_schema = default_schema
        self.memo = memo
        self._helpers: dict[FuncKey, _Helper] = {}
        self._helper_names: set[str] = set()  # their last names, as calls are matched
        # `find_helpers`: the paths of the modules each module's reading looked up, and the
        # candidates reading only `self`, by function, until an attribute holds its parameter
        self._lookups: dict[str, set[str]] = {}
        # what each module's reading found when it searched subclasses (`_same_subclasses`)
        self._subclass_answers: dict[str, dict[object, tuple[object, ...]]] = {}
        self._waiting: dict[str, list[tuple[PythonFacts, StringCandidate]]] = {}
        self._attributes_by_path: dict[str, frozenset[str]] = {}  # `_attribute_params`
        self._runner_calls: set[CallFact] = set()  # calls a runner is assumed to make
        # what each called expression evaluated to, with this evaluator (`_called_values`)
        self._called: dict[tuple[int, int], tuple[PythonFacts, ir.Expr, Values]] = {}

    # ---- one candidate ---------------------------------------------------------------------

    def _analyze(self, candidate: StringCandidate, frame: Frame, found: _Found) -> None:
        holes = [part.value for part in candidate.parts if isinstance(part, Hole) and part.value]
        if not holes and not candidate.loops:
            # (nothing to read for a receiver or a loop: `frame` once, as both would give)
            for template in self.expander.expand(candidate.parts, frame):
                self._template(candidate, template, found)
            return
        frames = self.evaluator.receiver_frames(holes, candidate.loops, frame)
        for receiver in frames:
            before = len(found.dynamic)
            for iteration in self.evaluator.iterations(candidate.loops, receiver):
                for template in self.expander.expand(candidate.parts, iteration):
                    self._template(candidate, template, found)
            if receiver is frame and len(frames) > 1:
                found.own_frame.update(range(before, len(found.dynamic)))

    def _template(self, candidate: StringCandidate, template: Template, found: _Found) -> None:
        if not template.has_literal_text():
            return
        statements = analyze_text(
            template.text, at_sink=candidate.sink is not None, dialect=self.dialect,
            default_schema=self.default_schema, memo=self.memo,
        )
        if statements is None:
            return
        found.is_sql = True
        found.statements = max(found.statements, len(statements))
        for statement, analysis in statements:
            snippet = snippet_of(template.display(statement.text))
            statement_line = template.line_of(statement.offset)
            if analysis.attached is not None:
                found.attached.append((statement_line, analysis.attached))
            found.sequences.extend(analysis.sequences)
            found.probed.extend((statement_line, key) for key in analysis.probed)
            found.references.extend(
                (statement_line, key, snippet) for key in analysis.references
            )
            if analysis.calls:
                found.calls.append(
                    RoutineCall(statement_line, analysis.calls, snippet, candidate.function)
                )
            if not analysis.parsed:
                unparsed = UnparsedStatement(
                    statement_line, analysis.error or "not parsed", snippet
                )
                if not any(u.line == unparsed.line for u in found.unparsed):
                    # one per statement: its other texts (a clause there or not) add none
                    found.unparsed.append(unparsed)
            for ref in analysis.refs:
                line = (
                    template.line_of(statement.offset + ref.offset)
                    if ref.offset is not None
                    else statement_line
                )
                jinja = _JINJA.search(ref.name) or _JINJA.search(ref.schema)
                if jinja is not None:
                    # `"{{ featureview.name }}__dedup"`: SQL written as a Jinja template,
                    # whose names are known when it is rendered
                    found.dynamic.append((DynamicName(
                        line, (jinja.group(0),), ref.kind, snippet,
                        "a Jinja template expression, filled when the template is rendered",
                        ref.operation, ref.confidence,
                    ), set(), set()))
                    continue
                if ref.holes or HOLE_PREFIX in ref.name or HOLE_PREFIX in ref.schema:
                    indices = [i for i in ref.holes if i in template.holes]
                    expressions = tuple(template.holes[i].expr for i in indices)
                    reasons = [template.reasons[i] for i in indices if i in template.reasons]
                    depends: set[tuple[str, str]] = set()
                    reads: set[tuple[str, str]] = set()
                    for index in indices:
                        depends |= params_in(template.holes[index].value)
                        reads |= _self_attributes(template.holes[index].value)
                    if (
                        HOLE_PREFIX not in ref.name and not depends
                        and ref.kind in ("read", "write") and ref.peer is None
                        and not any(
                            _kept_by_self(template.holes[index].value) for index in indices
                        )
                    ):
                        # `f'SELECT ... FROM "{db}"."{schema}"."PROJECTS"'`, the database and
                        # schema a setting's (or a setting an object keeps: `self.config.
                        # schema`): the table is known, in a schema known at run time. Not
                        # `self.schema` itself, which each subclass's constructor may give
                        # (read at its constructions), nor a DDL statement's (no source
                        # places it): those stay dynamic names
                        found.refs.append(ResolvedRef(
                            replace(ref, schema=ANY_SCHEMA, holes=()), line, snippet,
                            analysis.statement_type, candidate.function, "medium",
                            candidate.guarded,
                        ))
                        continue
                    if ref.operation == "subquery" and indices and all(
                        _compiled_orm_query(template.holes[index].value) for index in indices
                    ):
                        # `sql, params = qs.query.sql_with_params()`, `str(qs.query)`: the
                        # SQL Django compiles for a queryset, whose tables its ORM use
                        # records where the queryset is built (netbox's search backend)
                        continue
                    dynamic = DynamicName(
                        line, expressions, ref.kind, snippet, "; ".join(dict.fromkeys(reasons)),
                        ref.operation, ref.confidence,
                    )
                    found.dynamic.append((dynamic, depends, reads))
                    continue
                if ref.peer is not None and any(HOLE_PREFIX in part for part in ref.peer):
                    # renamed to a name known only at run time (that name is the dynamic
                    # one): where the table goes is unknown, so the rename moves nothing
                    ref = replace(ref, peer=None)
                found.refs.append(
                    ResolvedRef(
                        _columns_shown(ref, template), line, snippet,
                        analysis.statement_type, candidate.function, ref.confidence,
                        candidate.guarded,
                    )
                )

    # ---- modules ---------------------------------------------------------------------------

    def resolve(self, modules: Iterable[PythonFacts]) -> dict[str, PythonSql]:
        """The SQL of every module, helper calls included, keyed by path."""
        modules = list(modules)
        results = {facts.path: PythonSql() for facts in modules}
        for facts in modules:
            result = results[facts.path]
            ctes = _function_ctes(facts, self.dialect, self.memo)
            for candidate in facts.candidates:
                if not candidate_may_be_sql(candidate):
                    # its literal start rules SQL out whatever its holes hold: `_template`
                    # would analyse every filling to find none, after evaluating the holes
                    # and the loops around it (the relevance rounds do not follow them either)
                    continue
                found = _Found()
                self._analyze(candidate, Frame(facts), found)
                if not found.is_sql:
                    continue
                result.sql_strings += 1
                result.statements += found.statements
                result.unparsed.extend(found.unparsed)
                result.attached.extend(
                    item for item in found.attached if item not in result.attached
                )
                result.calls.extend(found.calls)
                result.sequences.extend(
                    key for key in found.sequences if key not in result.sequences
                )
                result.probed.extend(item for item in found.probed if item not in result.probed)
                result.references.extend(
                    item for item in found.references if item not in result.references
                )
                own = ctes.get(candidate.function, frozenset())
                result.refs.extend(
                    ref for ref in _unique(found.refs)
                    if not _names_a_cte(ref, own, self.default_schema)
                )
                result.dynamic.extend(self._take_helper(facts, candidate, found))
        self._propagate(modules)
        self._resolve_calls(modules, results)
        for key in sorted(self._helpers):
            helper = self._helpers[key]
            if not helper.called:
                narrowed = self._read_narrowed(helper, results[helper.facts.path])
                results[helper.facts.path].dynamic.extend(
                    dynamic for dynamic in helper.dynamic
                    if not any(first <= dynamic.line <= last for first, last in narrowed)
                )
                if helper.forwarded:
                    results[helper.facts.path].dynamic.extend(helper.superseded)
        for result in results.values():
            # a call site reached through several helpers (`simple_upsert` -> its native and
            # its emulated upsert) holds a use from each: the strongest is kept
            result.refs = _unique(result.refs)
            result.dynamic = _unique_dynamic(result.dynamic)
            result.calls = list(dict.fromkeys(result.calls))  # a loop's statement, once
        return results

    def _take_helper(
        self, facts: PythonFacts, candidate: StringCandidate, found: _Found
    ) -> list[DynamicName]:
        """A dynamic table name that depends on a parameter of the candidate's own function
        makes that function a helper (the name is reported only if no call of it is read);
        the other dynamic names are returned."""
        left: list[DynamicName] = []
        # a statement also naming a table by its own function's parameter is read at that
        # function's calls, with their receiver: `self.table` is read there too
        takes_own = bool(candidate.function) and any(
            function == candidate.function for _, depends, _ in found.dynamic
            for function, _ in depends
        )
        if takes_own:
            # the statement is its function's template whatever order its names come in
            helper = self._helper(facts, candidate.function)  # type: ignore[arg-type]
            if helper is not None and candidate not in helper.templates:
                helper.templates.append(candidate)
        for index, (dynamic, depends, reads) in enumerate(found.dynamic):
            own = {name for function, name in depends if function == candidate.function}
            if candidate.function and own:
                helper = self._helper(facts, candidate.function)
                if helper is not None:
                    helper.params |= own
                    if candidate not in helper.templates:
                        helper.templates.append(candidate)
                    helper.dynamic.append(dynamic)
                    continue
            constructor = _constructor_params(facts, candidate, depends, reads) or (
                self._passed_up(facts, candidate, reads)
            )
            # the class's own reading, its table unknown, while subclasses gave theirs: not
            # a name to report when every other instance is made by calling the class, where
            # the helper's calls are read (and report an unknown table they pass) unless
            # nothing reads those calls (`_Helper.superseded`)
            superseded = constructor is not None and index in found.own_frame and (
                self.evaluator.made_apart(
                    ClassV(facts.module, constructor[0].rpartition(".")[0])
                )
            )
            if constructor is not None and takes_own:
                helper = self._helper(facts, candidate.function)  # type: ignore[arg-type]
                if helper is not None and candidate in helper.templates:
                    (helper.superseded if superseded else helper.dynamic).append(dynamic)
                    continue
            elif constructor is not None:
                helper = self._helper(facts, constructor[0])
                if helper is not None:
                    helper.params |= constructor[1]
                    if candidate not in helper.templates:
                        helper.templates.append(candidate)
                    (helper.superseded if superseded else helper.dynamic).append(dynamic)
                    continue
            left.append(dynamic)
        return left

    def _passed_up(
        self, facts: PythonFacts, candidate: StringCandidate, reads: set[tuple[str, str]]
    ) -> tuple[str, set[str]] | None:
        """The constructor of the candidate's own class and its parameters, when the table
        name is `self.<attr>` that a base's constructor keeps from what this one hands up
        (`def __init__(self, table_name, columns): super().__init__(table_name)`, the base
        `self.table_name = table_name`): then, as with `_constructor_params`, the class takes
        its table when made (`CreateTable("events", ...)`), read at each such call."""
        function = candidate.function
        if not function:
            return None
        for cls, attr in sorted(reads):
            init = f"{cls}.__init__"
            if init not in facts.functions or not function.startswith(cls + "."):
                continue
            found = self._handed_up(facts, ClassV(facts.module, cls), init, attr, 0)
            if found:
                return init, found
        return None

    def _handed_up(
        self, facts: PythonFacts, cls: ClassV, init: str, attr: str, depth: int
    ) -> set[str]:
        """The parameters of `init` (the constructor of `cls`, in `facts`) that reach
        `self.<attr>` kept by a constructor up the ancestry, through its one
        `super().__init__(...)` call (and the one above it, up to three)."""
        call = self.evaluator.super_init(facts, init)
        ancestry = self.evaluator.mro(cls)[1:]
        upper = next(
            (owner for owner in ancestry if self.evaluator.own_init(owner) is not None), None
        )
        if call is None or upper is None or depth > 2:
            return set()
        upper_init = self.evaluator.own_init(upper)
        located = self.evaluator.class_fact(upper)
        if upper_init is None or located is None:
            return set()
        upper_facts, upper_fact = located
        kept = upper_fact.attributes.get(attr)
        wanted = (
            {
                node.name for node in ir.walk(kept.value)
                if isinstance(node, ir.Param) and node.function == upper_init.qualname
            }
            if kept is not None and kept.value is not None
            else self._handed_up(upper_facts, upper, upper_init.qualname, attr, depth + 1)
        )
        bound = FunctionV(upper.module, upper_init.qualname, InstanceV(upper))
        found: set[str] = set()
        for wanted_name in wanted:
            argument = _argument(upper_init, bound, call, wanted_name)
            found |= {name for function, name in params_in(argument) if function == init}
        return found

    def find_helpers(
        self, modules: Iterable[PythonFacts], changed: Collection[str] = ()
    ) -> HelperSignatures:
        """The helpers `resolve` finds among `modules` (the same steps, without resolving any
        call), by function name: the parameters that take a table name, and their indices
        among the function's positional parameters (the receiver counted).

        Called again with more modules (and an evaluator over them: `use_evaluator`), it
        reads the candidates of modules it has not read, and again those of modules whose
        reading looked up one of the `changed` modules (a skipped module, read since), then
        passes parameters on through the calls of all of them: the answer is the one a new
        resolver would give, without reading everything again each round.

        Why: the relevance rounds (`engine`) read every skipped file that calls one of these
        names or passes its own parameter on to one, and only those. Matching the names of
        everything the first look merely suspects (a Dockerfile's `f"COPY {source} ..."`,
        then every function passing a parameter on to that one, and so on) read hundreds of
        files in prefect whose calls no helper of the resolver ever matched.
        """
        modules = list(modules)
        for path in changed:
            self._attributes_by_path.pop(path, None)
        recording = _RecordingIndex(self.evaluator.index)
        self.evaluator.index = recording  # type: ignore[assignment]
        try:
            for facts in modules:
                self._read_candidates(facts, changed, recording)
            in_attributes: set[str] = set()
            for facts in modules:
                in_attributes |= self._attribute_params(facts)
            constructing = {
                function.rpartition(".")[0] for function in in_attributes
                if _last(function) == "__init__"
            }
            released = in_attributes & self._waiting.keys()
            released |= {
                function for function in self._waiting
                if any(function.startswith(cls + ".") for cls in constructing)
            }
            for function in sorted(released):
                for facts, candidate in self._waiting.pop(function):
                    recording.found = self._lookups.setdefault(facts.path, set())
                    recording.answers = self._subclass_answers.setdefault(facts.path, {})
                    self.evaluator.forget()
                    self._read_candidate(facts, candidate)
        finally:
            self.evaluator.index = recording.index
        self._propagate(modules)
        signatures: dict[str, tuple[set[str], set[int]]] = {}
        for key in sorted(self._helpers):
            helper = self._helpers[key]
            params, positions = signatures.setdefault(_called_as(key[1]), (set(), set()))
            params |= helper.params
            positional = [p.name for p in helper.fact.params if p.kind == "positional"]
            positions.update(i for i, name in enumerate(positional) if name in helper.params)
        return {
            name: (frozenset(params), frozenset(positions))
            for name, (params, positions) in signatures.items()
        }

    def _read_candidates(
        self, facts: PythonFacts, changed: Collection[str], recording: _RecordingIndex
    ) -> None:
        looked_up = self._lookups.get(facts.path)
        if looked_up is not None and looked_up.isdisjoint(changed) and (
            not changed or ANY_MODULE not in looked_up
            or self._same_subclasses(facts.path, recording)
        ):
            return  # read, and nothing it looked up has changed
        looked_up = self._lookups[facts.path] = set()
        recording.found = looked_up
        recording.answers = self._subclass_answers[facts.path] = {}
        self.evaluator.forget()  # a cached name would hide the modules behind it
        for candidate in facts.candidates:
            if not candidate_may_be_sql(candidate):
                continue  # makes no helper, as in `resolve`; its holes are not read
            reads = _own_reads(facts, candidate)
            if reads == ALWAYS:
                self._read_candidate(facts, candidate)
            elif reads == SELF and candidate.function:
                self._waiting.setdefault(candidate.function, []).append((facts, candidate))

    def _read_narrowed(self, helper: _Helper, result: PythonSql) -> list[tuple[int, int]]:
        """A helper no call of which is read, whose table parameter its own code checks
        against a collection (`if table in ALLOWED:`): its statements read with the
        parameter one of the items, their tables added to `result`; the lines of those
        statements read so, whose dynamic names are then not reported."""
        lines: list[tuple[int, int]] = []
        for candidate in helper.templates:
            frame = self._narrowed(helper.facts, candidate)
            if not frame.params:
                continue
            found = _Found()
            self._analyze(candidate, frame, found)
            if found.dynamic or not found.refs:
                continue
            result.refs.extend(_unique(found.refs))
            lines.append((candidate.line, candidate.end_line))
        return lines

    def _narrowed(self, facts: PythonFacts, candidate: StringCandidate) -> Frame:
        """The frame a candidate is read in: its function's parameters checked against a
        collection around it (`if table in ALLOWED:`, `Narrowing`) are the collection's
        items, when it spells them out as strings."""
        if not facts.narrowings or candidate.function is None:
            return Frame(facts)
        params: dict[tuple[str, str], Values] = {}
        for narrowing in facts.narrowings:
            if (
                narrowing.function != candidate.function
                or not narrowing.line <= candidate.line <= narrowing.end_line
            ):
                continue
            items = self.evaluator.elements(
                self.evaluator.evaluate(narrowing.collection, Frame(facts))
            )
            if items and all(isinstance(item, StrV) for item in items):
                params[(narrowing.function, narrowing.name)] = tuple(dict.fromkeys(items))
        return Frame(facts, params=params) if params else Frame(facts)

    def _read_candidate(self, facts: PythonFacts, candidate: StringCandidate) -> None:
        # A candidate read here may be compared whole with others (`_take_helper`): its holes'
        # literals count as read, evaluated or not (`Evaluator.texts`).
        for part in candidate.parts:
            if isinstance(part, Hole) and part.value is not None:
                self.evaluator.note_texts(part.value)
        found = _Found()
        self._analyze(candidate, Frame(facts), found)
        if found.is_sql:
            self._take_helper(facts, candidate, found)

    def _same_subclasses(self, path: str, recording: _RecordingIndex) -> bool:
        """Whether every subclass search the last reading of `path` made (the only way a
        reading depends on every module: `_RecordingIndex.modules`) finds, over the modules
        read now, what it found then. A module read since can only change that reading
        through such a search, or through a module it looked up (checked apart): when the
        searches find the same classes, the reading stands.

        Why: on synapse, 123 modules whose SQL reads `self.x` were read again in the later
        rounds for any module read since, 0.6 s of a cold scan's main process, and the
        searches that made them depend on every module found the same classes each time."""
        answers = self._subclass_answers.get(path)
        if not answers:
            return False
        saved = recording.found, recording.answers
        recording.found, recording.answers = set(), {}  # (asking is no reading of `path`)
        try:
            return all(
                tuple(self.evaluator.subclasses(cls)) == found  # type: ignore[arg-type]
                for cls, found in answers.items()
            )
        finally:
            recording.found, recording.answers = saved

    def _attribute_params(self, facts: PythonFacts) -> frozenset[str]:
        """Functions (qualnames) whose parameters a class attribute of the module holds
        (`self.table = table`): reading `self.x` may give a parameter of those only."""
        found = self._attributes_by_path.get(facts.path)
        if found is None:
            found = self._attributes_by_path[facts.path] = frozenset(
                node.function
                for cls in facts.classes.values()
                for fact in (*cls.names.values(), *cls.attributes.values())
                if fact.value is not None
                for node in ir.walk(fact.value)
                if isinstance(node, ir.Param)
            )
        return found

    def use_evaluator(self, evaluator: Evaluator) -> None:
        """Evaluate with `evaluator` from now on (one over the modules read since)."""
        self.evaluator = evaluator
        self.expander = TemplateExpander(evaluator)
        self._called.clear()  # (values over other modules)

    def _helper(self, facts: PythonFacts, function: str) -> _Helper | None:
        key = (facts.module, function)
        helper = self._helpers.get(key)
        if helper is None:
            fact = facts.functions.get(function)
            if fact is None:
                return None
            helper = self._helpers[key] = _Helper(facts, fact)
            self._helper_names.add(_called_as(function))
        return helper

    # ---- helpers ---------------------------------------------------------------------------

    def _callees(
        self, facts: PythonFacts, call: CallFact
    ) -> list[tuple[_Helper, FunctionV, str, CallFact]]:
        """Helpers a call may reach, with the function value, the link's confidence and the
        call as the helper receives it: the call itself, or, for a runner given the helper
        and its arguments (`run_in_transaction("desc", self._insert_txn, table, row)`,
        `asyncio.to_thread(insert, table, row)`), the call the runner makes (see
        `_runner_call`)."""
        if not self._helpers:
            return []
        names = self._helper_names
        found = [
            (helper, value, confidence, call)
            for helper, value, confidence in self._helpers_of(facts, call.func, names)
            # a match by name alone (an untyped receiver) must be callable so: PIL's
            # `image.save(buffer, format="JPEG")` is no `Store.save(self, obj)`
            if confidence == "high" or _accepts(helper.fact, call)
        ]
        for index, argument in enumerate(call.args):
            if isinstance(argument, ir.Starred):
                break  # where the runner's own arguments end is unknown
            if not isinstance(argument, _FUNCTION_REFERENCES):
                continue
            for helper, value, confidence in self._helpers_of(facts, argument, names):
                inner = _runner_call(call, index, helper.fact, value)
                if inner is not None:
                    self._runner_calls.add(inner)
                    found.append((helper, value, _weakest(confidence, "medium"), inner))
        return found

    def _names_a_helper(self, call: CallFact) -> bool:
        """`_callees` can find something: the callee, or a function handed to it as a runner,
        has the name of a helper (checked before anything is evaluated)."""
        names = self._helper_names
        if ir.called_name(call.func) in names:
            return True
        for argument in call.args:
            if isinstance(argument, ir.Starred):
                return False
            if isinstance(argument, _FUNCTION_REFERENCES) and ir.called_name(argument) in names:
                return True
        return False

    def _helpers_of(
        self, facts: PythonFacts, func: ir.Expr, names: set[str]
    ) -> list[tuple[_Helper, FunctionV, str]]:
        """The helpers `func` (what is called, or handed to a runner) may be."""
        name = ir.called_name(func)
        if name is None or name not in names:
            return []
        found: list[tuple[_Helper, FunctionV, str]] = []
        values = self._called_values(facts, func)
        for value in values:
            if isinstance(value, FunctionV):
                helper = self._helpers.get((value.module, value.qualname))
                if helper is not None:
                    found.append((helper, value, "high"))
            elif isinstance(value, ClassV) and value.name == name:
                # `Repository(conn, "audit_log")`: the constructor of the class named, when
                # it defines the one whose parameter its methods' SQL reads as `self.table`
                # (a subclass that only inherits it is not matched by its own name)
                constructor = f"{value.qualname}.__init__"
                helper = self._helpers.get((value.module, constructor))
                if helper is not None and self._calls_are_read(helper.facts, constructor):
                    found.append((
                        helper,
                        FunctionV(value.module, helper.fact.qualname, InstanceV(value)),
                        "high",
                    ))
        if not found and isinstance(func, ir.Attr) and name not in _BUILTIN_METHODS and not (
            name.startswith("__") and name.endswith("__")
        ) and all(isinstance(v, Unknown) for v in values):
            # the one helper method (of a class) of that name that builds SQL itself (others
            # only pass it on); a module-level function is reached through its module, which
            # is typed, and
            # `x.get(...)` on an untyped `x` is far likelier a dict's than a helper's, and
            # `Error.__init__(self, msg)` any class's (a dunder method is never taken by name)
            same = [
                h for h in self._helpers.values()
                if _last(h.fact.qualname) == name and h.templates and "." in h.fact.qualname
            ]
            if len(same) == 1:
                helper = same[0]
                receiver = None
                if helper.fact.receiver is not None:
                    receiver = Unknown("an untyped receiver")
                found.append(
                    (helper, FunctionV(helper.facts.module, helper.fact.qualname, receiver),
                     "medium")
                )
        return found

    def _called_values(self, facts: PythonFacts, func: ir.Expr) -> Values:
        """What `func` of `facts` (called, or handed to a runner) evaluates to, once per
        evaluator: `_propagate` asks again for every call on each of its passes, and
        `_resolve_calls` for the same calls after it (synapse: 2,007 `_callees` in the
        final resolution's propagation alone). A top-level evaluation in a module's own frame
        depends on the evaluator's modules only, which do not change until `use_evaluator`.
        Keyed by identity, with the objects kept, so a key is never another expression's."""
        key = (id(facts), id(func))
        kept = self._called.get(key)
        if kept is not None and kept[0] is facts and kept[1] is func:
            return kept[2]
        values: Values = self.evaluator.evaluate(func, Frame(facts))
        self._called[key] = (facts, func, values)
        return values

    def _propagate(self, modules: list[PythonFacts]) -> None:
        """Functions passing their own parameter on to a helper are helpers too."""
        for _ in range(HELPER_LEVELS):
            changed = False
            for facts in modules:
                for call in facts.calls:
                    if (
                        call.function is None
                        or not self._names_a_helper(call)
                        or not _passes_own_params(call)
                    ):
                        continue
                    if not self._calls_are_read(facts, call.function) and not (
                        ir.calls_super_init(call.func)
                    ):
                        # a constructor whose own SQL reads nothing it keeps: no call of
                        # it is read (`_helpers_of`), so the calls in it are read where
                        # they are
                        continue
                    for helper, value, _, made in self._callees(facts, call):
                        forwarded = self._forwarded(made, helper, value)
                        own = {n for f, n in forwarded if f == call.function}
                        if not own:
                            continue
                        caller = self._helper(facts, call.function)
                        if caller is None or caller is helper:
                            continue
                        target = (helper.facts.module, helper.fact.qualname)
                        if not own <= caller.params or (made, target) not in caller.forwards:
                            caller.params |= own
                            if (made, target) not in caller.forwards:
                                caller.forwards.append((made, target))
                            changed = True
            if not changed:
                break

    def _calls_are_read(self, facts: PythonFacts, function: str) -> bool:
        """Whether calls of the function can be read as a helper's: any function but a
        constructor, which is called by its class's name only when the class's own SQL
        reads what it keeps (`_constructor_params`)."""
        if _last(function) != "__init__":
            return True
        helper = self._helpers.get((facts.module, function))
        return helper is not None and bool(helper.templates)

    def _forwarded(
        self, call: CallFact, helper: _Helper, value: FunctionV
    ) -> set[tuple[str, str]]:
        """Caller parameters passed to the helper's table-name parameters."""
        depends: set[tuple[str, str]] = set()
        for name in helper.params:
            argument = _argument(helper.fact, value, call, name)
            if argument is not None:
                depends |= params_in(argument)
        return depends

    def _resolve_calls(self, modules: list[PythonFacts], results: dict[str, PythonSql]) -> None:
        for facts in modules:
            result = results[facts.path]
            for call in facts.calls:
                for helper, value, confidence, made in self._callees(facts, call):
                    forwarded = self._forwarded(made, helper, value)
                    caller = (
                        self._helpers.get((facts.module, call.function))
                        if call.function
                        else None
                    )
                    if caller is not None and any(
                        f == call.function and n in caller.params for f, n in forwarded
                    ):
                        helper.forwarded = True
                        continue  # resolved where the caller itself is called
                    helper.called = True
                    self._call_site(facts, made, helper, value, confidence, result)

    def _call_site(
        self,
        facts: PythonFacts,
        call: CallFact,
        helper: _Helper,
        value: FunctionV,
        confidence: str,
        result: PythonSql,
    ) -> None:
        refs: list[ResolvedRef] = []
        unresolved: list[DynamicName] = []
        expressions = [*call.args, *(v for _, v in call.kwargs)]
        for receiver in self.evaluator.receiver_frames(expressions, call.loops, Frame(facts)):
            for frame in self.evaluator.iterations(call.loops, receiver):
                callee = self.evaluator.bind_call(helper.facts, helper.fact, value, call, frame)
                for found in self._helper_uses(helper, callee, 1):
                    refs.extend(found.refs)
                    unresolved.extend(d for d, _, _ in found.dynamic)
        for ref in _unique(refs):
            result.refs.append(
                ResolvedRef(
                    ref.ref, call.line, ref.snippet, ref.statement_type, call.function,
                    _weakest(confidence, ref.confidence),
                )
            )
        # one name the call leaves unknown is one finding, however many of the helper's
        # statements read it (a cache table's six statements, `CREATE`, `INSERT`, `SELECT`...,
        # all named by the one `provider_id` given here): the one that may create a table,
        # else the first
        by_reason: dict[str, DynamicName] = {}
        for dynamic in unresolved:
            kept = by_reason.get(dynamic.reason)
            if kept is None or _stronger_dynamic(dynamic, kept):
                by_reason[dynamic.reason] = dynamic
        for dynamic in by_reason.values():
            result.dynamic.append(
                DynamicName(
                    call.line, dynamic.expressions, dynamic.kind, dynamic.snippet,
                    f"the table name given to {helper.fact.qualname}() here: {dynamic.reason}",
                    dynamic.operation, dynamic.confidence,
                )
            )

    def _helper_uses(self, helper: _Helper, frame: Frame, depth: int) -> Iterator[_Found]:
        helper.called = True
        for candidate in helper.templates:
            found = _Found()
            self._analyze(candidate, frame, found)
            yield found
        if depth >= HELPER_LEVELS:
            return
        for call, target in helper.forwards:
            inner = self._helpers.get(target)
            if inner is None:
                continue
            callee_value = self._forward_value(helper, call, inner, frame)
            for iteration in self.evaluator.iterations(call.loops, frame):
                callee = self.evaluator.bind_call(
                    inner.facts, inner.fact, callee_value, call, iteration
                )
                for found in self._helper_uses(inner, callee, depth + 1):
                    if call in self._runner_calls:  # an assumed call: at most medium
                        found.refs = [
                            replace(ref, confidence=_weakest(ref.confidence, "medium"))
                            for ref in found.refs
                        ]
                    yield found

    def _forward_value(
        self, helper: _Helper, call: CallFact, inner: _Helper, frame: Frame
    ) -> FunctionV:
        for value in self.evaluator.evaluate(call.func, frame):
            if isinstance(value, FunctionV) and (value.module, value.qualname) == (
                inner.facts.module, inner.fact.qualname
            ):
                return value
            if isinstance(value, ClassV) and (
                value.module, f"{value.qualname}.__init__"
            ) == (inner.facts.module, inner.fact.qualname):
                return FunctionV(value.module, inner.fact.qualname, InstanceV(value))
        receiver = Unknown("an untyped receiver") if inner.fact.receiver else None
        return FunctionV(inner.facts.module, inner.fact.qualname, receiver)


# What a candidate's expressions may read of its own function's parameters (`_own_reads`).
NEVER, SELF, ALWAYS = 0, 1, 2


def _own_reads(facts: PythonFacts, candidate: StringCandidate) -> int:
    """Whether a table name in the candidate may depend on a parameter of its own function
    (the only thing that makes a helper): ALWAYS when a hole, or a loop around the
    candidate, reads such a parameter or a function nested in it (which may close over
    one); SELF when it reads only `self`/`cls` (then only if some class attribute holds a
    parameter of a function of that name, `self.table = table`, in any module: a base
    class's attribute is looked up too); else NEVER.

    A necessary condition checked on the expressions alone: evaluating them is what costs,
    and most SQL of a repository has no hole, or holes of constants and of `self.x` that no
    parameter of the function is assigned to."""
    own = candidate.function
    function = facts.functions.get(own or "")
    if function is None or not function.params:
        return NEVER
    expressions = [
        part.value for part in candidate.parts if isinstance(part, Hole) and part.value
    ]
    if not expressions:
        return NEVER  # a fixed text, whatever the loops around it hold
    expressions.extend(facts.loop_iterables(candidate.loops))
    found = NEVER
    for expression in expressions:
        for node in ir.walk(expression):
            if (isinstance(node, ir.Param) and node.function == own) or isinstance(
                node, ir.LocalDef
            ):
                return ALWAYS
            if isinstance(node, ir.Self | ir.ClsRef):
                found = SELF
    return found


#: Noted by `_RecordingIndex.modules`: the reading looked at every module.
ANY_MODULE = "*"


class _RecordingIndex:
    """A `ModuleIndex` that notes the path of every module found through it, and what each
    subclass search asked through it found (`answers`)."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self.found: set[str] = set()
        self.answers: dict[object, tuple[object, ...]] = {}

    def find(self, name: str, importer: str | None = None) -> PythonFacts | None:
        facts = self.index.find(name, importer)
        if facts is not None:
            self.found.add(facts.path)
        return facts

    def is_package(self, name: str) -> bool:
        return self.index.is_package(name)

    def modules(self) -> list[PythonFacts]:
        """Every module (the evaluator's subclass search): a reading that asks this depends
        on any module read since, unless every search it made finds what it found then
        (`answers`, `CodeSqlResolver._same_subclasses`)."""
        self.found.add(ANY_MODULE)
        return self.index.modules()

    def answered_subclasses(self, cls: object, found: tuple[object, ...]) -> None:
        self.answers[cls] = found


def _passes_own_params(call: CallFact) -> bool:
    """Whether an argument of the call reads a parameter of the calling function: only then
    can it pass one on to a helper (`_forwarded` reads the arguments as written)."""
    return any(
        isinstance(node, ir.Param) and node.function == call.function
        for argument in (*call.args, *(value for _, value in call.kwargs))
        for node in ir.walk(argument)
    )


def _parameters(fact: FunctionFact, value: FunctionV) -> list[ParamFact]:
    """The parameters a call's arguments bind: all but the receiver of a bound method."""
    params = list(fact.params)
    if fact.receiver is not None and value.receiver is not None and params:
        params = params[1:]
    return params


def _positional(fact: FunctionFact, value: FunctionV) -> list[ParamFact]:
    return [p for p in _parameters(fact, value) if p.kind == "positional"]


def _argument(
    fact: FunctionFact, value: FunctionV, call: CallFact, name: str
) -> ir.Expr | None:
    """The argument a call passes for parameter `name`."""
    for keyword, argument in call.kwargs:
        if keyword == name:
            return argument
    for index, param in enumerate(_positional(fact, value)):
        if param.name == name and index < len(call.args):
            argument = call.args[index]
            return None if isinstance(argument, ir.Starred) else argument
    return None


# A string that may define a CTE (`... AS (`, `... AS MATERIALIZED (`): only those are tokenized.
_MAY_DEFINE_A_CTE = re.compile(r"\bAS\s*(?:NOT\s+)?(?:MATERIALIZED\s*)?\(", re.IGNORECASE)


def _function_ctes(
    facts: PythonFacts, dialect: str, memo: SqlMemo | None = None
) -> dict[str | None, frozenset[str]]:
    """CTE names each function's SQL strings define, whatever string defines them.

    Query builders keep the `WITH RECURSIVE sgs(...) AS (...) %s` head in one string and the
    pieces that read `sgs` in others (`parts.append(f"(SELECT ... JOIN sgs USING (g))")`,
    joined later): analysed alone, such a piece reads `sgs` as if it were a table. A name a
    string of the same function defines as a CTE is that CTE, not a table."""
    found: dict[str | None, set[str]] = {}
    for candidate in facts.candidates:
        text = " ".join(part.text for part in candidate.parts if isinstance(part, Literal))
        if _MAY_DEFINE_A_CTE.search(text) is None:
            continue
        names = cte_names(text, dialect) if memo is None else memo.ctes(text, dialect)
        if names:
            found.setdefault(candidate.function, set()).update(names)
    return {function: frozenset(names) for function, names in found.items()}


def _names_a_cte(ref: ResolvedRef, ctes: frozenset[str], default_schema: str) -> bool:
    """A read of an unqualified name (the default schema) that a CTE of the function has."""
    return (
        bool(ctes) and ref.ref.kind == "read" and ref.ref.schema == default_schema
        and ref.ref.name in ctes
    )


# What a runner can be handed as the function it calls: `self._insert_txn`, `insert`,
# `module.insert`, a local function.
_FUNCTION_REFERENCES = (ir.Attr, ir.Global, ir.Imported, ir.LocalDef)


def _runner_call(
    call: CallFact, index: int, fact: FunctionFact, value: FunctionV
) -> CallFact | None:
    """The call a runner makes when handed a function and its arguments: `call.args[index]`
    is the function, the positional arguments after it go to its parameters, after the ones
    the runner supplies itself (a transaction, a connection: `func(txn, *args, **kwargs)`),
    and the keywords that name one of its parameters go to that parameter.

    How many the runner supplies is not read from its body. Of the counts that let the rest
    bind as Python requires (every parameter after the given ones has a default or a
    keyword, and no keyword also names a positional one), it is the one under which most
    arguments written as a name land on the parameter of that name (a wrapper forwards
    `table, keyvalues, values` to `(txn, table, keyvalues, values, where=None)`), then the
    smallest. None when no count binds, or `*args` / `**kwargs` follow the function. Links
    made this way are confidence medium: the runner is assumed to call the function with
    those arguments."""
    trailing = call.args[index + 1 :]
    if any(isinstance(argument, ir.Starred) for argument in trailing):  # also `**kwargs`
        return None
    params = _parameters(fact, value)
    positional = [p for p in params if p.kind == "positional"]
    names = {p.name for p in params}
    keywords = tuple((k, v) for k, v in call.kwargs if k in names)
    given = {k for k, _ in keywords}
    if not trailing and not keywords:
        return None
    best: tuple[int, int] | None = None  # (-names matched, supplied)
    for supplied in range(len(positional) - len(trailing) + 1):
        filled = positional[supplied : supplied + len(trailing)]
        rest = positional[supplied + len(trailing) :]
        if any(p.name in given for p in filled):
            continue
        if all(p.default is not None or p.name in given for p in rest):
            matched = sum(
                1 for p, argument in zip(filled, trailing, strict=True)
                if _argument_name(argument) == p.name
            )
            best = min(best or (0, supplied), (-matched, supplied))
    if best is None:
        return None
    supplied = best[1]
    placeholders = tuple(
        ir.Opaque(p.name, "supplied by the runner") for p in positional[:supplied]
    )
    return CallFact(
        line=call.line, func=call.args[index], args=(*placeholders, *trailing),
        kwargs=keywords, function=call.function, loops=call.loops, snippet=call.snippet,
    )


def _called_as(function: str) -> str:
    """The name a call of the function is matched by: its last name, and a constructor's
    class name (`Repository(...)` calls `Repository.__init__`)."""
    owner, _, last = function.rpartition(".")
    if last == "__init__" and owner:
        return _last(owner)
    return last


def _kept_by_self(node: ir.Expr | None) -> bool:
    """`self.schema`: an attribute of the instance itself (not `self.config.schema`)."""
    return isinstance(node, ir.Attr) and isinstance(node.value, ir.Self)


def _self_attributes(node: ir.Expr | None) -> set[tuple[str, str]]:
    """`self.<attr>` read in an expression, as (class, attribute) pairs."""
    if node is None:
        return set()
    return {
        (n.value.cls, n.attr)
        for n in ir.walk(node)
        if isinstance(n, ir.Attr) and isinstance(n.value, ir.Self)
    }


def _constructor_params(
    facts: PythonFacts, candidate: StringCandidate, depends: set[tuple[str, str]],
    reads: set[tuple[str, str]],
) -> tuple[str, set[str]] | None:
    """The constructor of the candidate's own class and its parameters, when a table name
    the candidate leaves unknown is `self.<attr>` that the constructor assigns from them
    (`def __init__(self, conn, table): self.table = table`), or one of them read through
    what the constructor assigned (`self.staging = table + "_staging"`, read as its value:
    `depends`): then the class is a helper that takes its table when made
    (`Repository(conn, "audit_log")`), read at each such call."""
    function = candidate.function
    if not function:
        return None
    found: dict[str, set[str]] = {}
    for init, name in depends:
        cls, _, last = init.rpartition(".")
        constructor = facts.functions.get(init)
        if (
            last == "__init__" and constructor is not None and function.startswith(cls + ".")
            and function != init
        ):
            found.setdefault(init, set()).add(name)
    for cls, attr in reads:
        init = f"{cls}.__init__"
        fact = facts.classes.get(cls)
        attribute = fact.attributes.get(attr) if fact else None
        if (
            init not in facts.functions or not function.startswith(cls + ".")
            or attribute is None or attribute.value is None
        ):
            continue
        found.setdefault(init, set()).update(
            node.name for node in ir.walk(attribute.value)
            if isinstance(node, ir.Param) and node.function == init
        )
    taken = sorted(init for init, params in found.items() if params)
    return (taken[0], found[taken[0]]) if taken else None


def _argument_name(argument: ir.Expr) -> str | None:
    """The name an argument is written as (`table`, `self.table`), if it is one."""
    return argument.name if isinstance(argument, ir.Param) else ir.called_name(argument)


def _last(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


def _compiled_orm_query(node: ir.Expr | None) -> bool:
    """`qs.query.sql_with_params()` (or one of its items, unpacked: `sql, params = ...`),
    `str(qs.query)`: a Django queryset's SQL, compiled at run time from the ORM."""
    if isinstance(node, ir.Subscript):
        node = node.value
    if not isinstance(node, ir.Call):
        return False
    func = node.func
    if isinstance(func, ir.Attr) and func.attr == "sql_with_params":
        return isinstance(func.value, ir.Attr) and func.value.attr == "query"
    return (
        isinstance(func, ir.Global) and func.name == "str" and len(node.args) == 1
        and isinstance(node.args[0], ir.Attr) and node.args[0].attr == "query"
    )


def _columns_shown(ref: TableRef, template: Template) -> TableRef:
    """The columns a hole names (`ADD COLUMN {column_name}`), shown as the expression that
    fills it, as the snippet shows it, never as the parser's internal marker."""
    changes = ref.column_changes
    named = [*(ref.columns or ()), *(name for change in changes for name in change[1:] if name)]
    if not any(HOLE_PREFIX in name for name in named):
        return ref
    return replace(
        ref,
        columns=(
            tuple(template.display(column) for column in ref.columns)
            if ref.columns is not None else None
        ),
        column_changes=tuple(
            (action, template.display(column), template.display(new) if new else new)
            for action, column, new in changes
        ),
    )


def _unique(refs: list[ResolvedRef]) -> list[ResolvedRef]:
    """One use per line, table, kind and operation, in its first place. The variants of one
    template (each filling of its holes) may name the same table with different certainty:
    a filling sqlglot parses gives it high, one only the token scan reads gives it low. The
    strongest reading is kept, with its snippet, whichever filling came first."""
    kept: dict[tuple[int, str, str, str, str], int] = {}
    out: list[ResolvedRef] = []
    for ref in refs:
        marker = (ref.line, ref.ref.schema, ref.ref.name, ref.ref.kind, ref.ref.operation)
        index = kept.get(marker)
        if index is None:
            kept[marker] = len(out)
            out.append(ref)
        elif _stronger(ref.confidence, out[index].confidence):
            out[index] = ref
    return out


_CONFIDENCE = {"high": 2, "medium": 1, "low": 0}
#: Methods of dict, list, set and str: an untyped receiver calling one of these is taken for
#: that built-in, never for the one helper method of the repository with the same name
_BUILTIN_METHODS = frozenset(
    {
        "get", "pop", "popitem", "setdefault", "append", "extend", "remove", "discard",
        "clear", "copy", "keys", "values", "items", "format", "join", "split", "replace",
        "strip", "count", "index", "sort", "encode", "decode",
    }
)


def _stronger(level: str, than: str) -> bool:
    return _CONFIDENCE.get(level, 0) > _CONFIDENCE.get(than, 0)


def _accepts(fact: FunctionFact, call: CallFact) -> bool:
    """Whether `fact` (a method, its receiver bound) takes the call's arguments: no more
    positional ones than its parameters take (unless `*args`), only keywords it names
    (unless `**kwargs`), and every parameter without a default given (ckan's
    `item.create(pkg)` is no `Backend.create(self, context, data_dict, plugin_data)`).
    Unpacked arguments fit anything."""
    if any(isinstance(argument, ir.Starred) for argument in call.args):
        return True
    params = list(fact.params)
    if fact.receiver is not None and params and params[0].kind == "positional":
        params = params[1:]  # `self` / `cls`
    kinds = {param.kind for param in params}
    positional = [param for param in params if param.kind == "positional"]
    if len(call.args) > len(positional) and "varargs" not in kinds:
        return False
    given = {keyword for keyword, _ in call.kwargs}
    if any(
        param.default is None and param.name not in given
        for param in [*positional[len(call.args):], *(p for p in params if p.kind == "keyword")]
    ):
        return False
    names = {param.name for param in params if param.kind in ("positional", "keyword")}
    return "varkw" in kinds or all(keyword in names for keyword, _ in call.kwargs)


def _weakest(*levels: str) -> str:
    return min(levels, key=lambda level: _CONFIDENCE.get(level, 0))
