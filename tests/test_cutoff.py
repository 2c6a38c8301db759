"""Early cutoff (`analyzer.cutoff`): a scan whose changed files give the results the last scan
used answers with the last report, after the policy has run on the new bytes; any other
change runs the pipeline. Every report is compared with a scan without the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.cache import FactCache
from analyzer.config import load_config
from analyzer.cutoff import LAST_SCAN_KEY, LastScan
from analyzer.engine import Extracted, Job, extract_in_process
from analyzer.models import Report
from analyzer.scan import scan, use_cache_scope
from tests.conftest import MakeRepo, uses_of

REPO = {
    "app/__init__.py": "",
    "app/models.py": (
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Ticket(Base):\n    __tablename__ = 'tickets'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    ),
    # read in full only because a round finds that it uses a model
    "app/service.py": (
        "from app.models import Ticket\n\n\ndef open_ticket(session):\n"
        "    session.add(Ticket())\n"
    ),
    "app/queries.py": (
        "def recent(cur):\n"
        '    cur.execute("SELECT id FROM audit_log ORDER BY id DESC")\n'
        '    cur.execute("SELECT id FROM phantoms")\n'
    ),
    # no SQL, no model: only its first look is kept
    "app/text.py": "def shout(word):\n    return word.upper() + '!'\n",
    "schema.sql": "CREATE TABLE audit_log (id int);\nCREATE TABLE tickets (id int);\n",
}


class PipelineRuns:
    """Counts the scans that ran the pipeline instead of reusing the last report."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import analyzer.pipeline

        self.count = 0
        real = analyzer.pipeline.run_pipeline

        def counted(*args: object, **kwargs: object) -> Report:
            self.count += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(analyzer.pipeline, "run_pipeline", counted)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> PipelineRuns:
    return PipelineRuns(monkeypatch)


