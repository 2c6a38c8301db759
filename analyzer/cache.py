"""Content-addressed on-disk cache of per-file facts.

A key is a hash of the file's bytes, its path and module, the tabletrace version and the
settings that change extraction; a changed byte, a new version or another dialect is another
key, so entries never need invalidating. Entries are written to a temporary file and renamed
into place (atomic on POSIX and Windows), so two scans sharing a cache never read half an
entry; an entry that cannot be read is deleted and recomputed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

from analyzer import __version__

FORMAT = 4  # bump when the pickled fact classes change shape


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


class FactCache:
    """Pickled values under `directory/ab/abcdef....pkl`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0
        self.repaired = 0

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pkl"

    def get(self, key: str) -> Any | None:
        path = self._path(key)
        try:
            with path.open("rb") as handle:
                value = pickle.load(handle)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # a truncated or foreign entry: heal by recomputing
            self.repaired += 1
            self.misses += 1
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        path = self._path(key)
        temporary: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
            with os.fdopen(descriptor, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:
            # A read-only or full cache directory only costs speed, never the scan.
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
