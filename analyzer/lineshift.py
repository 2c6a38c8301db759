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
asking them again (`engine.Extractor`, `confirmed_selection`): 0.4-0.5 s of a 2 s rescan of
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

import dataclasses
import itertools
import re

_TEXT_WITH_LINE = re.compile(r"line (\d+): (.*)", re.DOTALL)
#: (class name, field): strings that start with "line N: " (the first look's reasons).
_TEXT_LINE_FIELDS = frozenset({("Glance", "reasons"), ("Glance", "django")})
#: (class name, field): `(name as written, line)` pairs (`facts.OrmClass`).
_PAIR_LINE_FIELDS = frozenset(
    {("OrmClass", "relationships"), ("OrmClass", "backrefs"), ("OrmClass", "secondaries")}
)


def moved_lines(old: object, new: object) -> bool | None:
    """How `new` differs from `old`, in one walk: False when it equals it in every field,
    True when only its lines moved by one strictly increasing map, None otherwise.

    Every field counts, those left out of `==` (`field(compare=False)`) too: tests state some
    results without them (`AlembicRevision.text`, the whole file), but the report may still
    read them (where a documentation-only revision first names a table), and the early
    cutoff reuses the last report when a changed file's results are unchanged.
    """
    lines = line_map(old, new)
    if lines is None:
        return None
    return any(before != after for before, after in lines.items())


def line_map(old: object, new: object) -> dict[int, int] | None:
    """The old line -> new line map under which `new` equals `old` (`moved_lines`), or None
    when they differ otherwise.

    Besides the lines the results hold, the map holds the lines the resolver derives from
    them: a table named on the third line of a multi-line literal is reported at the
    literal's line + 2 (`resolve.templates.Template.line_of`), so each line of a literal's
    text is paired too. The texts are equal, so those pairs follow the literal; where one
    meets another line that moved otherwise (a `\\n` escape on one physical line counts as
    a line of the text) the map has two values for one line and the results count as
    changed. `analyzer.remap` moves the last report's evidence by this map.
    """
    pairs: dict[int, int] = {}
    if not _same(old, new, pairs, line=False, text=False):
        return None
    if any((before == 0) != (after == 0) for before, after in pairs.items()):
        return None  # "no line" stays "no line"
    moved = [after for _, after in sorted(pairs.items())]
    if not all(a < b for a, b in itertools.pairwise(moved)):
        return None
    return pairs


def _pair(before: int, after: int, pairs: dict[int, int]) -> bool:
    known = pairs.setdefault(before, after)
    return known == after


def _line_field(name: str) -> bool:
    return name in ("line", "lineno") or name.endswith(("_line", "_lines"))


def _same(old: object, new: object, pairs: dict[int, int], *, line: bool, text: bool) -> bool:
    kind = type(old)
    if kind is not type(new):
        return False
    if line and kind is int:
        return _pair(old, new, pairs)  # type: ignore[arg-type]
    if text and kind is str:
        before, after = _TEXT_WITH_LINE.fullmatch(old), _TEXT_WITH_LINE.fullmatch(new)  # type: ignore[arg-type]
        if before is None or after is None:
            return old == new
        return before.group(2) == after.group(2) and _pair(
            int(before.group(1)), int(after.group(1)), pairs
        )
    if kind in (tuple, list):
        return len(old) == len(new) and all(  # type: ignore[arg-type]
            _same(a, b, pairs, line=line, text=text)
            for a, b in zip(old, new, strict=True)  # type: ignore[call-overload]
        )
    if kind is dict:
        return old.keys() == new.keys() and all(  # type: ignore[attr-defined]
            _same(value, new[key], pairs, line=line, text=text)  # type: ignore[index]
            for key, value in old.items()  # type: ignore[attr-defined]
        )
    if dataclasses.is_dataclass(old) and not isinstance(old, type):
        name = kind.__name__
        for field in dataclasses.fields(old):
            before, after = getattr(old, field.name), getattr(new, field.name)
            if (name, field.name) in _PAIR_LINE_FIELDS:
                same = _same_pairs(before, after, pairs)
            else:
                same = _same(before, after, pairs, line=_line_field(field.name),
                             text=(name, field.name) in _TEXT_LINE_FIELDS)
            if not same:
                return False
        if name == "Literal" and type(old.line) is int and old.line:  # type: ignore[attr-defined]
            # the lines the resolver derives from a literal's text (see `line_map`)
            return all(
                _pair(old.line + offset, new.line + offset, pairs)  # type: ignore[attr-defined]
                for offset in range(1, old.text.count("\n") + 1)  # type: ignore[attr-defined]
            )
        return True
    return old == new  # strings, numbers, sets, enums...: as they are


def _same_pairs(old: object, new: object, pairs: dict[int, int]) -> bool:
    """Tuples of `(name, line)`: the names as they are, the lines paired."""
    if type(old) is not tuple or type(new) is not tuple or len(old) != len(new):
        return old == new
    for before, after in zip(old, new, strict=True):
        if not (type(before) is tuple and type(after) is tuple and len(before) == len(after) == 2
                and before[0] == after[0] and type(before[1]) is int
                and type(after[1]) is int and _pair(before[1], after[1], pairs)):
            return False
    return True
