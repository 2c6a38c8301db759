"""Whether two extraction results differ only in where their lines are.

Why: after an edit that moves lines (a line inserted above the code, a longer docstring) a
file's facts are no longer equal to the last scan's, so the early cutoff cannot reuse the last
report as it is. But nothing after extraction reads a line except to carry it into the
report, compare it with another line of its file or format it into a message, so when every
changed file differs from its last result only by a consistent shift of its lines, the last
report with its evidence moved by that map is this scan's (`analyzer.remap`; a rescan of
synapse after a line inserted at the top of one file: 1.9 s -> 0.5 s). Where the report
cannot be moved exactly, the relevance rounds, which decide which other files must be read
in full, still never look at a line: `relevance.Closure` and `relevance.Demand` follow
names, imports and definitions; the helper search (`CodeSqlResolver.find_helpers`) keeps the
functions and parameter indices that take a table name, and copies lines only into what it
reports. So the rounds would read exactly what the last scan read, and the pipeline skips
asking them again (`engine.Extractor`, `confirmed`): 0.4-0.5 s of a 2 s rescan of
prefect.

"Only by lines" is decided structurally, never by a guess: the two values must have the same
shape and the same values everywhere, except the integers of fields named as lines (`line`,
`end_line`, `*_line`, `*_lines`) and the line number that opens a first look's reasons
("line 12: SQL string"). Those must pair up as one map from old to new lines that is
strictly increasing, with 0 ("no line") kept as 0: the lines moved, none swapped places.
An integer that holds a line in a field named otherwise (a tuple of `(target, line)`) is
compared as it is, so such a result counts as changed and the rounds run: the test only ever
errs towards asking them.
"""

from __future__ import annotations

import copy as copy_module
import dataclasses
import enum
import itertools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TypeVar

_TEXT_WITH_LINE = re.compile(r"line (\d+): (.*)", re.DOTALL)
#: (class name, field): strings that start with "line N: " (the first look's reasons).
_TEXT_LINE_FIELDS = frozenset({("Glance", "reasons"), ("Glance", "django")})
#: (class name, field): an Alembic revision's texts, read only for documentation-only
#: revisions (`Shift.revision_text`).
_REVISION_TEXT_FIELDS = frozenset(
    {("AlembicRevision", "text"), ("AlembicRevision", "function_texts")}
)
#: (class name, field): what a result keeps of its file for the next scan's early cutoff
#: (`analyzer.outline`), not what the pipeline reads: results equal but for it are equal.
_CUTOFF_ONLY_FIELDS = frozenset({("Extracted", "outline")})
#: A text naming a line of its file ("line 12: db.create_all()"): a result holding one
#: outside the fields above cannot be moved by `move_lines` (where it would say the old line).
_NAMES_A_LINE = re.compile(r"\bline \d")
#: (class name, field) -> which item of its pairs is a line: `(name as written, line)`
#: (`facts.OrmClass`), `(expression, line)` (`facts.DjangoFacts.settings_module`),
#: `(line, statement text)` (`facts.AlembicRevision.opaque_statements`).
_PAIR_LINE_FIELDS = {
    ("OrmClass", "relationships"): 1,
    ("OrmClass", "backrefs"): 1,
    ("OrmClass", "secondaries"): 1,
    ("DjangoFacts", "settings_module"): 1,
    ("AlembicRevision", "opaque_statements"): 0,
}


def moved_lines(old: object, new: object) -> bool | None:
    """How `new` differs from `old`, in one walk: False when it equals it in every field,
    True when only its lines moved by one strictly increasing map, None otherwise.

    Every field counts, those left out of `==` (`field(compare=False)`) too: tests state some
    results without them (`AlembicRevision.text`, the whole file), but the report may still
    read them (where a documentation-only revision first names a table), and the early
    cutoff reuses the last report when a changed file's results are unchanged.
    """
    lines = line_map(old, new)
    return None if lines is None else moved(lines)


def moved(lines: Mapping[int, int]) -> bool:
    """Whether a line map (`compare_lines`) moves any line: else the results are equal."""
    return any(before != after for before, after in lines.items())


def line_map(old: object, new: object) -> dict[int, int] | None:
    """The old line -> new line map under which `new` equals `old` (`moved_lines`), or None
    when they differ otherwise (`compare_lines`, a revision's text included)."""
    shift = compare_lines(old, new)
    return None if shift is None or shift.revision_text else shift.lines


@dataclass(frozen=True, slots=True)
class Shift:
    """How two results of one file differ, when they differ at most in where their lines are
    and in a revision's texts."""

    #: old line -> new line, under which the results are equal (identity: unchanged)
    lines: dict[int, int]
    #: an Alembic revision's whole text or function texts differ (a comment, a blank line):
    #: only a documentation-only revision's finding reads them (where it first names each
    #: table, `sources.alembic_revisions.add_documentation`), so for any other revision the
    #: report stands; the early cutoff knows which revisions were documentation-only
    #: (`cutoff.LastScan.documentation`)
    revision_text: bool = False


