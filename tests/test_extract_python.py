"""Tests for the LibCST Python extractor (analyzer.readers.python_module)."""

from __future__ import annotations

import textwrap

import pytest

from analyzer.facts import (
    ConstantBinding,
    FileProblem,
    Hole,
    ImportBinding,
    Literal,
    PythonFacts,
    StringCandidate,
)
from analyzer.readers.python_module import extract_python

L = Literal


def H(expr: str, line: int, style: str, ref: str | bool | None = True) -> Hole:
    """Hole whose ref defaults to its expr (the common Name / attribute-chain case)."""
    return Hole(expr, expr if ref is True else ref, line, style)  # type: ignore[arg-type]


def run(src: str | bytes, *, dedent: bool = True) -> PythonFacts:
    if isinstance(src, str):
        src = (textwrap.dedent(src) if dedent else src).encode("utf-8")
    facts = extract_python("pkg/mod.py", src, "pkg.mod")
    assert facts.path == "pkg/mod.py"
    assert facts.module == "pkg.mod"
    return facts


def ok(src: str | bytes) -> PythonFacts:
    facts = run(src)
    assert facts.problems == []
    return facts


def only(src: str | bytes) -> StringCandidate:
    (candidate,) = ok(src).candidates
    return candidate


def parts(src: str | bytes) -> tuple:
    return only(src).parts


def failed(src: bytes, code: str) -> FileProblem:
    facts = extract_python("pkg/mod.py", src, "pkg.mod")
    (problem,) = facts.problems
    assert problem.code == code
    assert "not analysed" in problem.message
    assert facts.candidates == [] and facts.constants == {} and facts.imports == []
    return problem


# --------------------------------------------------------------------------------------------
# plain literals
# --------------------------------------------------------------------------------------------


def test_plain_string_candidate() -> None:
    facts = ok('x = 1\nrows = run("SELECT id FROM users")\n')
    assert facts.candidates == [
        StringCandidate((L("SELECT id FROM users", 2),), line=2, end_line=2)
    ]


def test_triple_quoted_multiline_string() -> None:
    c = only('''
        def load():
            return q(
                """
                SELECT a
                FROM t
                """
            )
    ''')
    assert c.parts == (L("\n        SELECT a\n        FROM t\n        ", 4),)
    assert (c.line, c.end_line, c.function) == (4, 7, "load")


def test_escapes_raw_and_bytes() -> None:
    facts = ok(
        'a = "SELECT\\tname\\nFROM \\"t\\" \\d \\u00e9 \\N{EM DASH}"\n'
        'b = r"SELECT \\d FROM t"\n'
        'c = b"SELECT \\xc3\\xa9 FROM t"\n'
        'd = b"SELECT \\xff FROM not_utf8"\n'
        'e = """SELECT a \\\nFROM t"""\n'
    )
    assert [c.parts for c in facts.candidates] == [
        (L('SELECT\tname\nFROM "t" \\d é —', 1),),
        (L("SELECT \\d FROM t", 2),),
        (L("SELECT é FROM t", 3),),
        (L("SELECT a FROM t", 5),),
    ]


def test_crlf_source_newlines_are_normalised() -> None:
    assert parts(b'x = """SELECT\r\n  a FROM t"""\r\n') == (L("SELECT\n  a FROM t", 1),)


def test_implicit_concatenation_across_lines() -> None:
    c = only("""
        sql = ("SELECT a "
               'FROM t '
               f"WHERE id = {uid}")
    """)
    assert c.parts == (
        L("SELECT a ", 2),
        L("FROM t ", 3),
        L("WHERE id = ", 4),
        H("uid", 4, "fstring"),
    )
    assert (c.line, c.end_line) == (2, 4)


# --------------------------------------------------------------------------------------------
# templates: +, f-strings, .format, %
# --------------------------------------------------------------------------------------------


