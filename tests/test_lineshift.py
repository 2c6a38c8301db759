"""`analyzer.lineshift.moved_lines`: results that differ only in where their lines are."""

from __future__ import annotations

import dataclasses

from analyzer.engine import Extracted, run_job
from analyzer.facts import OrmClass
from analyzer.lineshift import moved_lines
from analyzer.relevance import Glance
from tests.test_gc_discipline import job_for


@dataclasses.dataclass(frozen=True)
class Step:
    line: int
    text: str
    arg_lines: tuple[int, ...] = ()
    end_line: int = 0
    count: int = 0


def _read(relative: str, data: bytes, *, prefilter: bool) -> Extracted:
    return run_job(dataclasses.replace(job_for(relative), data=data, prefilter=prefilter))


def test_a_header_above_real_code_moves_only_lines() -> None:
    for relative in ("app/db/queries.py", "app/characters/repository.py",
                     "app/models/character.py"):
        source = job_for(relative).data
        for prefilter in (True, False):
            before = _read(relative, source, prefilter=prefilter)
            after = _read(relative, b"# moved\n\n" + source, prefilter=prefilter)
            assert before != after
            assert moved_lines(before, after) is not None, relative


def test_names_overridden_together_under_an_if_move_with_their_block() -> None:
    """`table` and `where` overridden in one `if` block are keyed by that block's end line
    (`IfExp.block_line`): a header above them moves that key with the other lines. (Named
    `block`, it was compared as it is, and such a file, 17 of 60 sampled in synapse, always
    counted as changed: the rounds were asked again.)"""
    source = (
        b"def events(cur, archived):\n"
        b'    table = "events"\n'
        b'    where = ""\n'
        b"    if archived:\n"
        b'        table = "old_events"\n'
        b'        where = "WHERE archived"\n'
        b'    cur.execute(f"SELECT * FROM {table} {where}")\n'
    )
    for prefilter in (True, False):
        before = _read("app/db/queries.py", source, prefilter=prefilter)
        after = _read("app/db/queries.py", b"# moved\n\n" + source, prefilter=prefilter)
        assert "block_line=6)" in repr(before) and "block_line=8)" in repr(after)
        assert moved_lines(before, after) is not None
        other_block = _read(
            "app/db/queries.py",
            source.replace(b'        where = "WHERE archived"\n', b"        pass\n"
                           b'    where = "WHERE archived"\n'),
            prefilter=prefilter,
        )
        assert moved_lines(before, other_block) is None


def test_a_changed_value_is_more_than_lines() -> None:
    source = job_for("app/db/queries.py").data
    before = _read("app/db/queries.py", source, prefilter=False)
    edited = source.replace(b"SELECT", b"SELECT DISTINCT", 1)
    assert edited != source
    assert moved_lines(before, _read("app/db/queries.py", edited, prefilter=False)) is None
    longer = source + b"\nEXTRA = 'more'\n"
    assert moved_lines(before, _read("app/db/queries.py", longer, prefilter=False)) is None


def test_lines_must_move_together_in_order() -> None:
    old = (Step(3, "a", arg_lines=(3, 4), end_line=5), Step(9, "b"))
    assert moved_lines(old, (Step(5, "a", arg_lines=(5, 6), end_line=7), Step(11, "b"))) is not None
    assert moved_lines(old, (Step(3, "a", arg_lines=(3, 4), end_line=5), Step(20, "b"))) is not None
    # swapped order, one old line given two new ones, a line lost, a line from nowhere
    assert moved_lines(old, (Step(9, "a", arg_lines=(9, 10), end_line=11), Step(3, "b"))) is None
    assert moved_lines(old, (Step(5, "a", arg_lines=(6, 7), end_line=8), Step(11, "b"))) is None
    assert moved_lines(old, (Step(0, "a", arg_lines=(5, 6), end_line=7), Step(11, "b"))) is None
    assert moved_lines((Step(0, "a"),), (Step(4, "a"),)) is None
    # an integer in a field not named as a line is a value
    assert moved_lines((Step(3, "a", count=1),), (Step(4, "a", count=2),)) is None
    assert moved_lines((Step(3, "a"),), (Step(4, "b"),)) is None