class RoundsAsked:
    """Counts the relevance rounds asked which files to read next (`engine._Rounds`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from analyzer import engine

        self.count = 0
        self.in_rescan = 0  # how many times `_scanned_twice`'s rescan asked them
        real = engine._Rounds.to_parse

        def counted(rounds: object, results: object) -> object:
            self.count += 1
            return real(rounds, results)  # type: ignore[arg-type]

        monkeypatch.setattr(engine._Rounds, "to_parse", counted)


@pytest.fixture
def rounds(monkeypatch: pytest.MonkeyPatch) -> RoundsAsked:
    return RoundsAsked(monkeypatch)


def _scanned_twice(root: Path, cache_dir: Path, edit: dict[str, str],
                   rounds: RoundsAsked | None = None) -> Report:
    scan(root, cache=FactCache(cache_dir))
    for relative, text in edit.items():
        (root / relative).write_text(text, encoding="utf-8")
    before = rounds.count if rounds is not None else 0
    report = scan(root, cache=FactCache(cache_dir))
    if rounds is not None:
        rounds.in_rescan = rounds.count - before
    assert report.to_json() == scan(root).to_json()  # what a scan without the cache says
    return report


def test_a_comment_appended_to_a_file_with_sql_reuses_the_last_report(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    root = make_repo(REPO)
    report = _scanned_twice(
        root, tmp_path / "c", {"app/queries.py": REPO["app/queries.py"] + "# reviewed\n"}
    )
    assert runs.count == 2  # the first scan and the one without the cache
    assert uses_of(report, "audit_log") == {("app/queries.py", 2, "read")}


def test_an_edit_to_a_file_without_sql_reuses_the_last_report(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    root = make_repo(REPO)
    # (what the function returns is unchanged: a first look records the names it gives out)
    edit = {
        "app/text.py": "def shout(word):\n    print('shouting')\n    return word.upper() + '!'\n"
    }
    _scanned_twice(root, tmp_path / "c", edit)
    assert runs.count == 2


def test_moving_the_lines_of_a_file_without_sql_reuses_the_last_report(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    root = make_repo({**REPO, "app/text.py": "import re\n\n\n" + REPO["app/text.py"]})
    # a header above the imports moves every line, imports included
    edit = {"app/text.py": '"""Shouting."""\n\nimport re\n\n\n' + REPO["app/text.py"]}
    _scanned_twice(root, tmp_path / "c", edit)
    assert runs.count == 2


def test_a_file_a_round_read_in_full_is_compared_at_both_stages(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    root = make_repo(REPO)
    report = _scanned_twice(
        root, tmp_path / "c", {"app/service.py": REPO["app/service.py"] + "# a note\n"}
    )
    assert runs.count == 2
    assert uses_of(report, "tickets") == {("app/service.py", 5, "write")}
    last = FactCache(tmp_path / "c")
    use_cache_scope(last, root.absolute(), load_config(root.absolute(), None))
    stored = last.get(LAST_SCAN_KEY)
    assert isinstance(stored, LastScan)
    assert len(stored.files["app/service.py"][1]) == 2  # first look, then in full
    assert len(stored.files["app/text.py"][1]) == 1


def test_shifted_lines_move_the_last_reports_evidence_without_the_pipeline(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    root = make_repo(REPO)
    report = _scanned_twice(
        root, tmp_path / "c", {"app/queries.py": "\n" + REPO["app/queries.py"]}
    )
    assert runs.count == 2  # the first scan, and the scan without the cache
    assert uses_of(report, "audit_log") == {("app/queries.py", 3, "read")}


def test_shifted_lines_of_two_files_move_both_without_asking_the_rounds(
    make_repo: MakeRepo, tmp_path: Path, rounds: RoundsAsked, runs: PipelineRuns
) -> None:
    root = make_repo(REPO)
    edit = {"app/queries.py": "# Reports.\n\n" + REPO["app/queries.py"],
            "app/service.py": '"""Tickets."""\n' + REPO["app/service.py"]}  # read by a round
    report = _scanned_twice(root, tmp_path / "c", edit, rounds)
    assert rounds.in_rescan == 0
    assert runs.count == 2
    assert uses_of(report, "audit_log") == {("app/queries.py", 4, "read")}
    assert uses_of(report, "tickets") == {("app/service.py", 6, "write")}


def test_shifted_lines_the_report_cannot_follow_keep_the_last_selection(
    make_repo: MakeRepo, tmp_path: Path, rounds: RoundsAsked, runs: PipelineRuns
) -> None:
    """A `create_all` source's id holds its line, and sources are ordered by their ids' text:
    calls at lines 9 and 10 sort "10" first, and moved down by one, "10" last. The report is
    not moved, the pipeline runs, but the rounds, which read no line, are not asked again."""
    builder = (
        "from sqlalchemy import create_engine\nfrom app.models import Base\n\n\n"
        "def build():\n    \"\"\"Both databases.\"\"\"\n"
        "    main = create_engine('sqlite://')\n    spare = create_engine('sqlite://')\n"
        "    Base.metadata.create_all(main)\n    Base.metadata.create_all(spare)\n"
    )
    root = make_repo({**REPO, "app/build.py": builder})
    edit = {"app/build.py": "# Schema.\n" + builder,
            "app/service.py": '"""Tickets."""\n' + REPO["app/service.py"]}
    report = _scanned_twice(root, tmp_path / "c", edit, rounds)
    assert rounds.in_rescan == 0
    assert runs.count == 3  # the pipeline ran
    assert [s.id for s in report.sources if s.kind == "create_all"] == [
        "create_all:app/build.py:10", "create_all:app/build.py:11"
    ]
    assert uses_of(report, "tickets") == {("app/service.py", 6, "write")}


def test_a_create_all_source_keeping_its_order_is_moved(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    builder = (
        "from sqlalchemy import create_engine\nfrom app.models import Base\n\n\n"
        "def build():\n    Base.metadata.create_all(create_engine('sqlite://'))\n"
    )
    root = make_repo({**REPO, "app/build.py": builder})
    report = _scanned_twice(root, tmp_path / "c", {"app/build.py": "# Schema.\n" + builder})
    assert runs.count == 2  # the first scan and the one without the cache
    assert [s.id for s in report.sources if s.kind == "create_all"] == [
        "create_all:app/build.py:7"
    ]
    tickets = next(t for t in report.tables if t.name == "tickets")
    assert [(d.source, d.line, d.operation) for d in tickets.definitions
            if d.source_kind == "create_all"] == [("create_all:app/build.py:7", 7, "create")]


def test_any_other_difference_asks_the_rounds(
    make_repo: MakeRepo, tmp_path: Path, rounds: RoundsAsked
) -> None:
    """Two queries swapped, or one reading another table: the report changes, but the rounds
    read of a literal query only that it starts like SQL, and are not asked. A hole in its
    place is read by them: they are asked."""
    root = make_repo(REPO)
    lines = REPO["app/queries.py"].splitlines(keepends=True)
    swapped = "".join([lines[0], lines[2], lines[1]])  # the same lines, in another order
    report = _scanned_twice(root, tmp_path / "c", {"app/queries.py": swapped}, rounds)
    assert rounds.in_rescan == 0
    assert uses_of(report, "phantoms") == {("app/queries.py", 2, "read")}
    edit = {"app/queries.py": "\n" + REPO["app/queries.py"].replace("phantoms", "ghosts")}
    report = _scanned_twice(root, tmp_path / "c", edit, rounds)
    assert rounds.in_rescan == 0
    assert uses_of(report, "ghosts") == {("app/queries.py", 4, "read")}
    holed = REPO["app/queries.py"].replace('"SELECT id FROM phantoms"', 'f"SELECT {1} FROM t"')
    _scanned_twice(root, tmp_path / "c", {"app/queries.py": holed}, rounds)
    assert rounds.in_rescan == 1


def test_a_query_edited_where_the_rounds_do_not_read_keeps_their_selection(
    make_repo: MakeRepo, tmp_path: Path, rounds: RoundsAsked, runs: PipelineRuns
) -> None:
    """A query's text in a local (`sql = "..."; cur.execute(sql)`), or an SQL file, changes
    the report but not what the relevance rounds read (`analyzer.rounds_view`): the pipeline
    runs, with the last scan's selection (the model's user a round read stays read), and the
    rounds are not asked again."""
    purge = (
        "def purge(cur):\n"
        '    sql = "DELETE FROM audit_log WHERE id < 0"\n'
        "    cur.execute(sql)\n"
    )
    root = make_repo({**REPO, "app/purge.py": purge})
    edit = {"app/purge.py": purge.replace("audit_log", "audit_archive")}
    report = _scanned_twice(root, tmp_path / "c", edit, rounds)
    assert rounds.in_rescan == 0
    assert runs.count == 3  # the first scan, the rescan, the scan without the cache
    assert uses_of(report, "audit_archive") == {("app/purge.py", 2, "write")}
    assert uses_of(report, "tickets") == {("app/service.py", 5, "write")}  # read by a round
    schema = REPO["schema.sql"] + "CREATE TABLE audit_archive (id int);\n"
    report = _scanned_twice(root, tmp_path / "c", {"schema.sql": schema}, rounds)
    assert rounds.in_rescan == 0
    assert runs.count == 5  # (the first of these scans answered with the stored report)
    assert [(d.path, d.line) for d in report.table("audit_archive").definitions] == [
        ("schema.sql", 3)
    ]


def test_a_query_written_in_a_call_keeps_the_selection_unless_the_rounds_read_it(
    make_repo: MakeRepo, tmp_path: Path, rounds: RoundsAsked, runs: PipelineRuns
) -> None:
    """A query written in the call that runs it, which the function returns: its text is also
    in the call's arguments and source text and in the function's returns, where the rounds'
    evaluator could read it. Their helper search read no such literal in the last scan
    (`LastScan.rounds_texts`), so an edit of it keeps the selection and the rounds are not
    asked, edit after edit. A literal the helper search did read (the prefix a helper's
    template takes from a module constant) asks them again."""
    fetch = (
        "async def by_title(conn, title):\n"
        '    return await conn.fetch("SELECT id FROM accounts WHERE title = $1", title)\n'
    )
    store = (
        'PREFIX = "app_"\n\n\n'
        "def count(cur, table):\n"
        '    cur.execute(f"SELECT count(*) FROM {PREFIX}{table}")\n'
    )
    root = make_repo({**REPO, "app/fetch.py": fetch, "app/store.py": store})
    scan(root, cache=FactCache(tmp_path / "c"))
    last = FactCache(tmp_path / "c")
    use_cache_scope(last, root, load_config(root))
    stored = last.get(LAST_SCAN_KEY)
    assert isinstance(stored, LastScan)
    assert stored.rounds_texts == frozenset({"app_"})  # all that the helper search read
    edit = {"app/fetch.py": fetch.replace("accounts", "accounts_archive")}
    report = _scanned_twice(root, tmp_path / "c", edit, rounds)
    assert rounds.in_rescan == 0
    assert uses_of(report, "accounts_archive") == {("app/fetch.py", 2, "read")}
    assert uses_of(report, "tickets") == {("app/service.py", 5, "write")}  # read by a round
    edit = {"app/fetch.py": fetch.replace("accounts", "ledger")}
    (root / "app/fetch.py").write_text(edit["app/fetch.py"], encoding="utf-8")
    before = rounds.count
    report = scan(root, cache=FactCache(tmp_path / "c"))  # a second edit in a row
    assert rounds.count == before
    assert report.to_json() == scan(root).to_json()
    assert uses_of(report, "ledger") == {("app/fetch.py", 2, "read")}
    report = _scanned_twice(
        root, tmp_path / "c", {"app/store.py": store.replace('"app_"', '"web_"')}, rounds
    )
    assert rounds.in_rescan == 1
    # the first scan, then every rescan and scan without the cache (each edit changes the
    # report); the scans before an edit answered with the stored report
    assert runs.count == 7


def test_the_rounds_read_no_hole_of_a_message(make_repo: MakeRepo, tmp_path: Path) -> None:
    """A log message whose hole reads the function's parameter: no filling makes it SQL
    (`detect.candidate_may_be_sql`), so the helper search reads neither it nor the literals in
    its hole (`LastScan.rounds_texts` held `"_rows"` before), and the report is the one a scan
    without the cache gives."""
    store = (
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
        "def count(cur, table):\n"
        "    log.info(f\"counting {table.removesuffix('_rows')} now\")\n"
        '    cur.execute(f"SELECT count(*) FROM {table}")\n\n\n'
        "def audit(cur):\n    count(cur, 'audit_log')\n"
    )
    root = make_repo({**REPO, "app/store.py": store})
    report = scan(root, cache=FactCache(tmp_path / "c"))
    assert report.to_json() == scan(root).to_json()
    last = FactCache(tmp_path / "c")
    use_cache_scope(last, root, load_config(root))
    stored = last.get(LAST_SCAN_KEY)
    assert isinstance(stored, LastScan)
    assert stored.rounds_texts == frozenset()
    assert uses_of(report, "audit_log") == {
        ("app/queries.py", 2, "read"), ("app/store.py", 12, "read")
    }


def _extracted_q(source: str) -> Extracted:
    """`app/q.py`'s result at its first stage (its first look, and its reading if it asks
    for one), as a scan without the cache makes it."""
    job = Job(path="app/q.py", kind="python", module="app.q", revision_candidate=False,
              data=source.encode(), digest="", dialect="postgres",
              default_schema="public", prefilter=True)
    return extract_in_process(job)


def test_same_for_rounds_compares_only_the_literals_the_rounds_read() -> None:
    """`rounds_view.same_for_rounds`: two results differing in a literal of the facts'
    expressions are alike when the rounds read neither text, and so are the calls' source
    texts, unless two calls of the file share a line (then they are compared)."""
    from analyzer.rounds_view import same_for_rounds

    def fetch(table: str, twice: bool = False) -> Extracted:
        call = f'conn.fetch("SELECT id FROM {table} WHERE a = $1", a)'
        return _extracted_q(
            f"async def get(conn, a):\n    return await {call}"
            + (f"; {call}\n" if twice else "\n")
        )

    old, new = fetch("accounts"), fetch("ledger")
    assert old.python is not None and new.python is not None
    assert [call.snippet for call in old.python.calls] == [
        'conn.fetch("SELECT id FROM accounts WHERE a = $1", a)'
    ]
    text = "SELECT id FROM accounts WHERE a = $1"
    assert same_for_rounds(old, new, frozenset())
    assert same_for_rounds(old, new, frozenset({"unrelated"}))
    assert not same_for_rounds(old, new, None)  # not known what the rounds read
    assert not same_for_rounds(old, new, frozenset({text}))  # they read the old text
    assert not same_for_rounds(old, new, frozenset({text.replace("accounts", "ledger")}))
    old_twice, new_twice = fetch("accounts", twice=True), fetch("ledger", twice=True)
    assert old_twice.python is not None and len(old_twice.python.calls) == 2
    assert not same_for_rounds(old_twice, new_twice, frozenset())  # two calls on line 2


def test_the_evaluator_notes_the_literals_it_reads() -> None:
    """`Evaluator.texts`: a literal evaluated, or quoted in a message (an expression it cannot
    read), is noted; one it never reaches is not; nothing is noted unless asked."""
    from analyzer.facts import PythonFacts
    from analyzer.python import expr as ir
    from analyzer.resolve.evaluate import Evaluator, Frame
    from analyzer.resolve.index import ModuleIndex

    facts = PythonFacts("app/q.py", "app.q")
    evaluator = Evaluator(ModuleIndex([facts]))
    read = ir.BinOp("+", ir.Str("SELECT 1"), ir.Str(" FROM t"))
    evaluator.evaluate(read, Frame(facts))
    assert evaluator.texts is None
    evaluator.texts = set()
    assert [v.value for v in evaluator.evaluate(read, Frame(facts))] == [  # type: ignore[union-attr]
        "SELECT 1 FROM t"
    ]
    assert evaluator.texts == {"SELECT 1", " FROM t"}
    evaluator.texts = set()
    evaluator.evaluate(ir.Opaque("a[1:2]", "a slice"), Frame(facts))
    assert evaluator.texts == set()
    quoted = evaluator.render(ir.Call(ir.Global("f"), (ir.Str("x"),), ()))
    assert quoted == "f('x')" and evaluator.texts == {"x"}


def test_the_rounds_view_keeps_what_the_rounds_read(make_repo: MakeRepo) -> None:
    """Equal views: a literal query's text that still starts like SQL, sqlglot's answers, the
    first look's reasons while there are some, an SQL file's facts. Other views: a literal
    that no longer starts like SQL (the demand follows the loops around one that does), a
    hole's expression, the first look finding nothing."""
    import dataclasses

    from analyzer.lineshift import compare_lines
    from analyzer.rounds_view import rounds_view

    def same(a: Extracted, b: Extracted) -> bool:
        return compare_lines(rounds_view(a), rounds_view(b)) is not None

    base = _extracted_q(
        "def run(cur, rows):\n    for row in rows:\n"
        '        sql = "SELECT id FROM tickets WHERE owner = %s"\n'
        "        cur.execute(sql, (row,))\n"
    )
    assert base.python is not None and base.glance is not None and not base.skipped
    assert compare_lines(base, _extracted_q(
        "def run(cur, rows):\n    for row in rows:\n"
        '        sql = "SELECT id, title FROM tickets WHERE owner = %s"\n'
        "        cur.execute(sql, (row,))\n"
    )) is None  # the facts differ...
    assert same(base, _extracted_q(  # ...not as the rounds read them
        "def run(cur, rows):\n    for row in rows:\n"
        '        sql = "SELECT id, title FROM tickets WHERE owner = %s"\n'
        "        cur.execute(sql, (row,))\n"
    ))
    assert same(base, dataclasses.replace(
        base, glance=dataclasses.replace(base.glance, verdicts=(("x", True),),
                                         reasons=("line 9: SQL string",)),
        sql=object(),  # type: ignore[arg-type]
    ))
    assert not same(base, dataclasses.replace(
        base, glance=dataclasses.replace(base.glance, reasons=())
    ))
    at_sink = base.python.candidates[0]
    assert at_sink.sink is None and at_sink.loops  # a string in a loop, not at a sink
    assert not same(base, _extracted_q(  # "select" in lower case: no longer a statement's start
        "def run(cur, rows):\n    for row in rows:\n"
        '        sql = "Select id FROM tickets WHERE owner = %s"\n'
        "        cur.execute(sql, (row,))\n"
    ))
    assert not same(base, _extracted_q(  # a hole: the resolver reads what it holds
        "def run(cur, rows):\n    for row in rows:\n"
        '        sql = f"SELECT id FROM {row} WHERE owner = %s"\n'
        "        cur.execute(sql, (row,))\n"
    ))