def test_plus_concatenation_with_names() -> None:
    c = only("""
        q = run(
            "SELECT * FROM " + TABLE + " WHERE id = %s"
            + tables.MEMORY
            + str(n)
        )
    """)
    assert c.parts == (
        L("SELECT * FROM ", 3),
        H("TABLE", 3, "concat"),
        L(" WHERE id = %s", 3),
        H("tables.MEMORY", 4, "concat"),
        H("str(n)", 5, "concat", None),
    )
    assert (c.line, c.end_line) == (3, 5)


def test_plus_with_parenthesised_subexpressions() -> None:
    assert parts('q = "SELECT a FROM t" + ("x" + y) + (n + 1)\n') == (
        L("SELECT a FROM t", 1),
        L("x", 1),
        H("y", 1, "concat"),
        H("(n + 1)", 1, "concat", None),
    )


def test_non_string_arithmetic_is_not_a_candidate() -> None:
    assert ok("x = a + b + c\ny = a % 3\n").candidates == []


def test_fstring_value_and_table_holes() -> None:
    c = only("""
        def get(uid):
            return f"SELECT {{x}}, {col!r:>10} FROM {schema.TABLE} WHERE id = {uid + 1}"
    """)
    assert c.parts == (
        L("SELECT {x}, ", 3),
        H("col", 3, "fstring"),
        L(" FROM ", 3),
        H("schema.TABLE", 3, "fstring"),
        L(" WHERE id = ", 3),
        H("uid + 1", 3, "fstring", None),
    )
    assert c.function == "get"


def test_multiline_fstring_piece_lines() -> None:
    c = only('''
        q = f"""
            SELECT *
            FROM {TABLE}
            WHERE a = 1
        """
    ''')
    assert c.parts == (
        L("\n    SELECT *\n    FROM ", 2),
        H("TABLE", 4, "fstring"),
        L("\n    WHERE a = 1\n", 4),
    )


def test_raw_fstring_and_nested_strings_in_holes() -> None:
    assert parts("""q = rf"SELECT '\\d' {", ".join(f'{c}' for c in cols)} FROM t"\n""") == (
        L("SELECT '\\d' ", 1),
        H("\", \".join(f'{c}' for c in cols)", 1, "fstring", None),
        L(" FROM t", 1),
    )


def test_format_positional_keyword_escapes_missing() -> None:
    c = only("""
        q = "SELECT {}, {{lit}} FROM {table} JOIN {1} ON {0.id} {missing}".format(
            col, other, table=tables.USERS
        )
    """)
    assert c.parts == (
        L("SELECT ", 2),
        H("col", 3, "format"),
        L(", {lit} FROM ", 2),
        H("tables.USERS", 3, "format"),
        L(" JOIN ", 2),
        H("other", 3, "format"),
        L(" ON ", 2),
        H("col.id", 3, "format"),
        L(" ", 2),
        Hole("{missing}", None, 2, "format"),
    )
    assert (c.line, c.end_line) == (2, 4)


def test_format_with_star_args_and_index() -> None:
    assert parts('q = "SELECT {} FROM {t} WHERE {0[1]}".format(*args, t=T)\n') == (
        L("SELECT ", 1),
        Hole("{}", None, 1, "format"),
        L(" FROM ", 1),
        H("T", 1, "format"),
        L(" WHERE ", 1),
        Hole("{0[1]}", None, 1, "format"),
    )


