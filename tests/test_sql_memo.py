"""Within one scan, each SQL text is analysed once, with or without the fact cache."""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.cache import FactCache
from analyzer.facts import PythonFacts
from analyzer.resolve import code_sql
from analyzer.resolve.code_sql import CodeSqlResolver, PythonSql
from analyzer.resolve.templates import hole_marker
from analyzer.scan import scan
from tests.conftest import SAMPLE, MakeRepo, table_names, uses_of


def test_a_scan_without_cache_analyses_each_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    analysed: Counter[tuple[str, bool]] = Counter()
    resolving = [False]
    real_is_sql_text = code_sql.is_sql_text
    real_resolve = CodeSqlResolver.resolve

    def counting(text: str, *, at_sink: bool, dialect: str, parsed: object = None) -> bool:
        if resolving[0]:
            analysed[(text, at_sink)] += 1
        return real_is_sql_text(text, at_sink=at_sink, dialect=dialect, parsed=parsed)  # type: ignore[arg-type]

    def resolve(self: CodeSqlResolver, modules: Iterable[PythonFacts]) -> dict[str, PythonSql]:
        resolving[0] = True
        try:
            return real_resolve(self, modules)
        finally:
            resolving[0] = False

    monkeypatch.setattr(code_sql, "is_sql_text", counting)
    monkeypatch.setattr(CodeSqlResolver, "resolve", resolve)

    scan(SAMPLE, jobs=1, cache=None)

    # helper templates expand to the same text at several call sites of the sample (the
    # candidates no filling makes SQL, log messages and names, are not analysed at all:
    # `detect.candidate_may_be_sql`)
    assert len(analysed) > 100
    assert [text for text, count in analysed.items() if count > 1] == []


CTE_REPO = {
    "app/__init__.py": "",
    "app/reports.py": (
        "def ranked(conn):\n"
        "    return conn.execute(\n"
        "        'WITH recent AS (SELECT user_id FROM orders) SELECT * FROM recent'\n"
        "    )\n"
    ),
    "app/other.py": "def count(conn):\n    return conn.execute('SELECT count(*) FROM users')\n",
}


