"""Move the last report's evidence to where its lines are now, without running the pipeline.

Why: after an edit that only moves a file's lines (a line inserted above its code, a longer
docstring), that file's results equal the last scan's but for their lines
(`analyzer.lineshift.line_map`), and every other file's results are unchanged. Everything
after extraction reads a line only to carry it into the report, to compare it with another
line of the same file (which statement comes first, which operations of one file replay in
which order) or to format it into a message (`path:line`); it never adds to one but to
follow a literal's own lines (which the map holds), never compares lines of two files, and
never decides on a line's text. So the report of the new results is the last report with
each of the file's lines moved by the map: running the pipeline to learn
that (unpickling every file's facts, resolving the repository) took 1-1.5x `ast.parse` of
the whole repository; this takes milliseconds.

The move is exact or refused, never a guess. It is refused (and the pipeline runs) when the
stored JSON does not read back to the same bytes (the serialisers would disagree), when the
report cites a line of a moved file that the map does not hold, when a message says
"line N" about a moved file (only `path:line` is moved), or when the findings, diagnostics
or sources, whose order holds text, would come in another order: a finding's fingerprint
suffix (`#2`) follows that order, and a `create_all` source's id holds its line
(`create_all:app/db.py:9`), so two calls in one file at lines 9 and 10 sort "10" first, and
after a shift by one "10" last. Every id holding a line is a source's, so when the sources
keep their order every decision taken in the order of their ids stays as it was.
`tests/test_remap.py` compares moved reports with the pipeline's, and
`benchmarks/cutoff_check.py` does so on real repositories.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from analyzer.ordering import diagnostic_key, finding_key

#: Fields never moved: a snippet quotes the code as it is written, and the settings
#: (`config`) are the user's words: a number in them is theirs, not a line of ours.
_QUOTED = frozenset({"snippet", "config"})
#: "line N", but not sqlglot's "(line N, col M)": where it stopped in the statement's own text,
#: which is unchanged (`sql.statements._parse_error_text`).
_LINE_WORD = re.compile(r"\bline \d+\b(?!, col \d)")


class _Refused(Exception):
    """The report cannot be moved exactly: the pipeline must run."""


def finding_order(finding: Mapping[str, Any]) -> tuple[str, str, str, int, str]:
    """The order of a report's findings (`analyzer.ordering`), on the JSON's records."""
    return finding_key(
        finding["code"], finding["table"], finding["path"], finding["line"], finding["message"]
    )


def diagnostic_order(diagnostic: Mapping[str, Any]) -> tuple[str, int, str, str]:
    """The order of a report's diagnostics (`analyzer.ordering`), on the JSON's records."""
    return diagnostic_key(
        diagnostic["path"], diagnostic["line"], diagnostic["code"], diagnostic["message"]
    )


class _Mover:
    def __init__(self, shifts: Mapping[str, Mapping[int, int]]) -> None:
        self.shifts = shifts
        paths = "|".join(re.escape(path) for path in sorted(shifts, key=len, reverse=True))
        # `path:line` where the path is a whole path (not the tail of a longer one)
        self.cited = re.compile(rf"(?<![\w./\\-])({paths}):(\d+)")

    def line(self, path: str, line: int) -> int:
        moved = self.shifts[path].get(line)
        if moved is None:
            raise _Refused(f"{path}:{line} is no line the map holds")
        return moved

    def text(self, text: str, about_moved_file: bool) -> str:
        names_moved_file = any(path in text for path in self.shifts)
        if (about_moved_file or names_moved_file) and _LINE_WORD.search(text):
            raise _Refused("a message gives a moved file's line as `line N`")
        if not names_moved_file:
            return text
        return self.cited.sub(
            lambda match: f"{match.group(1)}:{self.line(match.group(1), int(match.group(2)))}",
            text,
        )

    def value(self, value: Any, about_moved_file: bool = False) -> Any:
        if isinstance(value, dict):
            return self.record(value)
        if isinstance(value, list):
            return [self.value(item, about_moved_file) for item in value]
        if isinstance(value, str):
            return self.text(value, about_moved_file)
        return value

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        path = record.get("path")
        moved_file = isinstance(path, str) and path in self.shifts
        result: dict[str, Any] = {}
        for key, value in record.items():
            if key == "line" and moved_file and type(value) is int:
                result[key] = self.line(path, value)  # type: ignore[arg-type]
            elif key in _QUOTED:
                result[key] = value
            else:
                result[key] = self.value(value, moved_file)
        return result


#: The lists of a report sorted by a key that holds text (a message, an id).
_ORDERS: dict[str, Callable[[Mapping[str, Any]], tuple[Any, ...]]] = {
    "findings": finding_order,
    "diagnostics": diagnostic_order,
    "sources": lambda source: (source["id"],),
}


def _canonical(data: Any, *, indent: int | None) -> bytes:
    """JSON as pydantic writes it, by pydantic's own serialiser (`pydantic_core`, without
    pydantic's models): `Report.to_json` (indented, then a newline) or a compact
    `model_dump_json` (`cutoff.LastScan.before_policy`)."""
    from pydantic_core import to_json

    if indent is None:
        return to_json(data)
    return to_json(data, indent=indent) + b"\n"


class _FieldMover:
    """`_Mover` for a report in which no text but the `path` fields names a moved file
    (`_cited_only_as_paths`): only the records of such a path change, their `line` moved and
    their texts checked for "line N", each as `json.loads` builds it (`object_hook`), without
    walking the whole report again in Python."""

    def __init__(self, shifts: Mapping[str, Mapping[int, int]]) -> None:
        self.mover = _Mover(shifts)
        self.changed: list[tuple[dict[str, Any], int]] = []  # (record, its new line)

    def hook(self, record: dict[str, Any]) -> dict[str, Any]:
        path = record.get("path")
        if type(path) is not str or path not in self.mover.shifts:
            return record
        for key, value in record.items():
            if key == "line" and type(value) is int:
                self.changed.append((record, self.mover.line(path, value)))
            elif key not in _QUOTED:
                self.check(value)
        return record

    def check(self, value: Any) -> None:
        """The texts of a moved file's record (its nested records have their own path)."""
        if type(value) is str:
            self.mover.text(value, True)
        elif type(value) is list:
            for item in value:
                self.check(item)

    def apply(self) -> None:
        for record, line in self.changed:
            record["line"] = line