def test_repr_fields_are_marked_where_python_writes_repr() -> None:
    """`%r`, `{x!r}` and `{!a}` write the value's repr(): the hole says so (the resolver
    quotes a known string). With a flag, width, precision or format spec the field pads or
    cuts the quoted text: left as an ordinary hole."""
    def hole(expr: str, line: int, style: str, conversion: str | None,
             ref: str | None = None) -> Hole:
        return Hole(expr, ref if ref is not None else expr, line, style, None, conversion)

    assert parts('q = "DELETE FROM %r WHERE id = %s" % (T, x)\n') == (
        L("DELETE FROM ", 1), hole("T", 1, "percent", "r"), L(" WHERE id = ", 1),
        hole("x", 1, "percent", None),
    )
    assert parts('q = "DELETE FROM %(t)a" % {"t": T}\n') == (
        L("DELETE FROM ", 1), hole("T", 1, "percent", "a"),
    )
    assert parts('q = f"SELECT * FROM {T!r} LIMIT {n!s}"\n') == (
        L("SELECT * FROM ", 1), hole("T", 1, "fstring", "r"), L(" LIMIT ", 1),
        hole("n", 1, "fstring", None),
    )
    assert parts('q = "SELECT * FROM {!r}.{0.name!a}".format(T)\n') == (
        L("SELECT * FROM ", 1), hole("T", 1, "format", "r"), L(".", 1),
        hole("T.name", 1, "format", "a"),
    )
    assert parts('q = "SELECT %-9r, %.3r" % (a, b)\n') == (
        L("SELECT ", 1), hole("a", 1, "percent", None), L(", ", 1),
        hole("b", 1, "percent", None),
    )
    assert parts('q = f"SELECT {a!r:>9}"\n') == (L("SELECT ", 1), hole("a", 1, "fstring", None))
    # a repr field is not spliced with the text of the local it names: that text is quoted
    assert ok("""
        def run(cur):
            name = "events"
            cur.execute(f"SELECT * FROM {name!r}")
    """).candidates[-1].parts == (
        L("SELECT * FROM ", 4), hole("name", 4, "fstring", "r"),
    )


def test_format_on_multiline_template_tracks_lines() -> None:
    assert parts('q = """SELECT *\nFROM {}\nWHERE x""".format(T)\n') == (
        L("SELECT *\nFROM ", 1),
        H("T", 3, "format"),
        L("\nWHERE x", 2),
    )


def test_percent_tuple() -> None:
    assert parts('q = "SELECT %s FROM %s WHERE a = %d" % (col, tables.T, 3)\n') == (
        L("SELECT ", 1),
        H("col", 1, "percent"),
        L(" FROM ", 1),
        H("tables.T", 1, "percent"),
        L(" WHERE a = ", 1),
        H("3", 1, "percent", None),
    )


def test_percent_dict_and_double_percent() -> None:
    assert parts(
        'q = "SELECT %(col)s FROM %(table)r WHERE pct = 100%% AND %(x)s" % {"col": c, "table": T}\n'
    ) == (
        L("SELECT ", 1),
        H("c", 1, "percent"),
        L(" FROM ", 1),
        Hole("T", "T", 1, "percent", None, "r"),  # `%(table)r`: written quoted
        L(" WHERE pct = 100% AND ", 1),
        Hole("""{"col": c, "table": T}['x']""", None, 1, "percent"),
    )


def test_percent_single_value() -> None:
    assert parts('q = "SELECT * FROM %s" % table_name\n') == (
        L("SELECT * FROM ", 1),
        H("table_name", 1, "percent"),
    )


def test_percent_mismatch_gives_unresolvable_holes() -> None:
    assert parts('q = "SELECT %s FROM %s" % args\n') == (
        L("SELECT ", 1),
        Hole("args[0]", None, 1, "percent"),
        L(" FROM ", 1),
        Hole("args[1]", None, 1, "percent"),
    )
    assert parts('q = "SELECT %s FROM %s" % (a,)\n') == (
        L("SELECT ", 1),
        Hole("(a,)[0]", None, 1, "percent"),
        L(" FROM ", 1),
        Hole("(a,)[1]", None, 1, "percent"),
    )


def test_dbapi_placeholders_stay_literal() -> None:
    assert parts('cur.execute("SELECT a FROM t WHERE id = %s AND pct = 100%%", (uid,))\n') == (
        L("SELECT a FROM t WHERE id = %s AND pct = 100%%", 1),
    )


