"""Turn Python string candidates into SQL table references.

This is the first step that sees more than one file: holes in string templates are resolved
against module constants, including constants imported from other modules of the repository.
What cannot be resolved stays a hole; a hole where a table name goes is reported as a dynamic
table name, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzer.facts import Hole, Literal, Part, PythonFacts, StringCandidate
from analyzer.readers.sql_file import snippet_of
from analyzer.resolve.index import ModuleIndex, absolute_module
from analyzer.sql.detect import is_sql_text
from analyzer.sql.split import Statement, split_statements
from analyzer.sql.statements import (
    HOLE_PREFIX,
    StatementResult,
    TableRef,
    analyze_statement,
    hole_marker,
)

MAX_RESOLUTION_DEPTH = 16


class ConstantResolver:
    """Resolves dotted names in a module to the string parts of a module constant."""

    def __init__(self, index: ModuleIndex) -> None:
        self._index = index

    def resolve(self, facts: PythonFacts, ref: str, depth: int = 0) -> tuple[Part, ...] | None:
        if depth > MAX_RESOLUTION_DEPTH:
            return None
        target = self._locate(facts, ref)
        if target is None:
            return None
        module, name = target
        binding = module.constants.get(name)
        if binding is None:
            return None
        return self._expand(module, binding.parts, depth + 1)

    def _expand(self, facts: PythonFacts, parts: Iterable[Part], depth: int) -> tuple[Part, ...]:
        expanded: list[Part] = []
        for part in parts:
            if isinstance(part, Hole) and part.ref is not None:
                inner = self.resolve(facts, part.ref, depth)
                if inner is not None:
                    expanded.extend(inner)
                    continue
            expanded.append(part)
        return tuple(expanded)

    def _locate(self, facts: PythonFacts, ref: str) -> tuple[PythonFacts, str] | None:
        parts = ref.split(".")
        if len(parts) == 1:
            if ref in facts.constants:
                return facts, ref
            for binding in facts.imports:
                if binding.local == ref and binding.name not in (None, "*"):
                    module = self._index.find(absolute_module(facts, binding))
                    if module is not None and binding.name in module.constants:
                        return module, binding.name
            for binding in facts.imports:
                if binding.local == "*":
                    module = self._index.find(absolute_module(facts, binding))
                    if module is not None and ref in module.constants:
                        return module, ref
            return None
        for cut in range(len(parts) - 1, 0, -1):
            prefix, rest = ".".join(parts[:cut]), parts[cut:]
            if len(rest) != 1:
                continue
            for binding in facts.imports:
                if binding.local != prefix:
                    continue
                base = absolute_module(facts, binding)
                module_name = base if binding.name is None else f"{base}.{binding.name}"
                module = self._index.find(module_name)
                if module is not None and rest[0] in module.constants:
                    return module, rest[0]
        return None


@dataclass(frozen=True, slots=True)
class _Segment:
    start: int
    end: int
    line: int
    fixed: bool  # the whole segment maps to `line` (substituted constants, hole markers)


@dataclass(slots=True)
class Template:
    """SQL text assembled from parts, with a map back to source lines and holes."""

    text: str
    segments: list[_Segment]
    holes: dict[int, Hole]

    def line_of(self, offset: int) -> int:
        for segment in self.segments:
            if segment.start <= offset < segment.end or (
                offset == segment.end and segment is self.segments[-1]
            ):
                if segment.fixed:
                    return segment.line
                return segment.line + self.text.count("\n", segment.start, offset)
        return self.segments[0].line if self.segments else 0

    def display(self, text: str) -> str:
        """`text` with hole markers shown as the Python expressions they stand for."""
        for index, hole in self.holes.items():
            text = text.replace(hole_marker(index), "{" + hole.expr + "}")
        return text


def build_template(
    facts: PythonFacts, candidate: StringCandidate, resolver: ConstantResolver
) -> Template:
    pieces: list[str] = []
    segments: list[_Segment] = []
    holes: dict[int, Hole] = {}
    offset = 0

    def add(text: str, line: int, fixed: bool) -> None:
        nonlocal offset
        pieces.append(text)
        segments.append(_Segment(offset, offset + len(text), line, fixed))
        offset += len(text)

    for part in candidate.parts:
        if isinstance(part, Literal):
            add(part.text, part.line, False)
            continue
        resolved = resolver.resolve(facts, part.ref) if part.ref else None
        if resolved is None:
            index = len(holes)
            holes[index] = part
            add(hole_marker(index), part.line, True)
            continue
        for inner in resolved:
            if isinstance(inner, Literal):
                add(inner.text, part.line, True)
            else:
                index = len(holes)
                holes[index] = inner
                add(hole_marker(index), part.line, True)
    return Template("".join(pieces), segments, holes)


@dataclass(frozen=True, slots=True)
class ResolvedRef:
    ref: TableRef
    line: int
    snippet: str
    statement_type: str


@dataclass(frozen=True, slots=True)
class DynamicName:
    line: int
    expressions: tuple[str, ...]
    kind: str
    snippet: str


@dataclass(frozen=True, slots=True)
class UnparsedStatement:
    line: int
    error: str
    snippet: str


@dataclass(slots=True)
class PythonSql:
    """The SQL found in one Python module."""

    refs: list[tuple[ResolvedRef, StringCandidate]] = field(default_factory=list)
    dynamic: list[DynamicName] = field(default_factory=list)
    unparsed: list[UnparsedStatement] = field(default_factory=list)
    sql_strings: int = 0
    statements: int = 0


def has_literal_text(template: Template) -> bool:
    """True when the template has SQL text of its own, not only unresolved holes."""
    stripped = template.text
    for index in template.holes:
        stripped = stripped.replace(hole_marker(index), "")
    return bool(stripped.strip())


Analysis = tuple[tuple[Statement, StatementResult], ...] | None
MemoKey = tuple[str, bool, str, str]


class SqlMemo:
    """Analyses from an earlier scan (`previous`) and those this scan used (`used`).

    Saving `used` only keeps the memo the size of the repository's current SQL.
    """

    def __init__(self, previous: dict[MemoKey, Analysis] | None = None) -> None:
        self.previous = previous or {}
        self.used: dict[MemoKey, Analysis] = {}
        self.computed = 0

    def get(self, key: MemoKey) -> tuple[bool, Analysis]:
        if key in self.used:
            return True, self.used[key]
        if key in self.previous:
            self.used[key] = self.previous[key]
            return True, self.used[key]
        return False, None

    def put(self, key: MemoKey, analysis: Analysis) -> None:
        self.used[key] = analysis
        self.computed += 1

    @property
    def changed(self) -> bool:
        return self.computed > 0 or len(self.used) != len(self.previous)


def analyze_text(
    text: str, *, at_sink: bool, dialect: str, default_schema: str, memo: SqlMemo | None = None
) -> Analysis:
    """None when `text` is not SQL, else its statements with their analysis.

    Parsing dominates a warm scan, so results are memoised by the text itself: a template
    whose constants changed is a different text, so a memo entry can never be stale.
    """
    key = (text, at_sink, dialect, default_schema)
    if memo is not None:
        found, cached = memo.get(key)
        if found:
            return cached
    analysis: Analysis = None
    if is_sql_text(text, at_sink=at_sink, dialect=dialect):
        statements, _problems = split_statements(text)
        analysis = tuple(
            (s, analyze_statement(s.text, dialect=dialect, default_schema=default_schema))
            for s in statements
        )
    if memo is not None:
        memo.put(key, analysis)
    return analysis


def analyze_module_sql(
    facts: PythonFacts,
    resolver: ConstantResolver,
    *,
    dialect: str,
    default_schema: str,
    memo: SqlMemo | None = None,
) -> PythonSql:
    result = PythonSql()
    for candidate in facts.candidates:
        template = build_template(facts, candidate, resolver)
        if not has_literal_text(template):
            continue
        statements = analyze_text(
            template.text, at_sink=candidate.sink is not None, dialect=dialect,
            default_schema=default_schema, memo=memo,
        )
        if statements is None:
            continue
        result.sql_strings += 1
        for statement, analysis in statements:
            result.statements += 1
            snippet = snippet_of(template.display(statement.text))
            statement_line = template.line_of(statement.offset)
            if not analysis.parsed:
                result.unparsed.append(
                    UnparsedStatement(statement_line, analysis.error or "not parsed", snippet)
                )
            for ref in analysis.refs:
                line = (
                    template.line_of(statement.offset + ref.offset)
                    if ref.offset is not None
                    else statement_line
                )
                if ref.holes or HOLE_PREFIX in ref.name or HOLE_PREFIX in ref.schema:
                    expressions = tuple(
                        template.holes[i].expr for i in ref.holes if i in template.holes
                    )
                    result.dynamic.append(DynamicName(line, expressions, ref.kind, snippet))
                    continue
                result.refs.append(
                    (ResolvedRef(ref, line, snippet, analysis.statement_type), candidate)
                )
    return result
