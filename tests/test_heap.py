"""Worker processes give a large file's freed heap pages back (`analyzer.heap`)."""

from __future__ import annotations

import pickle

import pytest

from analyzer import engine, heap
from tests.test_gc_discipline import job_for

MB = 1024 * 1024

glibc = pytest.mark.skipif(
    heap.resident_bytes() is None or heap._trim is None,
    reason="needs /proc and glibc's malloc_trim",
)


def _holes(count: int = 4_000) -> list[bytes]:
    """Fills the C heap with 16 KB blocks, each followed by a small one that stays; frees the
    large ones. What is left is what a freed LibCST tree leaves: whole pages of holes that
    glibc keeps."""
    kept, freed = [], []
    for _ in range(count):
        freed.append(bytes(16_000))
        kept.append(bytes(600))
    del freed
    return kept


@glibc
def test_holes_left_by_freed_blocks_go_back_to_the_system(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    kept = _holes()
    before = heap.resident_bytes()
    assert before is not None
    # as if it had grown since the last release (in a long-lived process the blocks may reuse
    # free heap the process already had, so it need not grow)
    monkeypatch.setattr(heap, "_after_release", before - heap.TRIM_GROWTH)

    assert heap.release_if_grown() is True

    after = heap.resident_bytes()
    assert after is not None
    assert before - after > 40 * MB  # of the 64 MB freed
    assert abs(heap._after_release - after) < MB  # the next release counts from here
    assert len(kept) == 4_000


@glibc
def test_small_growth_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_after_release", heap.resident_bytes())
    calls: list[int] = []
    monkeypatch.setattr(heap, "_trim", lambda pad: calls.append(pad) or 1)
    kept = [bytes(1000) for _ in range(1000)]  # 1 MB, under TRIM_GROWTH

    assert heap.release_if_grown() is False
    assert calls == []
    assert len(kept) == 1000


def test_nothing_happens_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_trim", None)
    monkeypatch.setattr(heap, "_after_release", 0)  # as if everything had grown since

    assert heap.release_if_grown() is False


def test_a_worker_releases_after_each_file(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(heap, "release_if_grown", lambda: calls.append("release") or False)
    job = job_for("app/db/queries.py")

    pickled, ahead = engine.run_job_pickled(job)

    assert calls == ["release"]
    assert pickle.loads(pickled) == engine.run_job(job)
    assert ahead is not None  # the file's literal SQL, analysed before the pages go back


@glibc
def test_release_gives_holes_back_at_once_and_counts_from_there() -> None:
    kept = _holes()
    before = heap.resident_bytes()
    assert before is not None

    assert heap.release() is True

    after = heap.resident_bytes()
    assert after is not None
    assert before - after > 40 * MB
    assert abs(heap._after_release - after) < MB
    assert len(kept) == 4_000


def test_release_does_nothing_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_trim", None)
    assert heap.release() is False