def test_the_first_looks_reasons_and_a_models_relationships_carry_lines() -> None:
    glance = Glance(reasons=("line 4: SQL string", "line 9: Table()"))
    moved = Glance(reasons=("line 6: SQL string", "line 11: Table()"))
    assert moved_lines(glance, moved) is not None
    other = Glance(reasons=("line 6: SQL at a sink", "line 11: Table()"))
    assert moved_lines(glance, other) is None
    assert moved_lines(glance, Glance(reasons=("line 6: SQL string",))) is None
    model = OrmClass(name="Ticket", line=8, bases=("Base",), relationships=(("'User'", 12),))
    assert moved_lines(model, dataclasses.replace(
        model, line=10, relationships=(("'User'", 14),))) is not None
    assert moved_lines(model, dataclasses.replace(
        model, line=10, relationships=(("'Account'", 14),))) is None
    # `backref=`'s targets carry their lines too (keystone's identity models: 6 of 50 files)
    parent = dataclasses.replace(model, backrefs=(("'User'", 12),))
    assert moved_lines(parent, dataclasses.replace(
        parent, line=10, relationships=(("'User'", 14),), backrefs=(("'User'", 14),))) is not None
    assert moved_lines(parent, dataclasses.replace(
        parent, line=10, relationships=(("'User'", 14),), backrefs=(("'User'", 15),))) is None


def test_every_field_counts_those_eq_leaves_out_too() -> None:
    @dataclasses.dataclass(frozen=True)
    class Revision:
        line: int
        text: str = dataclasses.field(default="", compare=False)

    assert Revision(3, "# a") == Revision(3, "# b")  # what `==` says
    assert moved_lines(Revision(3, "# a"), Revision(3, "# b")) is not False
    assert moved_lines(Revision(3, "# a"), Revision(3, "# a")) is False
    # a moved line is a change
    assert moved_lines(Revision(3, "# a"), Revision(4, "# a")) is not False
    assert moved_lines(Revision(3, "# a"), Revision(4, "# a")) is not None


def test_a_literals_own_lines_are_in_the_map() -> None:
    """The resolver reports a table named on a literal's third line at the literal's line + 2
    (`Template.line_of`): the map holds those lines, so the report can be moved by it."""
    from analyzer.facts import Literal
    from analyzer.lineshift import line_map

    old = (Literal("SELECT id\nFROM events\nJOIN kinds", 10), Step(20, "x"))
    assert line_map(old, (Literal("SELECT id\nFROM events\nJOIN kinds", 12), Step(22, "x"))) == {
        0: 0, 10: 12, 11: 13, 12: 14, 20: 22  # (0: a Step's `end_line`, "no line")
    }
    # a `\n` escape on one physical line counts as a line of the text: where that line meets
    # a line that moved otherwise, the map would hold two values for it
    escaped = (Literal("SELECT id\nFROM events", 10), Step(11, "x"))
    assert line_map(escaped, (Literal("SELECT id\nFROM events", 10), Step(12, "x"))) is None
    assert moved_lines(escaped, (Literal("SELECT id\nFROM events", 11), Step(12, "x"))) is True


def test_pairs_holding_a_line_in_either_place_are_paired() -> None:
    """Where a Django settings module is named (`(expression, line)`) and an Alembic
    revision's statements tabletrace cannot read (`(line, text)`): wger's tasks module, with
    a line inserted at its top, counted as changed."""
    from analyzer.facts import AlembicRevision, DjangoFacts
    from analyzer.python.expr import Str

    named = DjangoFacts(settings_module=[(Str("settings.main"), 206)])
    assert moved_lines(named, DjangoFacts(settings_module=[(Str("settings.main"), 207)])) is True
    assert moved_lines(named, DjangoFacts(settings_module=[(Str("settings.dev"), 207)])) is None
    opaque = AlembicRevision(path="v/a1.py", revision="a1", opaque_statements=[(12, "run()")])
    shifted = AlembicRevision(path="v/a1.py", revision="a1", opaque_statements=[(14, "run()")])
    other = AlembicRevision(path="v/a1.py", revision="a1", opaque_statements=[(14, "stop()")])
    assert moved_lines(opaque, shifted) is True
    assert moved_lines(opaque, other) is None
