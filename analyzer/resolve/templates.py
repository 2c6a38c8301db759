"""String templates filled in by the evaluator: the text SQL analysis sees.

A candidate's parts are literals and holes (`analyzer.python.templates`); here each hole is
evaluated in a frame (its module, the current loop elements, the parameters bound by a call
site). A hole with known string values becomes text (several values give several templates);
a hole built from a string expression that is only partly known is opened up into its known
pieces and the holes left inside; what stays unknown is a hole marker in the text, with the
evaluator's reason, so that a table name there is reported as dynamic with that reason.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass, field

from analyzer.facts import FunctionFact, Hole, Literal, Part
from analyzer.python import expr as ir
from analyzer.python.fields import PERCENT_FIELD, REPR_CONVERSIONS
from analyzer.resolve.evaluate import Evaluator, Frame, call_params
from analyzer.resolve.values import (
    ConstV,
    ExternalV,
    FunctionV,
    StrV,
    Unknown,
    Values,
    describe,
    why_unknown,
)
from analyzer.sql.refs import hole_marker

MAX_TEMPLATES = 16  # alternatives of one candidate (loops are enumerated separately)


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    end: int
    line: int
    fixed: bool  # the whole segment maps to `line` (substituted values, hole markers)


@dataclass(slots=True)
class Template:
    """SQL text assembled from parts, with a map back to source lines and holes."""

    text: str
    segments: list[Segment]
    holes: dict[int, Hole]
    reasons: dict[int, str] = field(default_factory=dict)  # hole index -> why it is unknown
    # holes written right after a word, with a space put before them (`_Apart`): shown as
    # written (`{table}{on_cluster}`), so a snippet and a finding's fingerprint keep the code's
    apart: set[int] = field(default_factory=set)

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
            if index in self.apart:
                text = text.replace(" " + hole_marker(index), "{" + hole.expr + "}")
            text = text.replace(hole_marker(index), "{" + hole.expr + "}")
        return text

    def has_literal_text(self) -> bool:
        """True when the template has text of its own, not only unresolved holes."""
        stripped = self.text
        for index in self.holes:
            stripped = stripped.replace(hole_marker(index), "")
        return bool(stripped.strip())


# A piece of a template before assembly: text (with its line and whether it is fixed to it),
# or a hole with the reason it is unknown.
_Text = tuple[str, int, bool]
_Hole = tuple[Hole, str]
_Piece = _Text | _Hole


class TemplateExpander:
    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator

    def expand(self, parts: tuple[Part, ...], frame: Frame) -> list[Template]:
        """Every template the parts may give in `frame` (at most MAX_TEMPLATES). Names
        overridden together under one `if` (`cte = ""; join = ""` then `if filtered: cte =
        "ids AS (...), "; join = "JOIN ids ..."`) take the defaults together or the overrides
        together: mixing them would make a statement the code never runs."""
        if all(isinstance(part, Literal) for part in parts):
            # literal text only (most queries): the one template `_expand` would assemble
            return [_assemble([(p.text, p.line, False) for p in parts if isinstance(p, Literal)])]
        groups: dict[int, list[int]] = {}
        for index, part in enumerate(parts):
            value = part.value if isinstance(part, Hole) else None
            if isinstance(value, ir.IfExp) and value.block_line:
                groups.setdefault(value.block_line, []).append(index)
        together = {block: indexes for block, indexes in groups.items() if len(indexes) > 1}
        if not together:
            return self._expand(parts, frame)
        templates: list[Template] = []
        seen: set[str] = set()
        blocks = sorted(together)
        for overrides in itertools.product((True, False), repeat=len(blocks)):
            chosen = list(parts)
            for block, override in zip(blocks, overrides, strict=True):
                for index in together[block]:
                    hole = parts[index]
                    assert isinstance(hole, Hole) and isinstance(hole.value, ir.IfExp)
                    value = hole.value.body if override else hole.value.orelse
                    chosen[index] = dataclasses.replace(hole, value=value)
            for template in self._expand(tuple(chosen), frame):
                if template.text not in seen and len(templates) < MAX_TEMPLATES:
                    seen.add(template.text)
                    templates.append(template)
        return templates

    def _expand(self, parts: tuple[Part, ...], frame: Frame) -> list[Template]:
        """The product of every hole's values; holes of one expression take one value
        together (`SELECT {field} ... WHERE {field} IS NOT NULL`: a name read twice has one
        value at a time, so mixing them would make statements the code never runs; a call
        may give another value each time, and varies on its own)."""
        options: list[list[list[_Piece]]] = []
        for index, part in enumerate(parts):
            if isinstance(part, Literal):
                options.append([[(part.text, part.line, False)]])
            else:
                # a hole after a word, or after a hole that may be one, may be kept apart
                # from it (`_starts_apart`); after a space, a bracket or at the start, never
                before = parts[index - 1] if index else None
                after_word = isinstance(before, Hole) or (
                    isinstance(before, Literal) and _WORD_END.search(before.text) is not None
                )
                options.append(self._hole(part, frame, after_word))
        first_of: dict[ir.Expr, int] = {}
        leader: list[int] = []  # per part: the part whose choice it follows (itself if free)
        for index, part in enumerate(parts):
            key = part.value if isinstance(part, Hole) else None
            if key is None or not _repeatable(key):
                leader.append(index)
                continue
            first = first_of.setdefault(key, index)
            # (the same expression in the same frame: the same values in the same order)
            leader.append(first if len(options[first]) == len(options[index]) else index)
        free = [index for index, follows in enumerate(leader) if follows == index]
        templates: list[Template] = []
        seen: set[str] = set()
        for picked in itertools.islice(
            itertools.product(*(range(len(options[index])) for index in free)), MAX_TEMPLATES
        ):
            choice = dict(zip(free, picked, strict=True))
            template = _assemble([
                piece for index in range(len(parts))
                for piece in options[index][choice[leader[index]]]
            ])
            if template.text not in seen:
                seen.add(template.text)
                templates.append(template)
        return templates

    @staticmethod
    def assemble(parts: tuple[Part, ...]) -> Template:
        """The template of parts already evaluated: holes stay holes."""
        pieces: list[_Piece] = []
        for part in parts:
            if isinstance(part, Literal):
                pieces.append((part.text, part.line, False))
            else:
                pieces.append((part, "not known"))
        return _assemble(pieces)

    def text(self, parts: tuple[Part, ...] | None, frame: Frame) -> tuple[list[str], str]:
        """The fully known texts of `parts` ([] and the reason when a hole stays unknown)."""
        if not parts:
            return [], "no name"
        texts = []
        for template in self.expand(parts, frame):
            if template.holes:
                index = min(template.holes)
                hole = template.holes[index]
                return [], f"`{hole.expr}`: {template.reasons.get(index, 'not known')}"
            texts.append(template.text)
        return texts, ""

    def _hole(self, hole: Hole, frame: Frame, after_word: bool = True) -> list[list[_Piece]]:
        if hole.value is None:
            return [[(hole, "a value only known at run time")]]
        values = self.evaluator.evaluate(hole.value, frame)
        if hole.plain:
            # `f"downsampled_{g}_local"` over `(8, 8 ** 2)`: a number's decimal text
            values = tuple(
                StrV(str(v.value)) if isinstance(v, ConstV) and type(v.value) is int else v
                for v in values
            )
        if all(isinstance(v, StrV) for v in values):
            # `%r`, `{x!r}`: Python writes the known strings quoted (`'users'`)
            write = _WRITERS.get(hole.conversion)  # type: ignore[arg-type]
            return [
                [(write(v.value) if write else v.value, hole.line, True)]  # type: ignore[attr-defined]
                for v in values
            ]
        known = [v for v in values if isinstance(v, StrV)]
        if known and hole.conversion is None and all(
            _NAME_LIKE.fullmatch(v.value) for v in known
        ) and not any(isinstance(v, Unknown) and v.why == TOO_MANY_VALUES for v in values):
            # `view = "users_rank"` then `if info: view = f"users_rank_{info}"`: the statement
            # runs with each known name (a template each), and with what is not known. (A
            # clause or nothing, `f" AND {c}" if c else ""`, stays one hole: the statement is
            # read with it left out, and its alternatives would multiply the templates.)
            rest = tuple(v for v in values if not isinstance(v, StrV))
            return [[(v.value, hole.line, True)] for v in known] + [[(hole, why_unknown(rest))]]
        if hole.conversion is not None:  # what else it may be, or its unknown parts: unquoted
            return [[(hole, why_unknown(values) if any(isinstance(v, Unknown) for v in values)
                      else "its repr() is not known")]]
        partial = self._partial(hole.value, hole, frame, 0)
        if partial is not None:
            return partial
        if after_word and self._starts_apart(hole.value, frame, 0, values):
            # `{table}{on_cluster}`, the clause "" or " ON CLUSTER '{name}'": whatever it is,
            # it does not continue the name before it, which stays the table's name; the
            # statement runs without it when it may be empty
            apart: list[list[_Piece]] = [[(_APART, hole.line, True), (hole, why_unknown(values))]]
            if any(isinstance(v, StrV) and not v.value for v in values):
                apart.append([("", hole.line, True)])
            return apart
        return [[(hole, why_unknown(values))]]

    def _starts_apart(
        self, node: ir.Expr, frame: Frame, depth: int, values: Values | None = None
    ) -> bool:
        """Whether every string `node` may give is empty or starts with white space (a
        clause or nothing: `f" ON CLUSTER {name}" if name else ""`, or a function returning
        one of those), so that it cannot join the word written before it. `values`: what
        the evaluator already gave for `node`."""
        if depth > 4:
            return False
        if isinstance(node, ir.Str):
            return not node.value or node.value[0].isspace()
        if isinstance(node, ir.FString):
            for part in node.parts:
                if not isinstance(part, ir.Str):
                    return False
                if part.value:
                    return part.value[0].isspace()
            return True
        if isinstance(node, ir.IfExp):
            return self._starts_apart(node.body, frame, depth + 1) and self._starts_apart(
                node.orelse, frame, depth + 1
            )
        if isinstance(node, ir.BoolOp):
            return all(self._starts_apart(value, frame, depth + 1) for value in node.values)
        if isinstance(node, ir.BinOp) and node.op == "+":
            return self._starts_apart(node.left, frame, depth + 1) and self._starts_apart(
                node.right, frame, depth + 1
            )
        if isinstance(node, ir.BinOp) and node.op == "%":
            return self._starts_apart(node.left, frame, depth + 1)
        if values is None:
            values = self.evaluator.evaluate(node, frame)
        if values and all(isinstance(v, StrV) for v in values):
            return all(not v.value or v.value[0].isspace() for v in values)  # type: ignore[attr-defined]
        if isinstance(node, ir.Call) and not node.unpacked and not any(
            isinstance(a, ir.Starred) for a in node.args
        ):
            funcs = self.evaluator.evaluate(node.func, frame)
            if len(funcs) != 1 or not isinstance(funcs[0], FunctionV):
                return False
            read = self.evaluator.call_returns(funcs[0], node, frame)
            if read is None:
                return False
            callee, returns = read
            return bool(returns) and all(
                self._starts_apart(returned, callee, depth + 1) for returned in returns
            )
        return False

    def _partial(
        self, node: ir.Expr, hole: Hole, frame: Frame, depth: int
    ) -> list[list[_Piece]] | None:
        """A string expression opened into known text and the holes left inside it: the
        alternatives it may give (a part known to be one of few strings, `"task"` or `""`,
        gives one each; at most MAX_TEMPLATES)."""
        if depth > 8:
            return None
        if isinstance(node, ir.FString):
            return _joined([self._piece(part, hole, frame, depth) for part in node.parts])
        if isinstance(node, ir.BinOp) and node.op == "+":
            left = self._piece(node.left, hole, frame, depth)
            right = self._piece(node.right, hole, frame, depth)
            if any(isinstance(p[0], str) for option in (*left, *right) for p in option):
                return _joined([left, right])
        if isinstance(node, ir.BinOp) and node.op == "%":
            return self._formatted(node, hole, frame, depth)
        if isinstance(node, ir.Call) and not node.unpacked:
            if len(node.args) == 1 and not node.kwargs and any(
                isinstance(v, ExternalV) and v.path in ("str", "builtins.str")
                for v in self.evaluator.evaluate(node.func, frame)
            ):
                # `cur.execute(str(self))` in a method: the text the object's `__str__`
                # returns (its fields known at each call of the class, a helper's way); of
                # another object (`str(sql)`), only when known whole there: what it leaves
                # unknown is its own template's to say, not each caller's again
                opened = self._returned(
                    ir.Call(ir.Attr(node.args[0], "__str__")), hole, frame, depth
                )
                if opened is None or isinstance(node.args[0], ir.Self) or all(
                    isinstance(piece[0], str) for option in opened for piece in option
                ):
                    return opened
                return None
            return self._returned(node, hole, frame, depth)
        return None

    def _formatted(
        self, node: ir.BinOp, hole: Hole, frame: Frame, depth: int
    ) -> list[list[_Piece]] | None:
        """`query % locals()`, `"SELECT %s FROM %s" % (cols, table)`: a known format opened
        into its text and one piece per field, so that the fields known (the FROM) are read
        and only the others (a WHERE clause built in a loop) stay holes."""
        formats = self.evaluator.evaluate(node.left, frame)
        if len(formats) != 1 or not isinstance(formats[0], StrV):
            return None
        text = formats[0].value
        if not any(char.isalnum() for char in PERCENT_FIELD.sub("", text)):
            # `"`%s`" % name`, `'"%s"' % name`: a format that only quotes or brackets its
            # value; opened, the unknown name would stand inside quotes no parser reads
            return None
        right = node.right
        keyed = (
            {key.value: value for key, value in right.items if isinstance(key, ir.Str)}
            if isinstance(right, ir.Mapping) else None
        )
        positional = (
            list(right.items) if isinstance(right, ir.Seq) and right.kind == "tuple"
            else [right] if keyed is None else None
        )
        parts: list[list[list[_Piece]]] = []
        position = 0
        index = 0
        for match in PERCENT_FIELD.finditer(text):
            if match.group("conv") == "%" and match.group("key") is None:
                continue  # `%%`: a literal percent sign, kept with the text around it
            if "*" in (match.group("width") or "") + (match.group("prec") or ""):
                return None
            if match.group("conv") in REPR_CONVERSIONS:
                return None  # (a value written quoted: its text is not the value's)
            key = match.group("key")
            if key is None:
                if positional is None or index >= len(positional):
                    return None
                value = positional[index]
                index += 1
            elif keyed is None or key not in keyed:
                return None
            else:
                value = keyed[key]
            before = text[position:match.start()].replace("%%", "%")
            if before:
                parts.append([[(before, hole.line, True)]])
            parts.append(self._piece(value, hole, frame, depth))
            position = match.end()
        if positional is not None and index != len(positional):
            return None  # more values than fields: Python raises, no statement
        rest = text[position:].replace("%%", "%")
        if rest:
            parts.append([[(rest, hole.line, True)]])
        return _joined(parts)

    def _returned(
        self, node: ir.Call, hole: Hole, frame: Frame, depth: int
    ) -> list[list[_Piece]] | None:
        """`q = build_query(job)`, then `"SELECT COUNT(*) FROM (%s) AS sub" % q`: the one
        string expression the called function returns (`f"{select} {where}"`), opened in
        the call's frame, so that the text it knows (the subquery's FROM) is read and only
        what it does not (a WHERE clause bound in branches) stays a hole."""
        if any(isinstance(a, ir.Starred) for a in node.args):
            return None
        funcs = self.evaluator.evaluate(node.func, frame)
        if len(funcs) != 1 or not isinstance(funcs[0], FunctionV):
            return None
        found = self.evaluator.readable_function(funcs[0])
        if isinstance(found, str) or (len(found[1].returns) != 1 and not found[1].return_guards):
            return None  # (known without binding the call)
        read = self.evaluator.call_returns(funcs[0], node, frame)
        if read is None or len(read[1]) != 1:
            return None
        opened = self._partial(read[1][0], hole, read[0], depth + 1)
        if opened is None:
            return None
        arguments = _arguments(found[1], funcs[0], node)
        return [[_as_passed(piece, arguments) for piece in option] for option in opened]

    def _piece(
        self, node: ir.Expr, hole: Hole, frame: Frame, depth: int
    ) -> list[list[_Piece]]:
        values = self.evaluator.evaluate(node, frame)
        if values and all(isinstance(v, StrV) for v in values):
            return [[(v.value, hole.line, True)] for v in values]  # type: ignore[attr-defined]
        opened = self._partial(node, hole, frame, depth + 1)
        if opened is not None:
            return opened
        inner = Hole(self.evaluator.render(node), ir.dotted_of(node), hole.line, hole.style, node)
        reason = why_unknown(values) if any(isinstance(v, Unknown) for v in values) else (
            f"it may be {', '.join(describe(v) for v in values[:3])}"
        )
        return [[(inner, reason)]]


def _arguments(fact: FunctionFact, func: FunctionV, call: ir.Call) -> dict[ir.Param, ir.Expr]:
    """The called function's parameters, each with the argument the call passes for it."""
    given: dict[ir.Param, ir.Expr] = {}
    positional = [p for p in call_params(fact, func) if p.kind == "positional"]
    for param, argument in zip(positional, call.args, strict=False):
        if isinstance(argument, ir.Starred):
            break
        given[ir.Param(fact.qualname, param.name)] = argument
    for keyword, argument in call.kwargs:
        given[ir.Param(fact.qualname, keyword)] = argument
    return given