def test_maximal_expression_is_one_candidate() -> None:
    facts = ok('q = ("SELECT " + "a, {} " "FROM t").format(c) + " WHERE %s" % w\n')
    assert [c.parts for c in facts.candidates] == [
        (
            L("SELECT ", 1),
            L("a, ", 1),
            H("c", 1, "format"),
            L(" ", 1),
            L("FROM t", 1),
            L(" WHERE ", 1),
            H("w", 1, "percent"),
        )
    ]


# --------------------------------------------------------------------------------------------
# sinks
# --------------------------------------------------------------------------------------------


def test_sinks_literal_and_keyword() -> None:
    facts = ok("""
        cur.execute("SELECT a FROM t")
        cur.executemany(sql="INSERT INTO t VALUES (?)", seq_of_parameters=rows)
        pd.read_sql(con=engine, sql="SELECT b FROM u")
        await conn.fetch("SELECT c FROM v WHERE x = $1", x)
        conn.exec_driver_sql(query="DELETE FROM w")
        Model.objects.raw("SELECT * FROM app_model")
        cur.copy_expert("COPY t TO STDOUT", f)
        log("SELECT a FROM not_a_sink")
    """)
    assert [(c.parts[0].text, c.sink) for c in facts.candidates] == [
        ("SELECT a FROM t", "execute"),
        ("INSERT INTO t VALUES (?)", "executemany"),
        ("SELECT b FROM u", "read_sql"),
        ("SELECT c FROM v WHERE x = $1", "fetch"),
        ("DELETE FROM w", "exec_driver_sql"),
        ("SELECT * FROM app_model", "raw"),
        ("COPY t TO STDOUT", "copy_expert"),
        ("SELECT a FROM not_a_sink", None),
    ]


def test_short_sql_is_kept_in_a_sink_only() -> None:
    facts = ok('cur.execute("BEGIN")\nx = "BEGIN"\n')
    assert facts.candidates == [StringCandidate((L("BEGIN", 1),), 1, 1, sink="execute")]


def test_bare_name_and_attribute_in_sink() -> None:
    facts = ok("""
        class Repo:
            def get(self):
                self.cur.execute(QUERY, (1,))
                self.cur.execute(queries.GET_USER)
                self.cur.execute(self.query)
    """)
    assert facts.candidates == [
        StringCandidate((H("QUERY", 4, "argument"),), 4, 4, "execute", "Repo.get"),
        StringCandidate((H("queries.GET_USER", 5, "argument"),), 5, 5, "execute", "Repo.get"),
        StringCandidate((H("self.query", 6, "argument"),), 6, 6, "execute", "Repo.get"),
    ]


def test_text_nested_in_execute_reported_once() -> None:
    facts = ok("""
        import sqlalchemy as sa
        from sqlalchemy import select, text
        conn.execute(text(QUERY))
        conn.execute(sa.text("SELECT a FROM t"), params)
        session.execute(select(User))
        session.execute(sa.select(User).where(User.id == 1))
    """)
    assert facts.candidates == [
        StringCandidate((H("QUERY", 4, "argument"),), 4, 4, "text"),
        StringCandidate((L("SELECT a FROM t", 5),), 5, 5, "text"),
    ]


def test_dynamic_sink_arguments_are_unresolvable_holes() -> None:
    facts = ok("""
        cur.execute(QUERY % params)
        cur.execute(QUERIES["get"])
        cur.execute("SELECT a FROM t" if x else OTHER)
    """)
    assert facts.candidates == [
        StringCandidate((Hole("QUERY % params", None, 2, "argument"),), 2, 2, "execute"),
        StringCandidate((Hole('QUERIES["get"]', None, 3, "argument"),), 3, 3, "execute"),
        StringCandidate((L("SELECT a FROM t", 4),), 4, 4, "execute"),
        StringCandidate((H("OTHER", 4, "argument"),), 4, 4, "execute"),
    ]


