"""`CodeSqlResolver.find_helpers`: what the relevance rounds pull callers for, exactly."""

from __future__ import annotations

import textwrap

import pytest

import analyzer.resolve.code_sql as code_sql
from analyzer.discover import module_name
from analyzer.facts import PythonFacts
from analyzer.readers.python_module import extract_python
from analyzer.resolve.code_sql import CodeSqlResolver
from analyzer.resolve.evaluate import Evaluator
from analyzer.resolve.index import ModuleIndex

HELPERS = {
    "app/__init__.py": "",
    "app/helpers.py": """
        LIMIT = 10


        def insert(cur, table, row):
            cur.execute(f"INSERT INTO {table} (payload) VALUES (%s)", (row,))


        class Repo:
            def __init__(self, name):
                self.name = name

            def use(self, table):
                self.table = table
                return f"SELECT * FROM {self.table}"

            def count(self, cur):
                cur.execute(f"SELECT count(*) FROM {self.name}")

            def purge(self, cur, table):
                cur.execute(f"DELETE FROM {table}")


        def build(table):
            def quoted():
                return '"' + table + '"'

            return f"DELETE FROM {quoted()}"


        def page(cur, offset):
            cur.execute(f"SELECT id FROM events LIMIT {LIMIT} OFFSET {offset}")


        def listed(cur, tables):
            for table in tables:
                cur.execute("SELECT 1")
    """,
    "app/service.py": """
        from app.helpers import insert


        def save(cur, table, row):
            insert(cur, table, row)


        def audit(cur, row):
            insert(cur, "audit_log", row)
    """,
    "app/copying.py": """
        class Dockerfile:
            def add_file(self, source, destination):
                self.add_line(f"COPY {source} {destination}")
    """,
}


def _facts() -> list[PythonFacts]:
    facts = [
        extract_python(path, textwrap.dedent(text).encode(), module_name(path))
        for path, text in sorted(HELPERS.items())
    ]
    assert all(not f.problems for f in facts)
    return facts


def _find(facts: list[PythonFacts]) -> dict[str, tuple[frozenset[str], frozenset[int]]]:
    resolver = CodeSqlResolver(
        Evaluator(ModuleIndex(facts)), dialect="postgres", default_schema="public"
    )
    return resolver.find_helpers(facts)


def test_helpers_by_name_with_their_table_parameters_and_positions() -> None:
    # `save` passes its parameter on to `insert`; `self.name`, set from the constructor's
    # parameter, makes the class a helper called by its name (`Repo("users")`, position 1
    # with the receiver counted); `build` puts its parameter in the statement through the
    # text a nested function returns (`f"DELETE FROM {quoted()}"`); a parameter that only
    # reaches `OFFSET`, a Dockerfile line and a constant text inside a loop make no helper
    assert _find(_facts()) == {
        "build": (frozenset({"table"}), frozenset({0})),
        "insert": (frozenset({"table"}), frozenset({1})),
        "purge": (frozenset({"table"}), frozenset({2})),
        "save": (frozenset({"table"}), frozenset({1})),
        "Repo": (frozenset({"name"}), frozenset({1})),
    }


def test_the_precheck_skips_only_what_cannot_make_a_helper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    facts = _facts()
    found = _find(facts)
    monkeypatch.setattr(code_sql, "_own_reads", lambda *_: code_sql.ALWAYS)
    assert _find(facts) == found  # reading every candidate finds the same helpers
    # nor does a candidate no filling makes SQL, which it does not read at all
    read: list[tuple[str, int]] = []
    real = code_sql.CodeSqlResolver._read_candidate

    def recording(self: CodeSqlResolver, facts: PythonFacts, candidate: object) -> None:
        read.append((facts.path, candidate.line))  # type: ignore[attr-defined]
        real(self, facts, candidate)  # type: ignore[arg-type]

    monkeypatch.setattr(code_sql.CodeSqlResolver, "_read_candidate", recording)
    message = extract_python(
        "app/log.py", b"def note(log, table):\n    log.info(f'copied {table}')\n", "app.log"
    )
    assert [(c.line, c.function) for c in message.candidates] == [(2, "note")]
    assert _find([*facts, message]) == found
    assert ("app/helpers.py", 6) in read and ("app/log.py", 2) not in read
    monkeypatch.setattr(code_sql, "candidate_may_be_sql", lambda _: True)
    read.clear()
    assert _find([*facts, message]) == found
    assert ("app/helpers.py", 6) in read and ("app/log.py", 2) in read


