"""Content-addressed on-disk cache of per-file facts, packed into one file per scan scope.

A key is a hash of the file's bytes, its path and module, the tabletrace version and the
settings that change extraction; a changed byte, a new version or another dialect is another
key, so entries never need invalidating.

Why packed: a warm scan of a few thousand files used to open and unpickle a few thousand
files; now it reads one. A scan chooses its *scope* (`use_scope`: the scanned root and the
settings that change facts), the scope's pack is read in one `read()` the first time an entry
is asked for, values are unpickled only when asked for, and `flush()` writes the pack back
(only when something was added) with what this scan used plus what recent scans used.

Pack format (`<directory>/packs/<scope>.pack`, all integers little-endian):

    offset 0   8 bytes   magic b"TTPACK01" (the format; another value is a foreign file)
    offset 8   u32       generation: how many times the pack was written
    offset 12  u32       CRC-32 of everything from offset 24 to the end
    offset 16  u64       length N of the index
    offset 24  N bytes   index: a pickled tuple of (key, last generation used, length) in order
    then                 the values: each a pickle, back to back, in index order

Guarantees (tested in `tests/test_cache.py` and `tests/test_engine.py`):

- Atomic: a pack is written to a temporary file and renamed into place (atomic on POSIX and
  Windows), so a reader sees the old pack or the new one, never half of one.
- Healing: a pack with a wrong magic, a bad CRC or an unreadable index is treated as empty and
  replaced by the next flush; an entry that does not unpickle is dropped and recomputed.
- Two scans at once: each reads, computes and flushes on its own; before writing, a flush
  merges in what another process wrote since this one read the pack, so neither scan's entries
  are lost in the usual case. A lost race only loses entries (speed), never correctness: every
  pack on disk is one writer's consistent snapshot.
- Bounded: an entry that no scan used in the last `KEEP_GENERATIONS` writes is dropped (old
  reports, files of another branch), so the pack does not grow without end.
- A read-only or full cache directory only costs speed, never the scan.

The scope's last report is kept beside its pack, in `<scope>.report` (magic b"TTREPT01", u32
CRC-32 of the rest, u32 key length, the key, then the report's bytes): a scan in which nothing
changed reads that small file and never the pack, which can be tens of megabytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import struct
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import platformdirs

from analyzer import __version__

FORMAT = 175  # bump when the pickled fact classes change shape or extraction finds other facts
MAGIC = b"TTPACK01"
HEADER = struct.Struct("<8sIIQ")  # magic, generation, crc32, index length
REPORT_MAGIC = b"TTREPT01"
REPORT_HEADER = struct.Struct("<8sII")  # magic, crc32, key length
KEEP_GENERATIONS = 4  # writes an unused entry survives
DEFAULT_SCOPE = "default"


def default_cache_dir() -> Path:
    """The user cache directory (`~/.cache/tabletrace` on Linux), or $TABLETRACE_CACHE_DIR."""
    override = os.environ.get("TABLETRACE_CACHE_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("tabletrace", appauthor=False))


def fact_key(*parts: str | bytes) -> str:
    digest = hashlib.sha256(f"tabletrace {__version__} format {FORMAT}".encode())
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Spooled:
    """Where a value this scan added waits for the pack: `length` bytes at `offset` of the
    cache's spool file (`FactCache._spool`)."""

    offset: int
    length: int


@dataclass(slots=True)
class Entry:
    """One value in a pack: its pickle (or where it is spooled) and the last pack generation
    that used it."""

    data: bytes | memoryview | Spooled
    generation: int

    @property
    def length(self) -> int:
        return self.data.length if isinstance(self.data, Spooled) else len(self.data)


class CorruptPack(ValueError):
    """The file is not a whole, valid pack."""


def read_pack(data: bytes) -> tuple[int, dict[str, Entry]]:
    """Parse a pack's bytes: (generation, key -> entry). Values stay pickled."""
    if len(data) < HEADER.size:
        raise CorruptPack("shorter than the header")
    magic, generation, crc, index_length = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise CorruptPack("not a tabletrace pack (or another format)")
    if zlib.crc32(memoryview(data)[HEADER.size:]) != crc:
        raise CorruptPack("checksum mismatch (truncated or damaged)")
    start = HEADER.size + index_length
    try:
        index = pickle.loads(memoryview(data)[HEADER.size:start])
        entries: dict[str, Entry] = {}
        view = memoryview(data)
        offset = start
        for key, used, length in index:
            entries[key] = Entry(view[offset : offset + length], used)
            offset += length
    except Exception as exc:  # a damaged index that still matched its CRC: treat as corrupt
        raise CorruptPack(f"unreadable index: {exc}") from exc
    if offset != len(data):
        raise CorruptPack("index and values disagree in length")
    return generation, entries