def _as_passed(piece: _Piece, arguments: dict[ir.Param, ir.Expr]) -> _Piece:
    """A hole of a called function's opened return that is one of its parameters, as the
    caller's argument (`update_query(table_name)`, the caller's own parameter): a dynamic
    name depends on what the caller passes, which makes the caller a helper of its own, read
    at each of its calls (`CodeSqlResolver._take_helper`), not on the callee's parameter."""
    hole = piece[0]
    if not isinstance(hole, Hole) or not isinstance(hole.value, ir.Param):
        return piece
    argument = arguments.get(hole.value)
    if argument is None:
        return piece
    return (dataclasses.replace(hole, value=argument), piece[1])  # type: ignore[return-value]


def _joined(parts: list[list[list[_Piece]]]) -> list[list[_Piece]]:
    """The alternatives of pieces written one after another: one choice of each part, in
    order (at most MAX_TEMPLATES, the first choices first)."""
    combined = itertools.islice(itertools.product(*parts), MAX_TEMPLATES)
    return [[piece for option in choice for piece in option] for choice in combined]


#: A known value that may be a name: a word, or dotted and quoted words (`"users_rank"`)
_NAME_LIKE = re.compile(r'[\w."`\[\]]+')
#: The evaluator's reason when it stopped counting a value's alternatives
TOO_MANY_VALUES = "too many possible values"