def _cited_only_as_paths(text: bytes, shifts: Mapping[str, Mapping[int, int]],
                         indent: int | None) -> bool:
    """Whether every mention of a moved file in the JSON `text` is a whole `path` field."""
    separator = b": " if indent is not None else b":"
    for path in shifts:
        encoded = json.dumps(path).encode()
        if text.count(encoded[1:-1]) != text.count(b'"path"' + separator + encoded):
            return False
    return True


def _moved(text: bytes, shifts: Mapping[str, Mapping[int, int]], *, indent: int | None
           ) -> bytes:
    # the hook only notes the moves: the JSON is checked as it was read, then moved
    fields = _FieldMover(shifts) if _cited_only_as_paths(text, shifts, indent) else None
    data = json.loads(text, object_hook=fields.hook if fields is not None else None)
    if _canonical(data, indent=indent) != text:
        raise _Refused("the stored JSON does not read back to the same bytes")
    if fields is not None:
        fields.apply()
        moved = data
    else:
        moved = _Mover(shifts).record(data)
    lists = [(name, moved.get(name, ()), order) for name, order in _ORDERS.items()]
    # a table's states are ordered by their source's id too
    lists += [
        ("states", table.get("states", ()), _state_order) for table in moved.get("tables", ())
    ]
    for name, items, order in lists:
        keys = [order(item) for item in items]
        if any(a > b for a, b in itertools.pairwise(keys)):
            # A message or an id sorts otherwise with its new line ("f.py:10" before
            # "f.py:9"): the fingerprints' `#2` suffixes follow the order, so the pipeline runs.
            raise _Refused(f"the {name} would be in another order")
    return _canonical(moved, indent=indent)


def _state_order(state: Mapping[str, Any]) -> tuple[Any, ...]:
    return (state["source"],)


def moved_report(
    report: bytes, before_policy: bytes, shifts: Mapping[str, Mapping[int, int]]
) -> tuple[bytes, bytes] | None:
    """The stored report (`Report.to_json`) and the findings and stats it had before the
    policy (`cutoff.LastScan.before_policy`), with each file's lines moved by its map in
    `shifts` (path -> old line -> new line); None when that cannot be done exactly (see the
    module docstring)."""
    try:
        return (
            _moved(report, shifts, indent=2),
            _moved(before_policy, shifts, indent=None),
        )
    except (_Refused, ValueError, KeyError, TypeError, AttributeError):
        return None