def pack_chunks(
    generation: int, entries: dict[str, Entry], spool: BinaryIO | None = None
) -> Iterator[bytes | memoryview]:
    """A pack as the pieces to write one after the other (no second copy of every value in
    memory), entries in key order (the same entries give the same bytes). Spooled values are
    read from `spool` one at a time, twice: for the checksum, which comes first, then to
    write them."""
    keys = sorted(entries)
    index = pickle.dumps(
        tuple((key, entries[key].generation, entries[key].length) for key in keys),
        protocol=pickle.HIGHEST_PROTOCOL,
    )

    def values() -> Iterator[bytes | memoryview]:
        for key in keys:
            data = entries[key].data
            yield _unspooled(data, spool) if isinstance(data, Spooled) else data

    crc = zlib.crc32(index)
    for value in values():
        crc = zlib.crc32(value, crc)
    yield HEADER.pack(MAGIC, generation, crc, len(index))
    yield index
    yield from values()


def write_pack(generation: int, entries: dict[str, Entry]) -> bytes:
    """A pack's bytes (see `pack_chunks`)."""
    return b"".join(pack_chunks(generation, entries))


# The spool reads and writes at offsets (`os.pread`, `os.pwrite`: POSIX; elsewhere, such as
# on Windows, the values a scan adds wait in memory as they did before).
_POSITIONED_IO = hasattr(os, "pread") and hasattr(os, "pwrite")


def _unspooled(where: Spooled, spool: BinaryIO | None) -> bytes:
    if spool is None:
        raise ValueError("a spooled value without its spool file")
    data = os.pread(spool.fileno(), where.length, where.offset)
    if len(data) != where.length:
        raise OSError(f"spool file shorter than expected ({len(data)} of {where.length} bytes)")
    return data