def test_a_new_import_in_a_file_without_sql_runs_the_pipeline(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    root = make_repo(REPO)
    edit = {"app/text.py": "from app.models import Ticket\n\n\ndef new():\n    return Ticket()\n"}
    report = _scanned_twice(root, tmp_path / "c", edit)
    assert runs.count == 3
    assert uses_of(report, "tickets") == {
        ("app/service.py", 5, "write"), ("app/text.py", 5, "write")
    }


def test_a_suppression_comment_is_honoured_when_the_facts_are_unchanged(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    root = make_repo(REPO)
    before = scan(root, cache=FactCache(tmp_path / "c"))
    phantoms = [f for f in before.findings if f.table == "public.phantoms"]
    assert [(f.name, f.path, f.line) for f in phantoms] == [
        ("undefined-table", "app/queries.py", 3)
    ]
    (root / "app/queries.py").write_text(
        REPO["app/queries.py"].replace(
            'phantoms")\n', 'phantoms")  # tabletrace: ignore[undefined-table]\n'
        ),
        encoding="utf-8",
    )
    report = scan(root, cache=FactCache(tmp_path / "c"))
    assert runs.count == 1  # the first scan only
    assert [f for f in report.findings if f.table == "public.phantoms"] == []
    assert report.stats.suppressed == {"comment": 1}
    assert report.to_json() == scan(root).to_json()


def test_a_suppression_comment_follows_the_lines_it_moved_with(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    """The policy runs again on the moved report before the policy, with the new bytes: the
    comment now suppresses the finding at its new line, and lifting it brings the finding
    back at that line."""
    ignored = REPO["app/queries.py"].replace(
        'phantoms")\n', 'phantoms")  # tabletrace: ignore[undefined-table]\n'
    )
    root = make_repo({**REPO, "app/queries.py": ignored})
    scan(root, cache=FactCache(tmp_path / "c"))
    (root / "app/queries.py").write_text("# Reports.\n" + ignored, encoding="utf-8")
    report = scan(root, cache=FactCache(tmp_path / "c"))
    assert runs.count == 1  # the first scan only
    assert report.stats.suppressed == {"comment": 1}
    assert report.to_json() == scan(root).to_json()
    (root / "app/queries.py").write_text("# Reports.\n" + REPO["app/queries.py"])
    report = scan(root, cache=FactCache(tmp_path / "c"))
    assert runs.count == 2  # and the scan without the cache just above
    assert [(f.name, f.path, f.line) for f in report.findings if f.table == "public.phantoms"
            ] == [("undefined-table", "app/queries.py", 4)]
    assert report.to_json() == scan(root).to_json()


def test_other_settings_or_a_new_file_run_the_pipeline(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    root = make_repo(REPO)
    scan(root, cache=FactCache(tmp_path / "c"))
    (root / "app/queries.py").write_text(REPO["app/queries.py"] + "# reviewed\n")
    ignoring = {"ignore_tables": ["phantoms"]}
    report = scan(root, ignoring, cache=FactCache(tmp_path / "c"))
    assert runs.count == 2
    assert report.to_json() == scan(root, ignoring).to_json()
    (root / "app/extra.py").write_text("def nothing():\n    return None\n")
    scan(root, ignoring, cache=FactCache(tmp_path / "c"))
    assert runs.count == 4


def test_without_a_previous_scan_the_pipeline_runs(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    root = make_repo(REPO)
    report = scan(root, cache=FactCache(tmp_path / "c"))
    assert runs.count == 1
    assert report.to_json() == scan(root).to_json()
    assert runs.count == 2


def _rescanned_fresh(root: Path, cache_dir: Path, watched: tuple[str, ...]) -> tuple[str, str]:
    """A cached scan in a fresh interpreter, to see what it loads: the answer's type and the
    `watched` modules it imported (`"StoredReport ['libcst']"`), and its report, which must
    be what a scan without the cache says."""
    import subprocess
    import sys

    program = (
        "import sys, pathlib\n"
        "from analyzer.cache import FactCache\n"
        "from analyzer.scan import scan_or_stored\n"
        "result = scan_or_stored(sys.argv[1], cache=FactCache(pathlib.Path(sys.argv[2])))\n"
        "watched = sys.argv[3].split(',')\n"
        "print(type(result).__name__, sorted(m for m in watched if m in sys.modules))\n"
        "sys.stdout.flush()\n"
        "sys.stdout.buffer.write(result.text if hasattr(result, 'text') else\n"
        "                        result.to_json().encode())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(root), str(cache_dir), ",".join(watched)],
        capture_output=True, text=True, check=True,
    )
    loaded, report = done.stdout.split("\n", 1)
    assert report == scan(root).to_json()  # what a scan without the cache says
    return loaded, report


def test_an_edit_without_sql_imports_neither_the_pipeline_nor_the_parsers(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """The cutoff's point is what it does not load: run in a fresh interpreter to see it.
    Nor does it load the policy and the report model (pydantic) when no changed file holds
    or held a suppression comment: the policy's result stands, as stored."""
    root = make_repo(REPO)
    watched = ("analyzer.pipeline", "libcst", "sqlglot", "networkx", "pglast",
               "analyzer.policy", "analyzer.models", "pydantic")

    def run() -> tuple[str, str]:
        return _rescanned_fresh(root, tmp_path / "c", watched)

    everything = (
        "['analyzer.models', 'analyzer.pipeline', 'analyzer.policy', 'libcst', 'networkx', "
        "'pglast', 'pydantic', 'sqlglot']"
    )
    assert run()[0] == f"Report {everything}"
    (root / "app/text.py").write_text("def shout(word):\n    return word.upper() + '?'\n")
    assert run()[0] == "StoredReport []"
    (root / "app/queries.py").write_text(REPO["app/queries.py"] + "# reviewed\n")
    # a file with SQL, a comment between its statements: its outline says its facts are the
    # last ones (`analyzer.outline`), so it is not parsed again
    assert run()[0] == "StoredReport []"
    (root / "app/queries.py").write_text(
        REPO["app/queries.py"].replace("recent(cur):", "recent(cur):  # newest first")
    )
    assert run()[0] == "StoredReport ['libcst']"  # in a statement: parsed again to be compared
    suppressed = REPO["app/queries.py"].replace(
        'phantoms")\n', 'phantoms")  # tabletrace: ignore[undefined-table]\n'
    )
    (root / "app/queries.py").write_text(suppressed)
    loaded, report = run()  # a suppression comment now: the policy runs again
    assert loaded == "StoredReport ['analyzer.models', 'analyzer.policy', 'libcst', 'pydantic']"
    assert '"suppressed": {\n      "comment": 1\n    }' in report
    (root / "app/queries.py").write_text(suppressed + "# reviewed again\n")
    loaded, report = run()  # held one in the last scan and holds it still: the policy runs
    assert loaded == "StoredReport ['analyzer.models', 'analyzer.policy', 'pydantic']"
    (root / "app/queries.py").write_text(REPO["app/queries.py"])
    loaded, report = run()  # held one in the last scan: the policy runs, the finding is back
    assert loaded == "StoredReport ['analyzer.models', 'analyzer.policy', 'libcst', 'pydantic']"
    assert '"suppressed": {}' in report and "public.phantoms" in report


def test_a_comment_in_a_file_with_a_sql_constant_does_not_import_sqlglot(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """Away from a sink, the first look asks sqlglot whether a string is SQL; the cutoff's
    look at the changed file is told what the last look was (`Glance.verdicts`), so it does
    not import sqlglot to ask again. Fresh interpreters, to see what loads."""
    import subprocess
    import sys

    reports = (
        'RECENT = "SELECT id FROM audit_log ORDER BY id DESC"\n\n\n'
        "def recent(cur):\n    cur.execute(RECENT)\n"
    )
    root = make_repo({**REPO, "app/reports.py": reports})
    program = (
        "import sys, pathlib\n"
        "from analyzer.cache import FactCache\n"
        "from analyzer.scan import scan\n"
        "report = scan(sys.argv[1], cache=FactCache(pathlib.Path(sys.argv[2])))\n"
        "loaded = ('analyzer.pipeline', 'libcst', 'sqlglot')\n"
        "print(sorted(m for m in loaded if m in sys.modules))\n"
        "print(report.to_json())\n"
    )

    def run() -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", program, str(root), str(tmp_path / "c")],
            capture_output=True, text=True, check=True,
        )
        loaded, report = done.stdout.split("\n", 1)
        return loaded, report

    assert run()[0] == "['analyzer.pipeline', 'libcst', 'sqlglot']"
    (root / "app/reports.py").write_text(
        reports.replace("recent(cur):", "recent(cur):  # reviewed")
    )
    loaded, report = run()
    assert loaded == "['libcst']"  # parsed again to be compared; sqlglot not asked
    assert report == scan(root).to_json() + "\n"
    assert uses_of(Report.model_validate_json(report), "audit_log") == {
        ("app/queries.py", 2, "read"),
        ("app/reports.py", 1, "read"),  # the SQL text
        ("app/reports.py", 5, "read"),  # where it runs
    }


def test_without_the_prefilter_every_file_has_one_stage_and_the_cutoff_holds(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    root = make_repo(REPO)
    scan(root, cache=FactCache(tmp_path / "c"), prefilter=False)
    (root / "app/service.py").write_text(REPO["app/service.py"] + "# a note\n")
    report = scan(root, cache=FactCache(tmp_path / "c"), prefilter=False)
    assert runs.count == 1
    assert report.to_json() == scan(root, prefilter=False).to_json() == scan(root).to_json()
    # a scan with the pre-filter does not take the other scan's results for its own
    (root / "app/service.py").write_text(REPO["app/service.py"] + "# another note\n")
    scan(root, cache=FactCache(tmp_path / "c"))
    assert runs.count == 4


def test_without_the_report_beside_the_pack_the_pipeline_runs(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    """The last scan keeps only what the policy changed; the rest of its report is the one
    stored beside the pack, and when that is gone (or another scan's) nothing is reused."""
    root = make_repo(REPO)
    scan(root, cache=FactCache(tmp_path / "c"))
    for stored in (tmp_path / "c" / "packs").glob("*.report"):
        stored.unlink()
    (root / "app/queries.py").write_text(REPO["app/queries.py"] + "# reviewed\n")
    report = scan(root, cache=FactCache(tmp_path / "c"))
    assert runs.count == 2
    assert report.to_json() == scan(root).to_json()


def test_a_revisions_text_outside_its_compared_fields_is_compared_too(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    """A documentation-only revision names the tables it mentions in the order of their
    first mention anywhere in its file (`AlembicRevision.text`), a comment above its
    docstring included. That text was left out of the results' equality, so editing the
    comment in place (no line moves, every other field equal) reused the last report, whose
    message still named the tables in the old order."""
    create = (
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\n'
        "down_revision = None\n\n\ndef upgrade():\n"
        '    op.create_table("widgets", sa.Column("id", sa.Integer))\n'
        '    op.create_table("gadgets", sa.Column("id", sa.Integer))\n'
    )
    note = (
        "# notes: widgets\n"
        '"""Document gadgets and widgets"""\n'
        'revision = "b2"\ndown_revision = "a1"\n\n\ndef upgrade():\n    pass\n'
    )
    root = make_repo({
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/env.py": "from alembic import context\n",
        "migrations/versions/a1_create.py": create,
        "migrations/versions/b2_note.py": note,
        "app/q.py": 'def f(cur):\n    cur.execute("SELECT * FROM widgets JOIN gadgets ON true")\n',
    })

    def documented(report: Report) -> list[tuple[str, int | None, str]]:
        return [(f.path, f.line, f.message.split("; ")[1].split(":")[0])
                for f in report.findings if f.name == "documentation-only-migration"]

    first = scan(root, cache=FactCache(tmp_path / "c"))
    assert documented(first) == [
        ("migrations/versions/b2_note.py", 7, "it only documents public.widgets, public.gadgets")
    ]
    (root / "migrations/versions/b2_note.py").write_text(note.replace("widgets\n", "none\n", 1))
    report = scan(root, cache=FactCache(tmp_path / "c"))
    assert documented(report) == [
        ("migrations/versions/b2_note.py", 7, "it only documents public.gadgets, public.widgets")
    ]
    assert report.to_json() == scan(root).to_json()
    assert runs.count == 3  # the changed text ran the pipeline


def test_the_cutoff_check_script_compares_cached_and_fresh_reports_on_a_copy() -> None:
    """`benchmarks/cutoff_check.py` runs the cutoff's claims on any repository (here the
    sample): six edits of one file, each report from the cache equal to one without it, and
    the files its rounds chose those a cold scan chooses; the repository itself never edited
    (it works on a copy)."""
    import subprocess
    import sys

    sample = Path(__file__).parents[1] / "sample_repo"
    before = {p: p.read_bytes() for p in sample.rglob("*.py")}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).parents[1] / "benchmarks" / "cutoff_check.py"),
         str(sample), "--files", "1", "--jobs", "1", "--seed", "3"],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:6]] == [
        ["same", "append"], ["same", "top"], ["same", "mention"], ["same", "middle"],
        ["same", "remove"], ["same", "query"],
    ]
    assert lines[1].split()[2] == "moved"  # every line moved: the last report, moved
    assert lines[5].split()[2] == "pipeline"  # a table renamed: the report changes
    assert all(line.endswith(" selection same") for line in lines[:6])
    assert lines[-1].startswith(f"{sample}: 6 edits (")
    assert lines[-1].endswith("), 0 different report(s) or selection(s)")
    # compared with the whole pipeline run from a second cache's facts: the same answers
    faster = subprocess.run(
        [sys.executable, str(Path(__file__).parents[1] / "benchmarks" / "cutoff_check.py"),
         str(sample), "--files", "1", "--jobs", "1", "--seed", "3", "--fresh-from-facts"],
        capture_output=True, text=True, check=False,
    )
    assert faster.returncode == 0, faster.stdout + faster.stderr
    # (its second cache's rounds may take over a selection too: only the reports compared)
    assert faster.stdout.splitlines() == [line.removesuffix(" selection same") for line in lines]
    assert {p: p.read_bytes() for p in sample.rglob("*.py")} == before


REVISIONS = {
    "alembic.ini": "[alembic]\nscript_location = migrations\n",
    "migrations/env.py": "from alembic import context\n",
    "migrations/versions/a1_create.py": (
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\n'
        "down_revision = None\n\n\ndef upgrade():\n"
        '    op.create_table("widgets", sa.Column("id", sa.Integer))\n'
    ),
    "migrations/versions/b2_note.py": (
        '"""Document widgets"""\nrevision = "b2"\ndown_revision = "a1"\n\n\n'
        "def upgrade():\n    pass\n"
    ),
    "app/q.py": 'def f(cur):\n    cur.execute("SELECT * FROM widgets")\n',
}


def _widget_definitions(report: Report) -> list[tuple[str, int, str]]:
    widgets = next(t for t in report.tables if t.name == "widgets")
    return [(d.path, d.line, d.operation) for d in widgets.definitions]


def test_a_comment_in_a_schema_revision_reuses_or_moves_the_last_report(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    """A revision's facts keep its whole text, for the one finding that reads it (where a
    documentation-only revision first names each table); for any other revision a comment
    changes nothing the report reads."""
    root = make_repo(REVISIONS)
    create = REVISIONS["migrations/versions/a1_create.py"]
    commented = create.replace("def upgrade():\n", "def upgrade():\n    # the first table\n")
    report = _scanned_twice(
        root, tmp_path / "c", {"migrations/versions/a1_create.py": create + "# reviewed\n"}
    )
    assert runs.count == 2  # the first scan, and the scan without the cache
    assert _widget_definitions(report) == [
        ("migrations/versions/a1_create.py", 9, "create"),
        ("migrations/versions/b2_note.py", 1, "document"),
    ]
    (root / "migrations/versions/a1_create.py").write_text(create)
    report = _scanned_twice(root, tmp_path / "c", {"migrations/versions/a1_create.py": commented})
    # (the restored file's scan is answered by the first scan's stored report)
    assert runs.count == 3  # the first scan, and the two without the cache
    assert _widget_definitions(report) == [
        ("migrations/versions/a1_create.py", 10, "create"),
        ("migrations/versions/b2_note.py", 1, "document"),
    ]


def test_a_comment_in_a_documentation_only_revision_runs_the_pipeline(
    make_repo: MakeRepo, tmp_path: Path, runs: PipelineRuns
) -> None:
    root = make_repo(REVISIONS)
    note = REVISIONS["migrations/versions/b2_note.py"]
    report = _scanned_twice(
        root, tmp_path / "c", {"migrations/versions/b2_note.py": "# widgets\n" + note}
    )
    assert runs.count == 3
    # its first mention of the table is now the comment above the docstring
    assert _widget_definitions(report)[1] == ("migrations/versions/b2_note.py", 1, "document")


def test_comments_between_statements_move_the_report_without_parsing_again(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """A file read in full whose outline shows only comments and blank lines changed between
    its statements (`analyzer.outline`) gives the last facts, their lines moved, without
    LibCST: one read in the first round (its outline kept with its facts), and one a later
    round read in full (its outline kept with its first look, whose job parsed it with
    `ast`: two stages). Fresh interpreters, to see what loads."""
    root = make_repo(REPO)

    def run() -> tuple[str, Report]:
        loaded, report = _rescanned_fresh(root, tmp_path / "c", ("analyzer.pipeline", "libcst"))
        return loaded, Report.model_validate_json(report)

    assert run()[0] == "Report ['analyzer.pipeline', 'libcst']"
    (root / "app/queries.py").write_text("# Reports.\n\n" + REPO["app/queries.py"])
    loaded, report = run()
    assert loaded == "StoredReport []"
    assert uses_of(report, "audit_log") == {("app/queries.py", 4, "read")}  # was line 2
    (root / "app/service.py").write_text("# Tickets.\n" + REPO["app/service.py"])
    loaded, report = run()
    assert loaded == "StoredReport []"
    assert uses_of(report, "tickets") == {("app/service.py", 6, "write")}
    (root / "app/service.py").write_text(  # inside the function: read again to compare
        REPO["app/service.py"].replace("(session):", "(session):  # one per request")
    )
    loaded, report = run()
    assert loaded == "StoredReport ['libcst']"
    assert uses_of(report, "tickets") == {("app/service.py", 5, "write")}


def test_a_failing_outline_move_falls_back_to_reading_the_file(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moving the last facts by the outline is a shortcut: should it fail, the file is read
    again as before, and the scan says what a scan without the cache says."""
    import analyzer.cutoff

    def broken(*_: object) -> None:
        raise TypeError("a shape the walk cannot copy")

    monkeypatch.setattr(analyzer.cutoff, "move_lines", broken)
    root = make_repo(REPO)
    scan(root, cache=FactCache(tmp_path / "c"))
    (root / "app/queries.py").write_text("# Reports.\n\n" + REPO["app/queries.py"])
    report = scan(root, cache=FactCache(tmp_path / "c"))
    assert report.to_json() == scan(root).to_json()
    assert uses_of(report, "audit_log") == {("app/queries.py", 4, "read")}