def compare_lines(
    old: object, new: object, *, texts_read: Collection[str] | None = None,
    ignored: frozenset[tuple[str, str]] = frozenset(),
) -> Shift | None:
    """The `Shift` under which `new` equals `old`, or None when they differ otherwise.

    `texts_read`: when given, two string literals of the expressions (`python.expr.Str`)
    whose texts are both outside it are equal, whatever they say; `ignored`: the fields
    (class name, field) not compared. For a reader that reads only those texts and not
    those fields (`rounds_view.same_for_rounds`).

    Besides the lines the results hold, the map holds the lines the resolver derives from
    them: a table named on the third line of a multi-line literal is reported at the
    literal's line + 2 (`resolve.templates.Template.line_of`), so each line of a literal's
    text is paired too. The texts are equal, so those pairs follow the literal; where one
    meets another line that moved otherwise (a `\\n` escape on one physical line counts as
    a line of the text) the map has two values for one line and the results count as
    changed. `analyzer.remap` moves the last report's evidence by this map.
    """
    walk = _Walk(texts_read, ignored)
    if not walk.same(old, new, line=False, text=False):
        return None
    pairs = walk.pairs
    if any((before == 0) != (after == 0) for before, after in pairs.items()):
        return None  # "no line" stays "no line"
    targets = [after for _, after in sorted(pairs.items())]
    if not all(a < b for a, b in itertools.pairwise(targets)):
        return None
    return Shift(pairs, walk.revision_text)


def _line_field(name: str) -> bool:
    return name in ("line", "lineno") or name.endswith(("_line", "_lines"))


