"""The garbage-collector discipline of per-file extraction (`analyzer.engine.run_job`).

The collector is paused while a file is extracted; that is only sound if nothing of the file's
LibCST tree outlives its extraction through a reference cycle (only the collector would free
it) or a lingering reference (a cache, a global, a fact holding a node). These tests run every
kind of file with the collector off and count the LibCST nodes alive afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import libcst as cst
import pytest

from analyzer import engine
from analyzer.engine import Job, run_job
from tests.conftest import SAMPLE

FILES = [
    "app/db/queries.py",  # SQL strings and constants
    "app/db/tables.py",
    "app/models/character.py",  # SQLAlchemy models
    "app/characters/repository.py",  # raw SQL at sinks
    "alembic/env.py",
    "alembic/versions/20251011_0900_a1b2c3d4e5f6_baseline.py",  # an Alembic revision
    "alembic/versions/20251021_1000_2a3b4c5d6e7f_rework_snapshots_identity_facts.py",
    "app/legacy/py2_helper.py",  # a syntax error
]


def job_for(relative: str, **changes: object) -> Job:
    fields: dict[str, object] = {
        "path": relative,
        "kind": "python",
        "module": relative.removesuffix(".py").replace("/", "."),
        "revision_candidate": "/versions/" in relative,
        "data": (SAMPLE / relative).read_bytes(),
        "dialect": "postgres",
        "default_schema": "public",
        "prefilter": False,
        "time_budget": None,
    }
    fields.update(changes)
    return Job(**fields)  # type: ignore[arg-type]


def live_nodes() -> set[int]:
    return {id(o) for o in gc.get_objects() if isinstance(o, cst.CSTNode)}


@pytest.fixture
def collector_off() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.usefixtures("collector_off")
def test_no_node_of_a_tree_outlives_its_file() -> None:
    run_job(job_for(FILES[0]))  # imports LibCST and the readers (module-level nodes)
    before = live_nodes()
    for relative in FILES:
        extracted = run_job(job_for(relative))
        assert extracted.python is not None
        assert live_nodes() - before == set(), relative
    # The files did produce facts (a tree was built and read, and then freed).
    sql = run_job(job_for("app/db/queries.py")).python
    assert sql is not None and sql.candidates
    revision = run_job(job_for(FILES[5])).revision
    assert revision is not None and revision.revision == "a1b2c3d4e5f6"
    broken = run_job(job_for("app/legacy/py2_helper.py")).python
    assert broken is not None and [p.code for p in broken.problems] == ["python-syntax-error"]


@pytest.mark.usefixtures("collector_off")
def test_a_timed_out_file_leaves_no_tree_behind() -> None:
    run_job(job_for(FILES[0]))
    before = live_nodes()
    big = b"".join(b"X_%d = 'SELECT %d FROM t'\n" % (i, i) for i in range(20000))
    extracted = run_job(job_for("app/db/queries.py", data=big, time_budget=0.01))
    assert extracted.python is not None
    assert [p.code for p in extracted.python.problems] == ["file-timeout"]
    assert live_nodes() - before == set()


def test_no_collection_runs_during_a_file_and_the_collector_comes_back() -> None:
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    assert gc.isenabled()
    run_job(job_for(FILES[0]))
    gc.callbacks.append(count)
    try:
        run_job(job_for("app/models/character.py"))
    finally:
        gc.callbacks.remove(count)
    # At most the one young collection that may run as the collector comes back on (the
    # file's facts are new objects); never one per few hundred nodes of the tree.
    assert collections in ([], [0])
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled(collector_off: None) -> None:
    run_job(job_for(FILES[0]))
    assert not gc.isenabled()


def test_the_pause_can_be_switched_off_for_measurements(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "GC_PAUSE", False)
    with engine.collector_paused():
        assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), engine.collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_workers_collect_whatever_their_parent_chose() -> None:
    """The command line turns the collector off for its own process (`cli.main`); a worker it
    forks reads file after file and must have it on between files."""
    import gc
    from concurrent.futures import ProcessPoolExecutor

    from analyzer.engine import _start_worker

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with ProcessPoolExecutor(max_workers=1, initializer=_start_worker) as pool:
            assert pool.submit(gc.isenabled).result() is True
        with ProcessPoolExecutor(max_workers=1) as pool:  # what the initializer changes
            assert pool.submit(gc.isenabled).result() is False
    finally:
        if was_enabled:
            gc.enable()