def test_what_the_precheck_says_of_each_candidate() -> None:
    facts = {f.path: f for f in _facts()}["app/helpers.py"]
    resolver = CodeSqlResolver(Evaluator(ModuleIndex([facts])), dialect="postgres",
                               default_schema="public")
    assert resolver._attribute_params(facts) == {"Repo.__init__", "Repo.use"}
    reads = {
        (candidate.function, code_sql._own_reads(facts, candidate))
        for candidate in facts.candidates
    }
    # `count` reads `self.name` only: read once some attribute holds a parameter of a
    # function named `Repo.count` (none does); `use` is read (`self.table = table`);
    # `listed` has no hole; `page` reads its parameter (evaluated: no table name)
    assert reads == {
        ("insert", code_sql.ALWAYS), ("Repo.use", code_sql.SELF),
        ("Repo.count", code_sql.SELF), ("Repo.purge", code_sql.ALWAYS),
        ("build", code_sql.ALWAYS), ("page", code_sql.ALWAYS), ("listed", code_sql.NEVER),
    }


def test_asked_again_it_reads_again_what_looked_up_a_module_read_since() -> None:
    sources = {
        "app/__init__.py": "",
        "app/verbs.py": 'ADD = "INSERT"\n',
        "app/rows.py": "from app.verbs import ADD\n\n\ndef add_row(cur, table, row):\n"
        '    cur.execute(f"{ADD} INTO {table} (payload) VALUES (%s)", (row,))\n',
        "app/other.py": 'def other(cur, table):\n    cur.execute(f"DELETE FROM {table}")\n',
        # a second reader of the same re-exported name: the evaluator's answer for it is
        # cached after the first, yet the module behind it is noted for both
        "app/consts.py": "from app.verbs import ADD as ADD\n",
        "app/more_rows.py": "from app.consts import ADD\n\n\ndef add_more(cur, table):\n"
        '    cur.execute(f"{ADD} INTO {table} DEFAULT VALUES")\n',
        "app/rows_again.py": "from app.consts import ADD\n\n\ndef add_again(cur, table):\n"
        '    cur.execute(f"{ADD} INTO {table} DEFAULT VALUES")\n',
    }
    parsed = {
        path: extract_python(path, text.encode(), module_name(path))
        for path, text in sorted(sources.items())
    }
    skipped = dict(parsed, **{"app/verbs.py": PythonFacts("app/verbs.py", "app.verbs")})
    resolver = CodeSqlResolver(
        Evaluator(ModuleIndex(skipped.values())), dialect="postgres", default_schema="public"
    )
    # while app/verbs.py is skipped, `{ADD} INTO {table}` is no SQL: no helper
    assert set(resolver.find_helpers(list(skipped.values()))) == {"other"}
    assert resolver._lookups["app/rows.py"] == {"app/verbs.py"}
    assert resolver._lookups["app/other.py"] == set()
    for path in ("app/more_rows.py", "app/rows_again.py"):
        assert resolver._lookups[path] == {"app/consts.py", "app/verbs.py"}
    # read since: app/rows.py is read again (app/other.py is not), as a new resolver would
    resolver.use_evaluator(Evaluator(ModuleIndex(parsed.values())))
    found = resolver.find_helpers(list(parsed.values()), changed={"app/verbs.py"})
    fresh = CodeSqlResolver(
        Evaluator(ModuleIndex(parsed.values())), dialect="postgres", default_schema="public"
    ).find_helpers(list(parsed.values()))
    assert found == fresh == {
        "add_again": (frozenset({"table"}), frozenset({1})),
        "add_more": (frozenset({"table"}), frozenset({1})),
        "add_row": (frozenset({"table"}), frozenset({1})),
        "other": (frozenset({"table"}), frozenset({1})),
    }