class _Walk:
    """One walk over two results: the line pairs met, and whether a revision's text differs."""

    def __init__(self, texts_read: Collection[str] | None = None,
                 ignored: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.pairs: dict[int, int] = {}
        self.revision_text = False
        self.texts_read = texts_read
        self.ignored = _CUTOFF_ONLY_FIELDS | ignored

    def pair(self, before: int, after: int) -> bool:
        known = self.pairs.setdefault(before, after)
        return known == after

    def same(self, old: object, new: object, *, line: bool, text: bool) -> bool:
        kind = type(old)
        if kind is not type(new):
            return False
        if line and kind is int:
            return self.pair(old, new)  # type: ignore[arg-type]
        if text and kind is str:
            before = _TEXT_WITH_LINE.fullmatch(old)  # type: ignore[arg-type]
            after = _TEXT_WITH_LINE.fullmatch(new)  # type: ignore[arg-type]
            if before is None or after is None:
                return old == new
            return before.group(2) == after.group(2) and self.pair(
                int(before.group(1)), int(after.group(1))
            )
        if kind in (tuple, list):
            return len(old) == len(new) and all(  # type: ignore[arg-type]
                self.same(a, b, line=line, text=text)
                for a, b in zip(old, new, strict=True)  # type: ignore[call-overload]
            )
        if kind is dict:
            return old.keys() == new.keys() and all(  # type: ignore[attr-defined]
                self.same(value, new[key], line=line, text=text)  # type: ignore[index]
                for key, value in old.items()  # type: ignore[attr-defined]
            )
        if dataclasses.is_dataclass(old) and not isinstance(old, type):
            return self.same_fields(old, new)
        return old == new  # strings, numbers, sets, enums...: as they are

    def same_fields(self, old: object, new: object) -> bool:
        name = type(old).__name__
        if name == "Str" and self.texts_read is not None:  # `python.expr.Str`
            before, after = old.value, new.value  # type: ignore[attr-defined]
            return before == after or (
                before not in self.texts_read and after not in self.texts_read
            )
        for field in dataclasses.fields(old):  # type: ignore[arg-type]
            before, after = getattr(old, field.name), getattr(new, field.name)
            line_at = _PAIR_LINE_FIELDS.get((name, field.name))
            if (name, field.name) in self.ignored:
                continue
            if line_at is not None:
                same = self.same_pairs(before, after, line_at)
            elif (name, field.name) in _REVISION_TEXT_FIELDS:
                same = True
                self.revision_text = self.revision_text or before != after
            else:
                same = self.same(before, after, line=_line_field(field.name),
                                 text=(name, field.name) in _TEXT_LINE_FIELDS)
            if not same:
                return False
        if name == "Literal" and type(old.line) is int and old.line:  # type: ignore[attr-defined]
            # the lines the resolver derives from a literal's text (see `compare_lines`)
            return all(
                self.pair(old.line + offset, new.line + offset)  # type: ignore[attr-defined]
                for offset in range(1, old.text.count("\n") + 1)  # type: ignore[attr-defined]
            )
        return True

    def same_pairs(self, old: object, new: object, line_at: int) -> bool:
        """Sequences of pairs, item `line_at` a line: the lines paired, the other item
        walked like any value (every field, those `==` leaves out too)."""
        if type(old) not in (tuple, list) or type(old) is not type(new):
            return old == new
        if len(old) != len(new):  # type: ignore[arg-type]
            return False
        other = 1 - line_at
        for before, after in zip(old, new, strict=True):  # type: ignore[call-overload]
            if not (type(before) is tuple and type(after) is tuple
                    and len(before) == len(after) == 2
                    and type(before[line_at]) is int and type(after[line_at]) is int
                    and self.pair(before[line_at], after[line_at])
                    and self.same(before[other], after[other], line=False, text=False)):
                return False
        return True


T = TypeVar("T")


class _Unmovable(Exception):
    """A value `move_lines` cannot move exactly."""


def move_lines(value: T, lines: Mapping[int, int]) -> T | None:
    """`value` (a file's facts) with every line it holds moved by `lines` (old -> new, 0 "no
    line" kept), walked as `compare_lines` walks it: `compare_lines(value, moved)` gives that
    map. None when it holds a line the map lacks, a line in a text ("line 12: ...", outside a
    first look's reasons), or a revision's texts, which moving lines cannot give.

    Why: when a file's outline shows only its lines moved (`analyzer.outline`), its facts are
    the last ones moved, and the early cutoff builds them so instead of reading the file with
    LibCST (`tests/test_outline.py` compares them with LibCST's reading)."""
    try:
        return _Mover(lines).move(value, line=False, text=False)  # type: ignore[no-any-return]
    except _Unmovable:
        return None


class _Mover:
    def __init__(self, lines: Mapping[int, int]) -> None:
        self.lines = lines
        self.moves = moved(lines)

    def line(self, before: int) -> int:
        if before == 0:
            return 0
        after = self.lines.get(before)
        if after is None:
            raise _Unmovable(before)
        return after

    def move(self, value: object, *, line: bool, text: bool) -> object:
        kind = type(value)
        if line and kind is int:
            return self.line(value)  # type: ignore[arg-type]
        if kind is str:
            if text:
                found = _TEXT_WITH_LINE.fullmatch(value)  # type: ignore[arg-type]
                if found is not None:
                    return f"line {self.line(int(found.group(1)))}: {found.group(2)}"
            if self.moves and _NAMES_A_LINE.search(value):  # type: ignore[arg-type]
                raise _Unmovable(value)
            return value
        if kind is tuple or kind is list:
            return kind(self.move(item, line=line, text=text) for item in value)  # type: ignore[attr-defined]
        if kind is dict:
            return {
                key: self.move(item, line=line, text=text)
                for key, item in value.items()  # type: ignore[attr-defined]
            }
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.move_fields(value)
        if self.moves and not self.atomic(value, line=line):
            raise _Unmovable(value)  # compared as it is, and may hold a line
        return value

    def atomic(self, value: object, *, line: bool) -> bool:
        """Whether a value `compare_lines` compares as it is holds no line to move."""
        if isinstance(value, enum.Enum) or value is None:
            return True
        if type(value) in (set, frozenset):
            return not line and all(self.atomic(item, line=False) for item in value)  # type: ignore[attr-defined]
        if type(value) is str:
            return not _NAMES_A_LINE.search(value)  # type: ignore[arg-type]
        return type(value) in _ATOMS and not (line and type(value) is int)

    def move_fields(self, value: object) -> object:
        name = type(value).__name__
        changes: dict[str, object] = {}
        for field in dataclasses.fields(value):  # type: ignore[arg-type]
            before = getattr(value, field.name)
            if (name, field.name) in _REVISION_TEXT_FIELDS and before:
                raise _Unmovable(field.name)
            line_at = _PAIR_LINE_FIELDS.get((name, field.name))
            if line_at is not None and type(before) in (tuple, list):
                after: object = type(before)(
                    self.move_pair(pair, line_at) for pair in before  # type: ignore[attr-defined]
                )
            else:
                after = self.move(before, line=_line_field(field.name),
                                  text=(name, field.name) in _TEXT_LINE_FIELDS)
            if after is not before:
                changes[field.name] = after
        if name == "Literal" and type(value.line) is int and value.line:  # type: ignore[attr-defined]
            # the lines the resolver derives from a literal's text move with it
            new_line = self.line(value.line)  # type: ignore[attr-defined]
            for offset in range(1, value.text.count("\n") + 1):  # type: ignore[attr-defined]
                if self.line(value.line + offset) != new_line + offset:  # type: ignore[attr-defined]
                    raise _Unmovable(value)
        if not changes:
            return value
        copy = copy_module.copy(value)  # every field, those `replace` cannot set too
        for key, item in changes.items():
            object.__setattr__(copy, key, item)
        return copy

    def move_pair(self, pair: object, line_at: int) -> object:
        if type(pair) is not tuple or len(pair) != 2 or type(pair[line_at]) is not int:
            raise _Unmovable(pair)
        items = list(pair)
        items[line_at] = self.line(items[line_at])
        items[1 - line_at] = self.move(items[1 - line_at], line=False, text=False)
        return tuple(items)


_ATOMS = (bool, int, float, bytes)