def test_method_only_sinks_need_an_attribute_call() -> None:
    facts = ok("fetch(session, url)\nconn.fetch(QUERY)\nexecute(SQL)\n")
    assert [(c.parts, c.sink) for c in facts.candidates] == [
        ((H("QUERY", 2, "argument"),), "fetch"),
        ((H("SQL", 3, "argument"),), "execute"),
    ]


def test_multiline_sink_call_lines() -> None:
    c = only("""
        cur.execute(
            "SELECT a "
            "FROM t",
        )
    """)
    assert (c.parts, c.line, c.end_line, c.sink) == (
        (L("SELECT a ", 3), L("FROM t", 4)),
        3,
        4,
        "execute",
    )


# --------------------------------------------------------------------------------------------
# what is not a candidate
# --------------------------------------------------------------------------------------------


def test_docstrings_and_bare_string_statements_are_not_candidates() -> None:
    facts = ok('''
        """Module docstring: SELECT * FROM nothing."""

        class A:
            """Class docstring mentioning SELECT a FROM b."""

            def f(self):
                """Function docstring SELECT a FROM b."""
                "another bare SELECT a FROM b statement"
                f"bare f-string SELECT {x} FROM y"
                return 1
    ''')
    assert facts.candidates == []


def test_short_letterless_all_and_hole_only_strings_are_skipped() -> None:
    facts = ok("""
        __all__ = ["SELECT_SOMETHING", "another_long_name"]
        __all__ += ["more_public_names"]
        a = "short"
        b = "------------"
        c = f"{x}{y}"
        d = f"{x}.{y}"
        e = "long enough"
        # "SELECT a FROM commented_out"
    """)
    assert [c.parts for c in facts.candidates] == [(L("long enough", 8),)]


def test_strings_inside_type_checking_are_included() -> None:
    facts = ok("""
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            Q = "SELECT a FROM t"
    """)
    assert [c.parts for c in facts.candidates] == [(L("SELECT a FROM t", 4),)]


# --------------------------------------------------------------------------------------------
# module constants
# --------------------------------------------------------------------------------------------


def test_module_constants() -> None:
    facts = ok("""
        from typing import Final
        TABLE = "users"
        FULL = f"SELECT * FROM {TABLE}"
        TYPED: str = "SELECT typed FROM t"
        FINAL: Final = "SELECT final FROM t"
        TWICE = "SELECT a FROM t"
        TWICE = "SELECT b FROM t"
        AUG = "SELECT c FROM t"
        AUG += " WHERE x"
        NOT_STR = 3
        try:
            GUARDED = "SELECT g FROM t"
        except ImportError:
            pass
        if flag:
            BRANCHY = "SELECT a FROM t1"
        else:
            BRANCHY = "SELECT a FROM t2"
        A = B = "SELECT chained FROM t"
        def f():
            global REBOUND
            REBOUND = other()
        REBOUND = "SELECT r FROM t"
    """)
    assert facts.constants == {
        "TABLE": ConstantBinding("TABLE", (L("users", 3),), 3),
        "FULL": ConstantBinding("FULL", (L("SELECT * FROM ", 4), H("TABLE", 4, "fstring")), 4),
        "TYPED": ConstantBinding("TYPED", (L("SELECT typed FROM t", 5),), 5),
        "FINAL": ConstantBinding("FINAL", (L("SELECT final FROM t", 6),), 6),
        "GUARDED": ConstantBinding("GUARDED", (L("SELECT g FROM t", 13),), 13),
        "A": ConstantBinding("A", (L("SELECT chained FROM t", 20),), 20),
        "B": ConstantBinding("B", (L("SELECT chained FROM t", 20),), 20),
    }
    # the constants' strings are ordinary candidates too (except the too-short "users")
    texts = [c.parts[0].text for c in facts.candidates]
    assert "SELECT * FROM " in texts and "SELECT a FROM t" in texts and "users" not in texts
    assert all(c.sink is None and c.function is None for c in facts.candidates)


