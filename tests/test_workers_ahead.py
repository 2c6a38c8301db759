"""Worker processes started before discovery for a scan that will read every file
(`analyzer.scan._workers_ahead`, `analyzer.engine.start_workers`)."""

from __future__ import annotations

import importlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from analyzer import engine
from analyzer.cache import FactCache
from analyzer.scan import ScanError, scan
from tests.conftest import MakeRepo

scan_module = importlib.import_module("analyzer.scan")  # `analyzer.scan` is also the function

REPO = {
    "app/__init__.py": "",
    "app/queries.py": 'ACCOUNTS = "SELECT id FROM accounts"\n\n\ndef load(cur):\n'
                      "    cur.execute(ACCOUNTS)\n",
    "app/audit.py": "def log(cur):\n"
                    "    cur.execute(\"INSERT INTO audit_log (what) VALUES ('x')\")\n",
    "app/text.py": "def shout(word):\n    return word.upper()\n",
    "schema.sql": "CREATE TABLE accounts (id int);\nCREATE TABLE audit_log (what text);\n",
}


@pytest.fixture()
def events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What happened, in order: workers started ahead, discovery, and workers shut down."""
    happened: list[str] = []
    real_start, real_discover = engine.start_workers, scan_module.discover

    def start(jobs: int) -> ProcessPoolExecutor:
        happened.append(f"workers x{jobs}")
        pool = real_start(jobs)
        real_shutdown = pool.shutdown

        def shutdown(*args: object, **kwargs: object) -> None:
            if "shut down" not in happened:
                happened.append("shut down")
            real_shutdown(*args, **kwargs)  # type: ignore[arg-type]

        pool.shutdown = shutdown  # type: ignore[method-assign]
        return pool

    def discover(*args: object, **kwargs: object) -> object:
        happened.append("discover")
        return real_discover(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "start_workers", start)
    monkeypatch.setattr(scan_module, "discover", discover)
    return happened


def test_a_scan_without_cache_starts_its_workers_before_discovery(
    make_repo: MakeRepo, events: list[str]
) -> None:
    root = make_repo(REPO)

    report = scan(root, jobs=2)

    assert events == ["workers x2", "discover", "shut down"]
    assert report.to_json() == scan(root, jobs=1).to_json()
    assert {t.name for t in report.tables} == {"accounts", "audit_log"}


def test_a_first_scan_into_an_empty_cache_starts_them_too(
    make_repo: MakeRepo, events: list[str], tmp_path: Path
) -> None:
    root = make_repo(REPO)

    scan(root, jobs=2, cache=FactCache(tmp_path / "cache"))

    assert events == ["workers x2", "discover", "shut down"]


def test_a_scan_the_cache_may_answer_does_not(
    make_repo: MakeRepo, events: list[str], tmp_path: Path
) -> None:
    root = make_repo(REPO)
    first = scan(root, jobs=2, cache=FactCache(tmp_path / "cache"))
    events.clear()

    again = scan(root, jobs=2, cache=FactCache(tmp_path / "cache"))

    assert events == ["discover"]
    assert again.to_json() == first.to_json()


def test_one_job_never_forks(make_repo: MakeRepo, events: list[str]) -> None:
    scan(make_repo(REPO), jobs=1)

    assert events == ["discover"]


def test_workers_are_shut_down_when_the_scan_fails(
    make_repo: MakeRepo, events: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(*args: object, **kwargs: object) -> object:
        events.append("discover")
        raise ScanError("the tree went away")

    monkeypatch.setattr(scan_module, "discover", unreadable)

    with pytest.raises(ScanError):
        scan(make_repo(REPO), jobs=2)

    assert events == ["workers x2", "discover", "shut down"]
