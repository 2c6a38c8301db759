"""A file's outline (`analyzer.outline`) and the facts moved by it (`lineshift.move_lines`):
when only comments and blank lines between top-level statements changed, the last facts with
their lines moved are exactly what LibCST's reading of the new bytes gives."""

from __future__ import annotations

import ast

import pytest

from analyzer.lineshift import compare_lines, move_lines, moved_lines
from analyzer.outline import Outline, outline_map, outline_of, parse_tree
from analyzer.readers.python_module import read_python
from tests.python_corpus import REPO, repository_files, snippet_sources

SOURCE = (
    b"#!/usr/bin/env python\n"  # 1
    b'"""Docstring."""\n'  # 2
    b"import os; import sys\n"  # 3
    b"\n"  # 4
    b"# about f\n"  # 5
    b"@decorate\n"  # 6
    b"def f(cur):\n"  # 7
    b"    # inside\n"  # 8
    b'    cur.execute("SELECT id FROM t")\n'  # 9
    b"\n"  # 10
    b"X = [\n"  # 11
    b"    1,\n"  # 12
    b"]\n"  # 13
)


def _outline(data: bytes) -> Outline | None:
    tree = parse_tree(data)
    return None if tree is None else outline_of(data, tree)


def _map(old: bytes, new: bytes) -> dict[int, int] | None:
    before, after = _outline(old), _outline(new)
    assert before is not None and after is not None
    return outline_map(before, after)


def test_each_statement_moves_by_its_own_offset() -> None:
    new = SOURCE.replace(b"# about f\n", b"# about f,\n# at length\n\n").replace(b"\n\nX", b"\nX")
    assert _outline(SOURCE).spans == ((2, 2), (3, 3), (6, 9), (11, 13))  # type: ignore[union-attr]
    assert _map(SOURCE, new) == {
        2: 2, 3: 3, 6: 8, 7: 9, 8: 10, 9: 11, 11: 12, 12: 13, 13: 14,
    }
    assert _map(SOURCE, b"# top\n" + SOURCE + b"# end\n") == {
        line: line + 1 for line in (2, 3, 6, 7, 8, 9, 11, 12, 13)
    }


@pytest.mark.parametrize(
    "edited",
    [
        SOURCE.replace(b"# inside", b"# inside!"),  # a comment in a statement
        SOURCE.replace(b"import sys\n", b"import sys  # why\n"),  # after one, on its line
        SOURCE.replace(b"SELECT id", b"SELECT id, name"),  # code
        SOURCE.replace(b"@decorate\n", b"@decorate\n\n"),  # a blank line in a definition
        SOURCE.replace(b"]\n", b"]"),  # the last line's line break
        SOURCE.replace(b"\n", b"\r\n"),  # line breaks
        b"# -*- coding: latin-1 -*-\n" + SOURCE,  # the encoding
        b"\xef\xbb\xbf" + SOURCE,  # a byte order mark
        SOURCE.replace(b"X = [", b"X = (").replace(b"]\n", b")\n"),
    ],
)
def test_anything_but_comments_and_blank_lines_between_statements_changes_it(
    edited: bytes,
) -> None:
    assert _map(SOURCE, edited) is None


def test_no_outline_where_ast_and_the_lines_could_disagree() -> None:
    assert parse_tree(b"def f(:\n") is None  # not Python: no outline
    assert _outline(b"x = 1\n\\\n\ny = 2\n") is None  # a stray continuation: not a comment
    assert _outline(b"") == _outline(b"# only a comment\n\n")  # no statement
    assert _outline(b"\xef\xbb\xbf# BOM, then a comment\nx = 1\n") is not None


def _edits(source: bytes) -> dict[str, bytes]:
    """A comment on top, one at the end, and one with a blank line between two statements."""
    bom = b"\xef\xbb\xbf" if source.startswith(b"\xef\xbb\xbf") else b""
    edits = {
        "top": bom + b"# edited\n" + source[len(bom):],
        "end": source + (b"" if source.endswith((b"\n", b"\r")) or not source else b"\n")
        + b"# edited\n",
    }
    tree = ast.parse(source)
    if len(tree.body) >= 2:
        statement = tree.body[len(tree.body) // 2]
        decorators = getattr(statement, "decorator_list", [])
        first = min([statement.lineno, *(decorator.lineno for decorator in decorators)])
        lines = source.splitlines(keepends=True)
        edits["middle"] = b"".join([*lines[: first - 1], b"# edited\n\n", *lines[first - 1 :]])
    return edits


def _corpus() -> list[str]:
    sources = snippet_sources()
    return [
        *(name for name, data in sources.items() if _parses(data)),
        *(name for name in repository_files() if name.startswith("sample_repo/")),
    ]


def _parses(data: bytes) -> bool:
    try:
        ast.parse(data)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize("name", _corpus())
def test_moved_facts_are_libcsts_reading_of_the_edited_file(name: str) -> None:
    """On every corpus source that CPython parses (the LibCST corner cases and every file of
    `sample_repo`, Alembic revisions and Django migrations among them): for each edit, either
    the outline says the statements moved and the moved facts equal LibCST's reading of the
    new bytes in every field, or it refuses. Revisions are refused (their facts keep the whole
    text), nothing else in this corpus is."""
    sources = snippet_sources()
    source = sources[name] if name in sources else (REPO / name).read_bytes()
    path = name if name.endswith(".py") else f"{name}.py"
    old = read_python(path, source, "pkg.module")
    for edit, data in _edits(source).items():
        new = read_python(path, data, "pkg.module")
        before, after = _outline(source), _outline(data)
        assert before is not None and after is not None, edit
        lines = outline_map(before, after)
        if lines is None:  # the last statement's line gained its line break
            assert edit == "end" and not source.endswith((b"\n", b"\r")), edit
            continue
        assert lines is not None, edit
        facts = move_lines(old.facts, lines)
        if old.revision is not None:
            assert move_lines(old.revision, lines) is None, edit
            continue
        assert facts is not None, edit
        assert moved_lines(new.facts, facts) is False, edit  # equal in every field
        shift = compare_lines(old.facts, new.facts)
        assert shift is not None, edit
        assert all(lines[a] == b for a, b in shift.lines.items() if a), edit


def test_a_line_the_map_lacks_or_a_text_naming_one_is_not_moved() -> None:
    source = (
        b"from m import db\n\n"
        b"if ready:\n    db.create_all()\nelse:\n    upgrade()\n"
    )
    old = read_python("app.py", source, "app").facts
    alternative = [call.alternative for call in old.orm.create_all]
    assert alternative == ["line 6: upgrade()"]  # a line, in a text
    assert move_lines(old, {1: 1, 3: 3, 4: 4, 5: 5, 6: 6}) == old  # nothing moves: as it is
    assert move_lines(old, {1: 2, 3: 4, 4: 5, 5: 6, 6: 7}) is None
    plain = read_python("q.py", b'def q(cur):\n    cur.execute("SELECT 1 FROM t")\n', "q").facts
    assert move_lines(plain, {1: 3}) is None  # line 2 is not in the map
    moved = move_lines(plain, {1: 3, 2: 4})
    assert moved is not None and [c.line for c in moved.candidates] == [4]
    assert [c.line for c in plain.candidates] == [2]  # the last facts are left as they were
