"""The packed fact store (`analyzer.cache`): one read per scope, atomic writes, healing,
concurrent writers, bounded growth. Whole-scan guarantees (byte-identical reports cold and
warm, shared caches, healing through a scan) are in `tests/test_engine.py`."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

from analyzer import cache as cache_module
from analyzer.cache import (
    HEADER,
    KEEP_GENERATIONS,
    MAGIC,
    CorruptPack,
    Entry,
    FactCache,
    read_pack,
    write_pack,
)


def filled(directory: Path, values: dict[str, object], scope: str = "repo") -> FactCache:
    cache = FactCache(directory)
    cache.use_scope(scope)
    for key, value in values.items():
        cache.put(key, value)
    cache.flush()
    return cache


def test_values_survive_a_flush_and_come_back_in_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = {f"k{i}": {"facts": i, "text": "x" * i} for i in range(200)}
    filled(tmp_path, values)
    assert [p.name.endswith(".pack") for p in (tmp_path / "packs").iterdir()] == [True]
    reads: list[Path] = []
    original = Path.open

    def counting_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        reads.append(self)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", counting_open)
    warm = FactCache(tmp_path)
    warm.use_scope("repo")
    assert {key: warm.get(key) for key in values} == values
    assert len(reads) == 1
    assert (warm.hits, warm.misses, warm.repaired) == (200, 0, 0)


def test_a_warm_run_that_adds_nothing_writes_nothing(tmp_path: Path) -> None:
    filled(tmp_path, {"a": 1})
    pack = next((tmp_path / "packs").iterdir())
    before = pack.stat().st_mtime_ns, pack.stat().st_ino
    warm = FactCache(tmp_path)
    warm.use_scope("repo")
    assert warm.get("a") == 1 and warm.get("missing") is None
    warm.flush()
    assert (pack.stat().st_mtime_ns, pack.stat().st_ino) == before


def test_scopes_are_separate_packs(tmp_path: Path) -> None:
    cache = FactCache(tmp_path)
    cache.use_scope("/repo/a", "postgres", "public")
    cache.put("k", "from a")
    cache.use_scope("/repo/b", "postgres", "public")  # flushes a's pack first
    assert cache.get("k") is None
    cache.put("k", "from b")
    cache.flush()
    assert len(list((tmp_path / "packs").iterdir())) == 2
    again = FactCache(tmp_path)
    again.use_scope("/repo/a", "postgres", "public")
    assert again.get("k") == "from a"


def test_two_writers_keep_each_others_entries(tmp_path: Path) -> None:
    filled(tmp_path, {"shared": 0})
    first, second = FactCache(tmp_path), FactCache(tmp_path)
    for cache in (first, second):
        cache.use_scope("repo")
        assert cache.get("shared") == 0  # both have read the pack
    first.put("one", 1)
    second.put("two", 2)
    first.flush()
    second.flush()  # the pack changed since `second` read it: merged, not overwritten
    reader = FactCache(tmp_path)
    reader.use_scope("repo")
    assert (reader.get("shared"), reader.get("one"), reader.get("two")) == (0, 1, 2)


def test_entries_nobody_uses_expire(tmp_path: Path) -> None:
    filled(tmp_path, {"old": "report of an old tree", "kept": "used every time"})
    for round_number in range(KEEP_GENERATIONS + 1):
        cache = FactCache(tmp_path)
        cache.use_scope("repo")
        assert cache.get("kept") == "used every time"
        cache.put(f"new{round_number}", round_number)
        cache.flush()
    cache = FactCache(tmp_path)
    cache.use_scope("repo")
    assert cache.get("old") is None
    assert cache.get("kept") == "used every time"
    assert cache.get("new0") is None  # unused for KEEP_GENERATIONS writes
    assert cache.get("new1") == 1  # unused for fewer: still there
    assert cache.get(f"new{KEEP_GENERATIONS}") == KEEP_GENERATIONS


def test_a_failed_write_leaves_the_old_pack_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled(tmp_path, {"a": 1})
    pack = next((tmp_path / "packs").iterdir())
    old = pack.read_bytes()

    def refuse(*args: object) -> None:
        raise OSError("disk full")

    cache = FactCache(tmp_path)
    cache.use_scope("repo")
    cache.put("b", 2)
    monkeypatch.setattr(cache_module.os, "replace", refuse)
    cache.flush()  # no exception: a cache that cannot be written only costs speed
    assert pack.read_bytes() == old
    assert sorted(p.name for p in pack.parent.iterdir()) == [pack.name]


def test_an_unwritable_cache_directory_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    cache = filled(blocker, {"a": 1})
    assert cache.get("a") == 1  # still served from memory during this scan


def test_unpicklable_values_are_only_not_cached(tmp_path: Path) -> None:
    cache = filled(tmp_path, {"fine": 1, "lambda": lambda: 0})
    again = FactCache(tmp_path)
    again.use_scope("repo")
    assert again.get("fine") == 1 and again.get("lambda") is None
    assert cache.repaired == 0


def test_format_header_and_round_trip() -> None:
    entries = {"b": Entry(b"\x80\x05K\x02.", 3), "a": Entry(b"\x80\x05K\x01.", 2)}
    data = write_pack(7, entries)
    magic, generation, crc, index_length = HEADER.unpack_from(data)
    assert (magic, generation) == (MAGIC, 7)
    assert crc == zlib.crc32(data[HEADER.size:])
    assert data.endswith(b"\x80\x05K\x01.\x80\x05K\x02.")  # values in key order
    assert len(data) == HEADER.size + index_length + 10
    again_generation, again = read_pack(data)
    assert again_generation == 7
    assert {k: (bytes(e.data), e.generation) for k, e in again.items()} == {
        "a": (b"\x80\x05K\x01.", 2), "b": (b"\x80\x05K\x02.", 3)
    }
    assert write_pack(7, entries) == data  # same entries, same bytes


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:10],
        lambda data: data[:-3],
        lambda data: b"NOTAPACK" + data[8:],
        lambda data: data[:30] + bytes([data[30] ^ 0xFF]) + data[31:],
        lambda data: struct.pack("<8sIIQ", MAGIC, 1, zlib.crc32(b"junk"), 99) + b"junk",
    ],
    ids=["header-cut", "truncated", "magic", "flipped-byte", "index-longer-than-file"],
)
def test_damage_is_detected(damage) -> None:  # type: ignore[no-untyped-def]
    data = write_pack(1, {"a": Entry(b"\x80\x05K\x01.", 1)})
    with pytest.raises(CorruptPack):
        read_pack(damage(data))


def test_a_damaged_pack_file_heals(tmp_path: Path) -> None:
    filled(tmp_path, {"a": 1})
    pack = next((tmp_path / "packs").iterdir())
    pack.write_bytes(pack.read_bytes()[:-1])
    cache = FactCache(tmp_path)
    cache.use_scope("repo")
    assert cache.get("a") is None and cache.repaired == 1
    cache.flush()  # rewritten whole, even with nothing new in it
    assert read_pack(pack.read_bytes())[1] == {}
    assert not any(name.startswith(".tmp-") for name in os.listdir(pack.parent))


def test_added_values_wait_for_the_flush_on_disk_not_in_memory(tmp_path: Path) -> None:
    old = {f"old{i}": i for i in range(5)}
    filled(tmp_path, old)
    cache = FactCache(tmp_path)
    cache.use_scope("repo")
    assert cache.get("old1") == 1
    new = {f"new{i}": {"facts": i, "text": "y" * (i * 97)} for i in range(40)}
    for key, value in new.items():
        cache.put(key, value)
    waiting = cache._entries  # what the process holds until the flush
    assert {type(waiting[key].data) for key in new} == {cache_module.Spooled}
    assert all(isinstance(waiting[key].data, memoryview) for key in old)  # the pack read
    assert {key: cache.get(key) for key in new} == new  # served back from the spool

    cache.flush()
    assert cache._spool is None  # closed: nothing refers to it any more
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".spool-")]
    # the pack equals the one the same values, held in memory, would give
    pack = next((tmp_path / "packs").iterdir()).read_bytes()
    generation, entries = read_pack(pack)
    assert pack == write_pack(generation, {key: Entry(bytes(e.data), e.generation)
                                           for key, e in entries.items()})
    assert sorted(entries) == sorted([*old, *new])
    assert {key: cache.get(key) for key in [*old, *new]} == {**old, **new}  # read back


def test_without_a_spool_file_added_values_wait_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no temporary files here")

    monkeypatch.setattr(cache_module.tempfile, "TemporaryFile", refuse)
    cache = filled(tmp_path, {"a": 1, "b": [2]})
    assert cache.get("b") == [2]
    cache.put("c", 3)
    assert isinstance(cache._entries["c"].data, bytes)
    cache.flush()
    again = FactCache(tmp_path)
    again.use_scope("repo")
    assert [again.get(key) for key in "abc"] == [1, [2], 3]


def test_without_positioned_reads_and_writes_added_values_wait_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no `os.pread`/`os.pwrite`: no spool there, and the cache works as before."""
    monkeypatch.setattr(cache_module, "_POSITIONED_IO", False)
    cache = filled(tmp_path, {"a": 1})
    cache.put("b", [2])
    assert isinstance(cache._entries["b"].data, bytes)
    cache.flush()
    again = FactCache(tmp_path)
    again.use_scope("repo")
    assert [again.get("a"), again.get("b")] == [1, [2]]