def test_imported_name_is_not_a_constant() -> None:
    facts = ok('from .q import QUERY\nQUERY = "SELECT a FROM t"\nimport os\nos = "SELECT os"\n')
    assert facts.constants == {}


def test_constant_referring_to_class_attribute_is_resolved() -> None:
    facts = ok("""
        class Tables:
            USERS = "users"
        Q = "SELECT * FROM " + Tables.USERS
    """)
    assert facts.constants["Q"] == ConstantBinding("Q", (L("SELECT * FROM ", 4), L("users", 4)), 4)


# --------------------------------------------------------------------------------------------
# local resolution
# --------------------------------------------------------------------------------------------


def test_function_local_resolution_including_assignment_after_use() -> None:
    facts = ok("""
        def f(table, uid):
            sql = "SELECT * FROM users WHERE id = %s"
            cur.execute(sql, (uid,))
            cur.execute(later)
            later = (
                "DELETE FROM sessions"
            )
            cur.execute(f"SELECT * FROM {table}")
            cur.execute(table)
    """)
    sinks = [c for c in facts.candidates if c.sink]
    # `cur.execute(sql)` and `cur.execute(later)` pass local variables whose strings are
    # candidates where they are written (lines 3 and 7): the sink sites are not reported again.
    assert [(c.line, c.sink) for c in facts.candidates if not c.sink] == [(3, None), (7, None)]
    assert sinks == [
        # a parameter is never a module constant: its hole has no ref
        StringCandidate(
            (L("SELECT * FROM ", 9), H("table", 9, "fstring", ref=None)), 9, 9, "execute", "f"
        ),
        StringCandidate((H("table", 10, "argument", ref=None),), 10, 10, "execute", "f"),
    ]


def test_local_resolution_splices_templates_and_keeps_module_refs() -> None:
    facts = ok("""
        def f(flt):
            base = f"SELECT * FROM {TABLE}"
            sql = base + " WHERE " + flt
            cur.execute(sql)
    """)
    # The local `sql` is reported where it is built (line 4), with `base` spliced in; the
    # `cur.execute(sql)` site does not repeat it.
    assert facts.candidates[-1] == StringCandidate(
        (
            L("SELECT * FROM ", 4),
            H("TABLE", 3, "fstring"),
            L(" WHERE ", 4),
            H("flt", 4, "concat", ref=None),
        ),
        4,
        4,
        None,
        "f",
    )


@pytest.mark.parametrize(
    "body",
    [
        'sql = "SELECT a FROM t"\n    sql += " WHERE x"',  # augmented
        "for sql in QUERIES: pass",  # loop target
        "with open(p) as sql: pass",  # with target
        "sql = build()",  # not a string
        "global sql",  # module-level name
        "[1 for sql in QUERIES]",  # comprehension target shadows
        'sql, other = "SELECT a FROM t", "x"',  # tuple unpacking
    ],
)
def test_local_resolution_requires_a_single_plain_binding(body: str) -> None:
    facts = ok(f"def f():\n    {body}\n    cur.execute(sql)\n")
    sink = [c for c in facts.candidates if c.sink]
    assert sink[0].parts == (Hole("sql", "sql", sink[0].line, "argument"),)


@pytest.mark.parametrize(
    "body",
    [
        # assigned twice, the second under an `if`: either may reach the use
        'sql = "SELECT a FROM t"\n    if x:\n        sql = "SELECT b FROM t"',
        # assigned again after the use inside a loop: the next round sees it
        'sql = "SELECT a FROM t"\n    for x in y:\n        cur.execute(sql)\n        sql = "b"',
    ],
)
def test_a_local_bound_to_several_strings_is_read_where_each_is_written(body: str) -> None:
    """Every binding a string: each is a candidate where it is written, and the sink, which
    would count them again, is none (`CodeSqlReader._local_sql_arms`)."""
    facts = ok(f"def f():\n    {body}\n    cur.execute(sql)\n")
    assert [c for c in facts.candidates if c.sink] == []
    assert [c.parts[0].text for c in facts.candidates][:1] == ["SELECT a FROM t"]