#: How a hole's `conversion` writes a known string (`Hole.conversion`).
_WRITERS = {"r": repr, "a": ascii}


def _repeatable(expression: ir.Expr) -> bool:
    """Whether two reads of `expression` in one statement give one value: names, attributes,
    subscripts and constants do; a call may not (`next(ids)`)."""
    return not any(isinstance(node, ir.Call) for node in ir.walk(expression))


_WORD_END = re.compile(r"\w\Z")


class _Apart(str):
    """The space put between a word and a hole that cannot continue it (`_starts_apart`)."""


_APART = _Apart(" ")


def _assemble(pieces: list[_Piece]) -> Template:
    text: list[str] = []
    segments: list[Segment] = []
    holes: dict[int, Hole] = {}
    reasons: dict[int, str] = {}
    apart: set[int] = set()
    after_hole = False
    offset = 0
    for piece in pieces:
        if isinstance(piece[0], str):
            value, line, fixed = piece  # type: ignore[misc]
            if isinstance(value, _Apart):
                if after_hole or not (text and _WORD_END.search(text[-1])):
                    continue  # nothing to keep apart from: after a hole, a space, a bracket
                apart.add(len(holes))  # the hole coming next
            after_hole = False
        else:
            after_hole = True
            hole, reason = piece  # type: ignore[misc]
            index = len(holes)
            holes[index] = hole
            reasons[index] = reason
            value, line, fixed = hole_marker(index), hole.line, True
        text.append(value)
        segments.append(Segment(offset, offset + len(value), line, fixed))
        offset += len(value)
    return Template("".join(text), segments, holes, reasons, apart)


def params_in(node: ir.Expr | None) -> set[tuple[str, str]]:
    """The (function, parameter) pairs an expression depends on."""
    return ir.parameters(node)
