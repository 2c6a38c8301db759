"""Where home-made migration modules are, by path alone.

Kept apart from `analyzer.sources.migration_modules` (which reads their SQL through the
resolver): the first look and the extraction jobs ask these questions of every file, and
importing them must not bring in the resolver, sqlglot's dialects or pglast.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from pathlib import PurePosixPath

FOLDER_NAMES = frozenset({"migrations", "migration"})


def is_declared(path: str, globs: Iterable[str]) -> bool:
    """Whether `[tool.tabletrace] migration-modules` names the module at `path`."""
    return any(fnmatch.fnmatchcase(path, glob) for glob in globs)


def migrations_place(path: str) -> bool:
    """Whether `path` is where home-made migrations live without configuration: a module named
    `migrations.py` or one inside a `migrations` (`migration`) folder, or a folder named
    for its kind of migrations (`snuba_migrations/`, `db_migrations/`)."""
    parts = PurePosixPath(path).parts
    return bool(parts) and (
        parts[-1] == "migrations.py"
        or any(p in FOLDER_NAMES or p.endswith("_migrations") for p in parts[:-1])
    )