def test_parameters_stay_holes() -> None:
    facts = ok("""
        def f(sql, *args, table="users", **kw):
            cur.execute(sql)
            cur.execute("SELECT * FROM " + table)
    """)
    assert [c.parts for c in facts.candidates] == [
        (H("sql", 3, "argument", ref=None),),
        (L("SELECT * FROM ", 4), H("table", 4, "concat", ref=None)),
    ]


def test_closure_resolution() -> None:
    facts = ok("""
        def outer():
            sql = "SELECT a FROM t"
            def inner():
                cur.execute(sql)
            return inner
    """)
    # The closure's `cur.execute(sql)` is the same statement as the local string on line 3,
    # which is reported once, where it is written.
    assert [(c.parts, c.sink, c.function) for c in facts.candidates] == [
        ((L("SELECT a FROM t", 3),), None, "outer")
    ]


def test_class_level_resolution() -> None:
    facts = ok("""
        class UserRepo:
            TABLE = "users"
            GET = f"SELECT * FROM {TABLE} WHERE id = %s"
            OVERRIDDEN = "SELECT a FROM t"

            def __init__(self):
                self.OVERRIDDEN = "SELECT b FROM t"
                self.extra = "SELECT * FROM extras"

            def get(self):
                self.cur.execute(self.GET)
                self.cur.execute(UserRepo.TABLE)
                self.cur.execute(self.OVERRIDDEN)
                self.cur.execute(self.extra)
                self.cur.execute(self.LATER)

            @classmethod
            def count(cls):
                return cls.run("SELECT count(*) FROM " + cls.TABLE)

            LATER = "SELECT later FROM t"
    """)
    got = [(c.parts, c.function) for c in facts.candidates if c.function]
    assert got == [
        ((L("SELECT b FROM t", 8),), "UserRepo.__init__"),
        ((L("SELECT * FROM extras", 9),), "UserRepo.__init__"),
        ((L("SELECT * FROM users WHERE id = %s", 12),), "UserRepo.get"),
        ((L("users", 13),), "UserRepo.get"),
        ((H("self.OVERRIDDEN", 14, "argument"),), "UserRepo.get"),
        ((L("SELECT later FROM t", 16),), "UserRepo.get"),
        ((L("SELECT count(*) FROM ", 20), L("users", 20)), "UserRepo.count"),
    ]
    # class-body strings: function None; class-body template resolved against the class
    class_level = [c.parts for c in facts.candidates if c.function is None]
    assert (L("SELECT * FROM ", 4), L("users", 4), L(" WHERE id = %s", 4)) in class_level
    assert "TABLE" not in facts.constants and "GET" not in facts.constants


def test_method_locals_do_not_see_class_attributes_by_bare_name() -> None:
    facts = ok("""
        class R:
            TABLE = "users"
            def f(self):
                return q("SELECT * FROM " + TABLE)
    """)
    assert facts.candidates[-1].parts == (L("SELECT * FROM ", 5), H("TABLE", 5, "concat"))


def test_self_referential_locals_do_not_loop() -> None:
    facts = ok("""
        def f():
            a = f"SELECT {b} FROM t"
            b = f"SELECT {a} FROM u"
            cur.execute(a)
    """)
    assert [(c.line, c.sink) for c in facts.candidates] == [(3, None), (4, None)]


# --------------------------------------------------------------------------------------------
# imports and alembic
# --------------------------------------------------------------------------------------------