def test_a_reading_that_searched_subclasses_is_read_again_only_when_they_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A template reading `self.prefix` makes the evaluator search the subclasses that may
    override it, over every module: such a reading depended on any module read since. Now it
    is read again only when a search it made finds other classes: a module read since that
    adds none leaves it as it was; one adding an overriding subclass reads it again, and the
    answer is a new resolver's."""
    sources = {
        "app/__init__.py": "",
        "app/names.py": "PREFIX = 'app_'\n",
        "app/store.py": (
            "from app.names import PREFIX\n\n\nclass Store:\n    prefix = PREFIX\n\n"
            "    def insert(self, cur, table, row):\n"
            '        cur.execute(f"INSERT INTO {self.prefix}{table} VALUES (%s)", (row,))\n'
        ),
        "app/unrelated.py": "class Widget:\n    prefix = 'w_'\n",
        "app/child.py": "from app.store import Store\n\n\nclass Archive(Store):\n"
        "    prefix = 'archive_'\n",
    }
    parsed = {
        path: extract_python(path, text.encode(), module_name(path))
        for path, text in sorted(sources.items())
    }
    reads: list[str] = []
    real = code_sql.CodeSqlResolver._read_candidate

    def counted(resolver: CodeSqlResolver, facts: PythonFacts, candidate: object) -> None:
        reads.append(facts.path)
        real(resolver, facts, candidate)  # type: ignore[arg-type]

    monkeypatch.setattr(code_sql.CodeSqlResolver, "_read_candidate", counted)

    def skipping(*paths: str) -> dict[str, PythonFacts]:
        return dict(parsed, **{p: PythonFacts(p, module_name(p)) for p in paths})

    first = skipping("app/unrelated.py", "app/child.py")
    resolver = CodeSqlResolver(
        Evaluator(ModuleIndex(first.values())), dialect="postgres", default_schema="public"
    )
    expected = {"insert": (frozenset({"table"}), frozenset({2}))}
    assert resolver.find_helpers(list(first.values())) == expected
    assert reads == ["app/store.py"]
    assert code_sql.ANY_MODULE in resolver._lookups["app/store.py"]
    # a module read since with no subclass of Store: the reading stands
    second = skipping("app/child.py")
    resolver.use_evaluator(Evaluator(ModuleIndex(second.values())))
    assert resolver.find_helpers(list(second.values()), changed={"app/unrelated.py"}) == expected
    assert reads == ["app/store.py"]
    # a subclass overriding `prefix`: read again, as a new resolver reads it
    resolver.use_evaluator(Evaluator(ModuleIndex(parsed.values())))
    found = resolver.find_helpers(list(parsed.values()), changed={"app/child.py"})
    assert reads == ["app/store.py", "app/store.py"]
    fresh = CodeSqlResolver(
        Evaluator(ModuleIndex(parsed.values())), dialect="postgres", default_schema="public"
    ).find_helpers(list(parsed.values()))
    assert found == fresh == expected


@pytest.mark.parametrize(
    ("call", "accepted"),
    [
        ("store.save('audit', row)", True),
        ("store.save('audit', row=row)", True),
        ("store.save('audit', row, mode='fast')", True),
        ("store.save(table='audit', row=row)", True),
        ("store.save('audit')", False),  # `row` has no default
        ("store.save(row=row)", False),  # nor `table`
        ("store.save('audit', row, 'x', 'y')", False),  # more than it takes
        ("store.save('audit', row, fmt='x')", False),  # a keyword it has no parameter for
    ],
)
def test_a_call_matched_by_name_alone_must_bind_to_the_helper(call: str, accepted: bool) -> None:
    """An untyped receiver's call is a helper's only when it can bind to its parameters:
    not with fewer arguments than its parameters without a default need (ckan's
    `item.create(pkg)` had been taken for a storage backend's `create(self, context,
    data_dict, plugin_data)`), nor with more, nor with a keyword it does not name."""
    source = textwrap.dedent(f"""
        class Store:
            def save(self, table, row, mode="safe", *, tx=None):
                self.cur.execute(f"INSERT INTO {{table}} VALUES (?)", (row,))


        def publish(store, row, args):
            {call}
    """)
    facts = extract_python("app/views.py", source.encode(), "app.views")
    (made,) = [c for c in facts.calls if c.function == "publish"] or [None]
    if made is None:  # (a call passing nothing table-like is not even recorded)
        assert not accepted
        return
    assert code_sql._accepts(facts.functions["Store.save"], made) is accepted