def test_cte_names_are_tokenized_once_per_text_and_kept_for_the_next_scan(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokenized: Counter[str] = Counter()
    real_cte_names = code_sql.cte_names

    def counting(text: str, dialect: str) -> frozenset[str]:
        tokenized[text] += 1
        return real_cte_names(text, dialect)

    monkeypatch.setattr(code_sql, "cte_names", counting)
    root = make_repo(CTE_REPO)
    cache_dir = tmp_path / "cache"
    first = scan(root, jobs=1, cache=FactCache(cache_dir))
    assert list(tokenized.values()) == [1]
    assert uses_of(first, "orders") == {("app/reports.py", 3, "read")}
    assert "recent" not in table_names(first)

    # another file's facts change: the pipeline runs again, and finds the names in the memo
    (root / "app/other.py").write_text(
        CTE_REPO["app/other.py"] + "def more(conn):\n    conn.execute('SELECT 1 FROM items')\n",
        encoding="utf-8",
    )
    tokenized.clear()
    again = scan(root, jobs=1, cache=FactCache(cache_dir))
    assert tokenized == Counter()
    assert uses_of(again, "items") == {("app/other.py", 4, "read")}
    assert again.to_json() == scan(root, jobs=1, cache=None).to_json()
    assert sum(tokenized.values()) == 1  # the scan without the cache tokenized it itself


@pytest.mark.parametrize("at_sink", [False, True])
def test_a_statement_the_verdict_parsed_is_not_parsed_again(
    monkeypatch: pytest.MonkeyPatch, at_sink: bool
) -> None:
    """Away from a sink, `is_sql_text` asks sqlglot whether the text is a statement; the
    analysis of that same text takes that parse instead of making it again (one parse, not
    two), and finds what it finds from a parse of its own. A statement that is not the whole
    text (a `;` after it, several statements) is parsed for itself."""
    import sqlglot

    from analyzer.sql.statements import analyze_statement

    texts = {
        "SELECT id FROM tickets WHERE owner = %s": 1,
        "\n    DELETE FROM audit_log WHERE id < %(limit)s\n": 1,
        "UPDATE tickets SET state = 'done' WHERE id = $1;": 1 if at_sink else 2,
        "INSERT INTO a (x) VALUES (1); INSERT INTO b (y) SELECT y FROM c": 2 if at_sink else 3,
    }
    real = sqlglot.parse
    parses: list[str] = []

    def counted(sql: str, *args: object, **kwargs: object) -> object:
        parses.append(sql)
        return real(sql, *args, **kwargs)

    for text, expected in texts.items():
        monkeypatch.setattr(sqlglot, "parse", counted)
        parses.clear()
        analysis = code_sql.analyze_text(
            text, at_sink=at_sink, dialect="postgres", default_schema="public"
        )
        assert len(parses) == expected, (text, parses)
        monkeypatch.setattr(sqlglot, "parse", real)
        assert analysis is not None
        alone = [
            analyze_statement(statement.text, dialect="postgres", default_schema="public")
            for statement, _ in analysis
        ]
        assert [result for _, result in analysis] == alone
    assert [
        (ref.schema, ref.name, ref.kind) for _, result in code_sql.analyze_text(
            "SELECT id FROM tickets WHERE owner = %s", at_sink=False, dialect="postgres",
            default_schema="public",
        ) or () for ref in result.refs
    ] == [("public", "tickets", "read")]


AHEAD_REPO = {
    "app/__init__.py": "",
    "app/orders.py": (
        "def recent(conn):\n"
        "    return conn.execute('SELECT id FROM orders WHERE placed > %s', (1,))\n"
        "\n"
        "\n"
        "def purge(conn, table):\n"
        "    conn.execute(f'DELETE FROM {table} WHERE stale')\n"
        "\n"
        "\n"
        "purge(None, 'carts')\n"
    ),
    "app/users.py": (
        "def count(conn):\n"
        "    return conn.execute('SELECT count(*) FROM users')\n"
    ),
    "app/notes.py": "def note(log):\n    log.info('select a user first')\n",
    "app/more.py": "def rows(conn):\n    return conn.execute('SELECT * FROM invoices')\n",
}


def test_a_worker_analyses_the_literal_sql_of_its_file_ahead() -> None:
    """The analyses a worker makes are keyed as the resolver asks for them (the text, whether
    it is at a sink, the dialect, the default schema), equal to its own, and only for the
    candidates that are literal text: a template is filled in by the resolver first."""
    from analyzer import engine
    from analyzer.engine import Job

    source = AHEAD_REPO["app/orders.py"].encode()
    job = Job(
        path="app/orders.py", kind="python", module="app.orders", revision_candidate=False,
        data=source, dialect="postgres", default_schema="public", prefilter=True,
    )
    pickled, ahead = engine.run_job_pickled(job)
    assert pickle.loads(pickled) == engine.run_job(job)  # the result itself is as before
    assert ahead is not None
    made = pickle.loads(ahead)
    text = "SELECT id FROM orders WHERE placed > %s"
    assert list(made) == [(text, True, "postgres", "public")]
    analysis = made[(text, True, "postgres", "public")]
    assert analysis == code_sql.analyze_text(
        text, at_sink=True, dialect="postgres", default_schema="public"
    )
    assert [(r.schema, r.name, r.kind) for _, result in analysis for r in result.refs] == [
        ("public", "orders", "read")
    ]
    # a file with no candidate, or one the first look skipped, has none to make
    notes = replace(job, path="app/notes.py", module="app.notes",
                    data=AHEAD_REPO["app/notes.py"].encode())
    assert engine.run_job_pickled(notes)[1] is None
    # nor does a Django migration: its SQL is the migration reader's, not the resolver's
    migration = (
        "from django.db import migrations\n"
        "\n"
        "\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0001_initial')]\n"
        "    operations = [migrations.RunSQL('UPDATE shop_order SET paid = true')]\n"
    )
    in_migrations = replace(job, path="shop/migrations/0002_paid.py",
                            module="shop.migrations.0002_paid", data=migration.encode())
    extracted = engine.run_job(in_migrations)
    assert extracted.python is not None and extracted.python.django is not None
    assert extracted.python.django.migration is not None
    assert engine.run_job_pickled(in_migrations)[1] is None
    elsewhere = replace(in_migrations, path="shop/fixes.py", module="shop.fixes")
    ahead_elsewhere = engine.run_job_pickled(elsewhere)[1]
    assert ahead_elsewhere is not None
    made_elsewhere = pickle.loads(ahead_elsewhere)
    # every literal candidate is analysed; what is not SQL is None, as the resolver finds it
    assert {text: analysis is not None for (text, *_), analysis in made_elsewhere.items()} == {
        "0001_initial": False, "UPDATE shop_order SET paid = true": True,
    }


SHARED_SOURCE = (
    'RECENT = "SELECT id, total FROM orders WHERE placed > now() - interval \'1 day\'"\n'
    'ARCHIVE = "INSERT INTO orders_archive SELECT * FROM orders WHERE placed < %s"\n'
    "\n\ndef recent(cur):\n    cur.execute(RECENT)\n    return cur.fetchall()\n"
    "\n\ndef archive(cur, when):\n    cur.execute(ARCHIVE, (when,))\n"
)
RECENT = "SELECT id, total FROM orders WHERE placed > now() - interval '1 day'"
ARCHIVE = "INSERT INTO orders_archive SELECT * FROM orders WHERE placed < %s"


@contextmanager
def _sqlglot_parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """The texts `sqlglot.parse` is called with, counted, while the block runs."""
    import sqlglot

    calls: Counter[str] = Counter()
    real = sqlglot.parse

    def counting(sql: str, *args: object, **kwargs: object) -> object:
        calls[sql] += 1
        return real(sql, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(sqlglot, "parse", counting)
        yield calls


def test_a_worker_parses_each_sql_text_of_its_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first look asks sqlglot about the file's SQL strings; the analyses made ahead in the
    same job take those parses instead of parsing the texts again, and are the analyses made
    without them. Past `MAX_SHARED_CHARS` of text a parse is not kept (the job's memory)."""
    from analyzer import engine
    from analyzer.engine import Job
    from analyzer.sql import detect

    job = Job(
        path="app/orders.py", kind="python", module="app.orders", revision_candidate=False,
        data=SHARED_SOURCE.encode(), dialect="postgres", default_schema="public",
        prefilter=True,
    )
    engine.run_job_pickled(job)  # (imports made)
    with _sqlglot_parses(monkeypatch) as calls:
        ahead = engine.run_job_pickled(job)[1]
    assert calls == Counter({RECENT: 1, ARCHIVE: 1})
    assert ahead is not None
    made = pickle.loads(ahead)
    keys = [(text, False, "postgres", "public") for text in (RECENT, ARCHIVE)]
    assert list(made) == keys
    assert [(r.name, r.kind) for _, result in made[keys[1]] for r in result.refs] == [
        ("orders_archive", "write"), ("orders", "read")
    ]
    # without the first look's parses: each text parsed twice, the same analyses
    with _sqlglot_parses(monkeypatch) as calls:
        unshared = engine.analyses_ahead(job, engine.run_job(job))
    assert calls == Counter({RECENT: 2, ARCHIVE: 2})
    assert unshared is not None and pickle.loads(unshared) == made
    # room for one text only: the first asked is kept, the other parsed again by its analysis
    monkeypatch.setattr(detect, "MAX_SHARED_CHARS", max(len(RECENT), len(ARCHIVE)) + 10)
    with _sqlglot_parses(monkeypatch) as calls:
        bounded = engine.run_job_pickled(job)[1]
    assert set(calls) == {RECENT, ARCHIVE} and sorted(calls.values()) == [1, 2]
    assert bounded is not None and pickle.loads(bounded) == made
    assert detect._shared is None  # nothing is kept outside a worker's job


def test_the_resolver_takes_the_analyses_made_ahead_and_reports_the_same(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each text is analysed once in the main process: the relevance rounds' helper search
    analyses the helper's template, and the resolver takes that analysis; with workers, the
    literal texts come from them too, and the resolver analyses only the text it filled in.
    The report is the one a single process makes."""
    from analyzer import engine

    analysed: dict[str, Counter[str]] = {"rounds": Counter(), "resolver": Counter()}
    phase = [""]
    real_is_sql_text = code_sql.is_sql_text

    def counting(text: str, *, at_sink: bool, dialect: str, parsed: object = None) -> bool:
        if phase[0]:
            analysed[phase[0]][text] += 1
        return real_is_sql_text(text, at_sink=at_sink, dialect=dialect, parsed=parsed)  # type: ignore[arg-type]

    def during(name: str, real: Callable[..., object]) -> Callable[..., object]:
        def run(*args: object) -> object:
            phase[0] = name
            try:
                return real(*args)
            finally:
                phase[0] = ""
        return run

    monkeypatch.setattr(code_sql, "is_sql_text", counting)
    monkeypatch.setattr(CodeSqlResolver, "resolve", during("resolver", CodeSqlResolver.resolve))
    monkeypatch.setattr(engine._Rounds, "helpers", during("rounds", engine._Rounds.helpers))
    root = make_repo(AHEAD_REPO)
    template = f"DELETE FROM {hole_marker(0)} WHERE stale"  # the helper `purge`'s, as it is
    literal = {
        "SELECT id FROM orders WHERE placed > %s",
        "SELECT count(*) FROM users",
        "SELECT * FROM invoices",
    }

    alone = scan(root, jobs=1, cache=None)
    assert analysed["rounds"] == Counter({template: 1})
    assert analysed["resolver"] == Counter({**dict.fromkeys(literal, 1),
                                            "DELETE FROM carts WHERE stale": 1})
    analysed["rounds"].clear()
    analysed["resolver"].clear()
    with_workers = scan(root, jobs=2, cache=None)

    assert analysed["rounds"] == Counter({template: 1})
    assert analysed["resolver"] == Counter({"DELETE FROM carts WHERE stale": 1})
    assert with_workers.to_json() == alone.to_json()
    assert uses_of(with_workers, "carts") == {("app/orders.py", 9, "write")}
    assert uses_of(with_workers, "orders") == {("app/orders.py", 2, "read")}


def test_an_analysis_taken_from_ahead_counts_as_computed() -> None:
    """The memo a scan saves is the same whoever made its analyses."""
    key = ("SELECT 1 FROM t", True, "postgres", "public")
    analysis = code_sql.analyze_text(
        key[0], at_sink=True, dialect="postgres", default_schema="public"
    )
    ahead = code_sql.SqlMemo(ahead={key: analysis, ("SELECT 2", True, "postgres", "public"): None})
    assert ahead.get(key) == (True, analysis)
    assert ahead.changed and ahead.computed == 1
    made = code_sql.SqlMemo()
    made.put(key, analysis)
    assert ahead.state == made.state  # what it was not asked for is not kept
    assert code_sql.SqlMemo(previous=made.state, ahead={key: None}).get(key) == (True, analysis)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a clause and a value left out: medium
            "SELECT a FROM t WHERE x = 'm' __tt_hole_0__ __tt_hole_1__ GROUP BY __tt_hole_2__ "
            "ORDER BY b LIMIT __tt_hole_3__",
            (True, [("t", "read", "medium")]),
        ),
        (  # a hole in a table's place: no statement without it, the token scan's low
            "SELECT * FROM __tt_hole_0__ WHERE a = 1 __tt_hole_1__ b",
            (False, [("__tt_hole_0__", "read", "low")]),
        ),
        (  # a hole glued to a name is never left out
            "DELETE FROM __tt_hole_0___events WHERE a = 1 __tt_hole_1__ b",
            (False, [("__tt_hole_0___events", "write", "low")]),
        ),
        (  # parsed with the hole in it: as it was
            "SELECT * FROM a WHERE __tt_hole_0__ ORDER BY b",
            (True, [("a", "read", "high")]),
        ),
    ],
)
def test_holes_standing_for_clauses_are_left_out(
    text: str, expected: tuple[bool, list[tuple[str, str, str]]]
) -> None:
    ((_, result),) = code_sql.analyze_text(
        text, at_sink=True, dialect="postgres", default_schema="public"
    )
    assert (result.parsed, [(r.name, r.kind, r.confidence) for r in result.refs]) == expected
