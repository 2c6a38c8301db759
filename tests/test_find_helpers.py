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
    # `save` passes its parameter on to `insert`; a parameter that only reaches `OFFSET`,
    # `self.name` set from another method's parameter, a Dockerfile line and a constant
    # text inside a loop make no helper
    assert _find(_facts()) == {
        "insert": (frozenset({"table"}), frozenset({1})),
        "purge": (frozenset({"table"}), frozenset({2})),
        "save": (frozenset({"table"}), frozenset({1})),
    }


def test_the_precheck_skips_only_what_cannot_make_a_helper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    facts = _facts()
    found = _find(facts)
    monkeypatch.setattr(code_sql, "_may_read_own_params", lambda *_: True)
    assert _find(facts) == found  # reading every candidate finds the same helpers


def test_which_candidates_the_precheck_reads() -> None:
    facts = {f.path: f for f in _facts()}["app/helpers.py"]
    resolver = CodeSqlResolver(Evaluator(ModuleIndex([facts])), dialect="postgres",
                               default_schema="public")
    in_attributes = resolver._attribute_params(facts)
    assert in_attributes == {"Repo.__init__", "Repo.use"}
    read = {
        candidate.function
        for candidate in facts.candidates
        if code_sql._may_read_own_params(facts, candidate, in_attributes)
    }
    # `count` reads `self.name`, which holds a parameter of `__init__` only; `listed` has no
    # hole; `page` reads its parameter (it is evaluated, and found to be no table name)
    assert read == {"insert", "Repo.use", "Repo.purge", "build", "page"}