def test_imports_of_each_shape() -> None:
    facts = ok("""
        import os
        import app.queries
        import app.queries as q, json
        from app.db import QUERY, OTHER as O
        from . import sibling
        from .models import (
            User,
            Group as G,
        )
        from ..pkg.mod import thing
        from star.mod import *
        def f():
            from lazy import later
    """)
    assert facts.imports == [
        ImportBinding("os", "os", None, 0, 2),
        ImportBinding("app.queries", "app.queries", None, 0, 3),
        ImportBinding("q", "app.queries", None, 0, 4),
        ImportBinding("json", "json", None, 0, 4),
        ImportBinding("QUERY", "app.db", "QUERY", 0, 5),
        ImportBinding("O", "app.db", "OTHER", 0, 5),
        ImportBinding("sibling", "", "sibling", 1, 6),
        ImportBinding("User", "models", "User", 1, 8),
        ImportBinding("G", "models", "Group", 1, 9),
        ImportBinding("thing", "pkg.mod", "thing", 2, 11),
        ImportBinding("*", "star.mod", "*", 0, 12),
        ImportBinding("later", "lazy", "later", 0, 14),
    ]


def test_alembic_marker() -> None:
    facts = ok('''
        """add users

        Revision ID: ae1027a6acf
        """
        from alembic import op

        revision: str = "ae1027a6acf"
        down_revision = None

        def upgrade():
            op.execute("CREATE INDEX ix ON users (name)")
    ''')
    assert facts.alembic_revision == "ae1027a6acf"
    assert [(c.line, c.sink) for c in facts.candidates] == [(8, None), (12, "execute")]
    assert ok('revision = "abc"\n').alembic_revision is None


# --------------------------------------------------------------------------------------------
# robustness
# --------------------------------------------------------------------------------------------


def test_empty_file() -> None:
    assert ok(b"") == PythonFacts(path="pkg/mod.py", module="pkg.mod")


def test_syntax_error() -> None:
    problem = failed(b"def f(:\n    pass\n", "python-syntax-error")
    assert problem.line is not None


def test_python2_code() -> None:
    problem = failed(b'import os\nprint "SELECT a FROM t"\n', "python-syntax-error")
    assert problem.line == 2
    assert "Python 2" in problem.message


def test_non_utf8_without_cookie() -> None:
    src = 'x = 1\nq = "SELECT caf\xe9 FROM t"\n'.encode("latin-1")
    assert failed(src, "python-decode-error").line == 2


def test_unknown_coding_cookie_and_bad_bytes_under_utf8_cookie() -> None:
    failed(b"# -*- coding: klingon -*-\nx = 1\n", "python-decode-error")
    assert failed(b'# coding: utf-8\nx = "\xff"\n', "python-decode-error").line == 2


def test_latin1_with_coding_cookie() -> None:
    src = '# -*- coding: latin-1 -*-\nq = "SELECT caf\xe9 FROM t"\n'.encode("latin-1")
    assert parts(src) == (L("SELECT café FROM t", 2),)


def test_utf8_bom() -> None:
    assert parts(b'\xef\xbb\xbfq = "SELECT a FROM t"\n') == (L("SELECT a FROM t", 1),)


def test_nul_bytes() -> None:
    assert failed(b'x = 1\nq = "SELECT\x00"\n', "python-syntax-error").line == 2


def test_deeply_nested_parentheses() -> None:
    src = b"q = " + b"(" * 100 + b'"SELECT a FROM t"' + b")" * 100 + b"\n"
    assert parts(src) == (L("SELECT a FROM t", 1),)


def test_long_concatenation_chain_is_one_candidate() -> None:
    src = b"q = " + b'"SELECT a" + x + ' * 100 + b'"FROM t"\n'
    c = only(src)
    assert len(c.parts) == 201
    assert c.parts[:2] == (L("SELECT a", 1), H("x", 1, "concat"))


def test_recursion_blow_up_is_a_problem_not_a_crash() -> None:
    src = b"q = " + b'"x" + ' * 1500 + b'"y"\n'
    failed(src, "python-recursion-limit")


def test_long_non_string_chain_is_linear() -> None:
    src = b"q = " + b"a + " * 250 + b"b\n"
    assert ok(src).candidates == []
