"""Walk a repository and classify its files, without reading more than names and small configs.

Classification decides what a file may contribute: application Python code yields uses, `.sql`
files are migration sources, Alembic trees are migration tooling (never application uses), tests
are skipped unless configured.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from analyzer.config import Config
from analyzer.sources.alembic_env import AlembicEnvironment, configured_environments

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
    parts = PurePosixPath(path).parts
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


def _gitignore(root: Path) -> pathspec.PathSpec | None:
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
    return pathspec.PathSpec.from_lines(style, readable)


def _symlinked_dir_message(link: Path, real_root: Path) -> str:
    try:
        link.resolve(strict=True).relative_to(real_root)
    except (OSError, RuntimeError):
        return "symlinked directory that loops or points nowhere: not followed"
    except ValueError:
        return "symlinked directory pointing outside the scanned root: not followed"
    return "symlinked directory: not followed (its files are scanned where they really are)"


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

    for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable, followlinks=False):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        for name in dirnames:
            if (Path(dirpath) / name).is_symlink() and name not in SKIPPED_DIRS:
                path = f"{rel_dir}/{name}" if rel_dir else name
                message = _symlinked_dir_message(Path(dirpath) / name, real_root)
                result.problems.append((path, message))
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIPPED_DIRS and not d.endswith(".egg-info")
            and not (ignore and ignore.match_file(f"{rel_dir}/{d}/".lstrip("/")))
        )
        for name in sorted(filenames):
            path = f"{rel_dir}/{name}" if rel_dir else name
            kind = "python" if name.endswith(".py") else "sql" if name.endswith(".sql") else None
            if kind is None:
                continue
            full = Path(dirpath) / name
            if full.is_symlink():
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
            if (ignore and ignore.match_file(path)) or _matches(path, config.exclude):
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
