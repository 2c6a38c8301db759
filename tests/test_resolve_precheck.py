"""`CodeSqlResolver.resolve` skips the candidates no filling can make SQL
(`detect.candidate_may_be_sql`): the same report, without evaluating their holes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import analyzer.resolve.code_sql as code_sql
from analyzer import scan
from analyzer.discover import module_name
from analyzer.facts import PythonFacts, StringCandidate
from analyzer.readers.python_module import extract_python
from analyzer.resolve.code_sql import CodeSqlResolver
from analyzer.resolve.evaluate import Evaluator
from analyzer.resolve.index import ModuleIndex

SOURCE = """
    import logging

    from app.names import TABLE, describe

    log = logging.getLogger(__name__)


    def purge(cur, days):
        log.info(f"purging {describe(days)} of {TABLE}")
        cur.execute(f"DELETE FROM {TABLE} WHERE age > %s", (days,))
        cur.execute("VACUUM")
        return f"Deleted {TABLE} rows older than {days} days."


    def label(user):
        for part in ("a", "b"):
            log.debug("get_" + part + "_handler")
        return f"user:{user.id}"
"""

NAMES = """
    TABLE = "events"


    def describe(days):
        return f"{days} days"
"""


def _facts() -> list[PythonFacts]:
    return [
        extract_python(path, textwrap.dedent(text).encode(), module_name(path))
        for path, text in (("app/__init__.py", ""), ("app/jobs.py", SOURCE),
                           ("app/names.py", NAMES))
    ]


def _resolve(facts: list[PythonFacts], monkeypatch: pytest.MonkeyPatch, *, precheck: bool
             ) -> tuple[dict[str, code_sql.PythonSql], list[tuple[str, int]]]:
    analysed: list[tuple[str, int]] = []
    analyze = CodeSqlResolver._analyze

    def recording(self: CodeSqlResolver, candidate: StringCandidate, *args: object) -> None:
        analysed.append((args[0].module.path, candidate.line))  # type: ignore[attr-defined]
        analyze(self, candidate, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(CodeSqlResolver, "_analyze", recording)
    if not precheck:
        monkeypatch.setattr(code_sql, "candidate_may_be_sql", lambda _: True)
    resolver = CodeSqlResolver(
        Evaluator(ModuleIndex(facts)), dialect="postgres", default_schema="public"
    )
    results = resolver.resolve(facts)
    monkeypatch.undo()
    return results, analysed


def test_only_candidates_that_may_be_sql_are_analysed(monkeypatch: pytest.MonkeyPatch) -> None:
    facts = _facts()
    every = sorted((f.path, c.line) for f in facts for c in f.candidates)
    checked, analysed = _resolve(facts, monkeypatch, precheck=True)
    unchecked, all_analysed = _resolve(facts, monkeypatch, precheck=False)
    # the log message, the sentence, the handler's name and the table's name alone are never
    # analysed: only the DELETE (its hole evaluated) and the VACUUM at a sink
    assert every == [("app/jobs.py", line) for line in (10, 11, 12, 13, 18)] + [
        ("app/names.py", 2)
    ]
    assert sorted(set(all_analysed)) == every
    assert sorted(analysed) == [("app/jobs.py", 11), ("app/jobs.py", 12)]
    assert checked == unchecked
    result = checked["app/jobs.py"]
    assert (result.sql_strings, result.statements) == (2, 2)
    assert [(r.ref.name, r.ref.kind, r.line) for r in result.refs] == [("events", "write", 11)]


def test_the_sample_report_is_the_same_without_the_precheck(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sample = Path(__file__).parents[1] / "sample_repo"
    with_precheck = scan(sample, jobs=1).to_json()
    monkeypatch.setattr(code_sql, "candidate_may_be_sql", lambda _: True)
    assert scan(sample, jobs=1).to_json() == with_precheck
