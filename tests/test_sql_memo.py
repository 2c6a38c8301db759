"""Within one scan, each SQL text is analysed once, with or without the fact cache."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pytest

from analyzer.facts import PythonFacts
from analyzer.resolve import code_sql
from analyzer.resolve.code_sql import CodeSqlResolver, PythonSql
from analyzer.scan import scan
from tests.conftest import SAMPLE


def test_a_scan_without_cache_analyses_each_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    analysed: Counter[tuple[str, bool]] = Counter()
    resolving = [False]
    real_is_sql_text = code_sql.is_sql_text
    real_resolve = CodeSqlResolver.resolve

    def counting(text: str, *, at_sink: bool, dialect: str) -> bool:
        if resolving[0]:
            analysed[(text, at_sink)] += 1
        return real_is_sql_text(text, at_sink=at_sink, dialect=dialect)

    def resolve(self: CodeSqlResolver, modules: Iterable[PythonFacts]) -> dict[str, PythonSql]:
        resolving[0] = True
        try:
            return real_resolve(self, modules)
        finally:
            resolving[0] = False

    monkeypatch.setattr(code_sql, "is_sql_text", counting)
    monkeypatch.setattr(CodeSqlResolver, "resolve", resolve)

    scan(SAMPLE, jobs=1, cache=None)

    # helper templates expand to the same text at several call sites of the sample
    assert len(analysed) > 300
    assert [text for text, count in analysed.items() if count > 1] == []
