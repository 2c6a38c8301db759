"""Walk a repository and classify its files, without reading more than names and small configs.

Classification decides what a file may contribute: application Python code yields uses, `.sql`
files are migration sources, Alembic trees are migration tooling (never application uses), tests
are skipped unless configured.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from analyzer.config import Config
from analyzer.sources.alembic_env import AlembicEnvironment, configured_environments
from analyzer.sql.engine_files import is_sql_file

# Directories that never hold the repository's own code.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "env", ".env", "node_modules", "__pycache__",
     ".tox", ".nox", ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages", ".eggs"}
)


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str  # repo-relative, "/"-separated
    kind: str  # "python" | "sql"
    role: str  # "app" | "test" | "alembic"


@dataclass(slots=True)
class Discovery:
    files: list[FileEntry] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    skipped_tests: list[str] = field(default_factory=list)
    alembic_environments: list[AlembicEnvironment] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, message)


def is_test_path(path: str) -> bool:
    # (the parts PurePosixPath gives, without building one per file of a warm scan)
    parts = [part for part in path.split("/") if part not in ("", ".")] or [""]
    name = parts[-1]
    return (
        any(part in ("tests", "test") for part in parts[:-1])
        or name == "conftest.py"
        or (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
    )


def module_name(path: str) -> str:
    """Dotted module name of a repo-relative .py path (`src/` layouts lose their `src`)."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "__init__"


def _matches(path: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if fnmatch.fnmatchcase(path, pattern):
            return True
        if pattern.endswith("/**") and (path + "/").startswith(pattern[:-2]):
            return True
    return False


class _Ignore:
    """The repository's `.gitignore`, asked once per directory and file of the walk.

    pathspec tries every pattern on every path, in Python (prefect: 60 patterns, 2,700 files,
    a third of a warm scan). Most paths match no pattern at all, so one combined expression
    answers those at C speed; a path that matches some pattern gets pathspec's own answer
    (the last matching pattern decides, negations included). Exact either way.
    """

    def __init__(self, spec: pathspec.PathSpec) -> None:
        self.spec = spec
        self.any_pattern: re.Pattern[str] | None = None
        active = [p for p in spec.patterns if getattr(p, "include", None) is not None]
        regexes = [getattr(p, "regex", None) for p in active]
        if all(isinstance(regex, re.Pattern) for regex in regexes):
            try:  # group names would clash across patterns; none is referred back to
                self.any_pattern = re.compile(
                    "|".join(f"(?:{_NAMED_GROUP.sub('(?:', r.pattern)})" for r in regexes)
                    or "(?!)"
                )
            except re.error:
                self.any_pattern = None

    def match(self, path: str) -> bool:
        if self.any_pattern is not None and self.any_pattern.search(path) is None:
            return False
        return bool(self.spec.match_file(path))


_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


def _gitignore(root: Path) -> _Ignore | None:
    try:
        text = (root / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    style = "gitignore" if "gitignore" in pathspec.util._registered_patterns else "gitwildmatch"
    readable = []
    for line in text.splitlines():
        try:
            pathspec.PathSpec.from_lines(style, [line])
        except ValueError:  # e.g. a lone "\\": git ignores a pattern it cannot read; so do we
            continue
        readable.append(line)
    return _Ignore(pathspec.PathSpec.from_lines(style, readable))


def _symlinked_dir_message(link: Path, real_root: Path) -> str:
    try:
        link.resolve(strict=True).relative_to(real_root)
    except (OSError, RuntimeError):
        return "symlinked directory that loops or points nowhere: not followed"
    except ValueError:
        return "symlinked directory pointing outside the scanned root: not followed"
    return "symlinked directory: not followed (its files are scanned where they really are)"


def _walk(
    root: Path, onerror: Callable[[OSError], None]
) -> Iterator[tuple[str, list[os.DirEntry[str]], list[os.DirEntry[str]]]]:
    """`os.walk(root, followlinks=False)` with `os.DirEntry` objects instead of names, so that
    "is it a symlink" costs no system call (it did for every file: a tenth of a warm scan),
    and the repository-relative directory instead of the absolute one. Top-down, depth
    first, in the order the caller leaves the directories list in; symlinked directories
    are listed but never entered."""
    pending = [""]
    while pending:
        rel_dir = pending.pop()
        try:
            with os.scandir(root / rel_dir if rel_dir else root) as listing:
                entries = list(listing)
        except OSError as error:
            onerror(error)
            continue
        directories: list[os.DirEntry[str]] = []
        files: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_directory = entry.is_dir()
            except OSError:
                is_directory = False
            (directories if is_directory else files).append(entry)
        yield rel_dir, directories, files
        pending.extend(
            f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            for entry in reversed(directories)
            if not entry.is_symlink()
        )


def discover(root: Path, config: Config) -> Discovery:
    """List the Python and SQL files under `root` in a stable order, with their role."""
    result = Discovery()
    ignore = _gitignore(root)
    environments = configured_environments(root)
    result.alembic_environments = environments
    real_root = root.resolve()

    def unlistable(error: OSError) -> None:  # a directory os.walk cannot read (permissions)
        path = Path(os.path.relpath(error.filename or root, root)).as_posix()
        message = f"cannot list this directory ({error.strerror or error}): its files were skipped"
        result.problems.append((path, message))

    for rel_dir, directories, files in _walk(root, unlistable):
        dirpath = root / rel_dir if rel_dir else root
        for entry in directories:
            if entry.is_symlink() and entry.name not in SKIPPED_DIRS:
                path = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                message = _symlinked_dir_message(dirpath / entry.name, real_root)
                result.problems.append((path, message))
        directories[:] = sorted(
            (
                entry for entry in directories
                if not entry.is_symlink() and entry.name not in SKIPPED_DIRS
                and not entry.name.endswith(".egg-info")
                and not (ignore and ignore.match(f"{rel_dir}/{entry.name}/".lstrip("/")))
            ),
            key=lambda entry: entry.name,
        )
        for entry in sorted(files, key=lambda entry: entry.name):
            name = entry.name
            path = f"{rel_dir}/{name}" if rel_dir else name
            kind = "python" if name.endswith(".py") else "sql" if is_sql_file(name) else None
            if kind is None:
                continue
            if entry.is_symlink():
                full = dirpath / name
                try:
                    full.resolve(strict=True).relative_to(real_root)
                except (OSError, RuntimeError):  # RuntimeError: a loop (pathlib before 3.13)
                    result.problems.append((path, "symlink that loops or points nowhere"))
                    continue
                except ValueError:
                    result.problems.append((path, "symlink points outside the scanned root"))
                    continue
                # A link to a file of the repository: that file is scanned where it really is;
                # reading it twice would count its uses twice.
                result.problems.append(
                    (path, "symlink to a file of this repository: scanned at its real path")
                )
                continue
            if (ignore and ignore.match(path)) or _matches(path, config.exclude):
                result.excluded.append(path)
                continue
            if any(environment.owns(path) for environment in environments):
                role = "alembic"
            elif is_test_path(path):
                if not config.include_tests:
                    result.skipped_tests.append(path)
                    continue
                role = "test"
            else:
                role = "app"
            result.files.append(FileEntry(path=path, kind=kind, role=role))
    result.files.sort(key=lambda entry: entry.path)
    return result