class FactCache:
    """Pickled values by key, one pack file per scope under `directory/packs/`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0
        self.repaired = 0
        self._scope = DEFAULT_SCOPE
        self._loaded = False
        self._signature: tuple[int, int, int] | None = None  # the pack file as read
        self._generation = 0
        self._entries: dict[str, Entry] = {}
        self._used: set[str] = set()
        self._added: set[str] = set()
        self._dropped: set[str] = set()
        self._report: tuple[str, bytes] | None = None  # (key, bytes) to write at the flush
        # The values this scan adds wait for the flush in an unnamed temporary file, not in
        # memory: at 5,000 modules they are 42 MB, held while the worker processes run (the
        # sum of the processes' memory peaks then). None: not opened yet; False: it could
        # not be (a read-only cache directory), so they wait in memory.
        self._spool: BinaryIO | bool | None = None
        self._spool_end = 0

    # ---- scope -------------------------------------------------------------------------

    def use_scope(self, *parts: str) -> None:
        """Choose the pack for what follows (a scan: its root and settings). Entries already
        added to the previous scope are flushed first."""
        scope = fact_key("scope", *parts)
        if scope == self._scope:
            return
        self.flush()
        self._scope = scope
        self._loaded = False
        self._entries, self._used, self._added, self._dropped = {}, set(), set(), set()
        self._report = None

    @property
    def pack_path(self) -> Path:
        return self.directory / "packs" / f"{self._scope}.pack"

    @property
    def report_path(self) -> Path:
        return self.directory / "packs" / f"{self._scope}.report"

    # ---- the scope's last report ---------------------------------------------------------

    def get_report(self, key: str) -> bytes | None:
        """The report stored under `key` by the last scan of this scope, or None (another
        key, no report, or a damaged file)."""
        try:
            data = self.report_path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        magic, crc, key_length = (
            REPORT_HEADER.unpack_from(data) if len(data) >= REPORT_HEADER.size else (b"", 0, 0)
        )
        body = memoryview(data)[REPORT_HEADER.size:]
        if magic != REPORT_MAGIC or zlib.crc32(body) != crc:  # damaged: the next flush heals it
            self.repaired += 1
            self.misses += 1
            return None
        if bytes(body[:key_length]).decode("ascii", "replace") != key:
            self.misses += 1
            return None
        self.hits += 1
        return bytes(body[key_length:])

    def put_report(self, key: str, report: bytes) -> None:
        """Keep `report` as this scope's last report (written at the next `flush`)."""
        self._report = (key, report)

    # ---- reading -----------------------------------------------------------------------

    def _read(self) -> tuple[tuple[int, int, int] | None, int, dict[str, Entry], bool]:
        """(file signature, generation, entries, corrupt) of the pack on disk now."""
        path = self.pack_path
        try:
            with path.open("rb") as handle:
                stat = os.fstat(handle.fileno())
                data = handle.read()
        except OSError:  # missing or unreadable: an empty pack
            return None, 0, {}, False
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        try:
            generation, entries = read_pack(data)
        except CorruptPack:
            return signature, 0, {}, True
        return signature, generation, entries, False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        signature, self._generation, entries, corrupt = self._read()
        if corrupt:
            self.repaired += 1
            self._dropped.add("")  # the whole pack: rewrite it at the next flush
        self._signature = signature
        self._entries = entries

    def get(self, key: str) -> Any | None:
        self._load()
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        try:
            data = entry.data
            if isinstance(data, Spooled):
                data = _unspooled(data, self._spool_file())
            value = pickle.loads(data)
        except Exception:  # a damaged or foreign entry: heal by recomputing
            del self._entries[key]
            self._dropped.add(key)
            self.repaired += 1
            self.misses += 1
            return None
        self._used.add(key)
        self.hits += 1
        return value

    def keep(self, keys: list[str] | tuple[str, ...] | set[str]) -> None:
        """Count entries as used by this scan without reading them (a scan that reuses the
        last scan's work keeps what that work rests on from ageing out of the pack)."""
        self._load()
        self._used.update(key for key in keys if key in self._entries)

    # ---- writing -----------------------------------------------------------------------

    def put(self, key: str, value: Any) -> None:
        self._load()
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an unpicklable value is only not cached
            return
        self.put_pickled(key, data)

    def put_pickled(self, key: str, data: bytes) -> None:
        """`put` of a value already pickled (by a worker process) with the highest protocol."""
        self._load()
        self._entries[key] = Entry(self._spooled(data), self._generation + 1)
        self._used.add(key)
        self._added.add(key)

    def _spooled(self, data: bytes) -> bytes | Spooled:
        """`data` written to the spool file, or itself when there is none."""
        spool = self._spool_file()
        if spool is None:
            return data
        try:
            written = os.pwrite(spool.fileno(), data, self._spool_end)
        except OSError:
            return data  # a full disk: this value waits in memory
        if written != len(data):
            return data
        where = Spooled(self._spool_end, len(data))
        self._spool_end += len(data)
        return where

    def _spool_file(self) -> BinaryIO | None:
        if self._spool is None and not _POSITIONED_IO:
            self._spool = False
        if self._spool is None:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                # closed by `_close_spool` after the flush that writes what it holds
                self._spool = tempfile.TemporaryFile(  # noqa: SIM115
                    dir=self.directory, prefix=".spool-"
                )
            except OSError:
                self._spool = False
        return self._spool or None

    @property
    def dirty(self) -> bool:
        """Whether `flush` has anything to write."""
        return bool(self._added or self._dropped)

    def flush(self) -> None:
        """Write the scope's pack if anything was added or healed: this scan's entries, other
        recent entries, and what another process wrote meanwhile."""
        if self._report is not None:
            self._write_report(*self._report)
            self._report = None
        if not self.dirty:
            return
        generation = self._generation + 1
        entries = dict(self._entries)
        if self._signature_now() != self._signature:
            # Another scan wrote the pack since it was read: keep its entries too.
            _, _, on_disk, _ = self._read()
            for key, entry in on_disk.items():
                if key not in entries and key not in self._dropped:
                    entries[key] = entry
        for key in self._used:
            if key in entries:
                entries[key] = Entry(entries[key].data, generation)
        entries = {key: entry for key, entry in entries.items()
                   if generation - entry.generation < KEEP_GENERATIONS}
        written = self._write(pack_chunks(generation, entries, self._spool_file()))
        self._added, self._dropped, self._used = set(), set(), set()
        if written:
            # What follows reads the pack just written, if anything: nothing refers to the
            # spool any more.
            self._loaded, self._entries = False, {}
            self._close_spool()
        else:  # still served from memory (and the spool) during this scan
            self._generation, self._entries = generation, entries
            self._signature = self._signature_now()

    def _close_spool(self) -> None:
        if self._spool:
            self._spool.close()  # type: ignore[union-attr]
        self._spool, self._spool_end = None, 0

    def _signature_now(self) -> tuple[int, int, int] | None:
        try:
            stat = self.pack_path.stat()
        except OSError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _write_report(self, key: str, report: bytes) -> None:
        encoded = key.encode("ascii")
        body = encoded + report
        header = REPORT_HEADER.pack(REPORT_MAGIC, zlib.crc32(body), len(encoded))
        self._write([header, body], self.report_path)

    def _write(self, chunks: Iterable[bytes | memoryview], path: Path | None = None) -> bool:
        """Whether `chunks` are now the file at `path` (the pack's by default)."""
        path = path or self.pack_path
        temporary: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-",
                                                     suffix=path.suffix)
            with os.fdopen(descriptor, "wb") as handle:
                handle.writelines(chunks)
            os.replace(temporary, path)
            temporary = None
        except (OSError, ValueError):
            return False  # a read-only or full cache directory only costs speed, never the scan
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
        return True

    def __enter__(self) -> FactCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()
