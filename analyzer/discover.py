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
from typing import NamedTuple

import pathspec

from analyzer.config import Config
from analyzer.sources.alembic_env import AlembicEnvironment, configured_environments
from analyzer.sql.engine_files import is_sql_file

# Directories that never hold the repository's own code.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "env", ".env", "node_modules", "__pycache__",
     ".tox", ".nox", ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages", ".eggs"}
)


class ReadProblem(NamedTuple):
    """A file discovery left out or could not read (`skipped-file`, `unreadable-file`): a
    diagnostic of the report, kept as a plain tuple until the pipeline builds the report, so
    that a scan the cache answers builds no report model."""

    path: str
    code: str
    message: str


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
    # files under examples/ or docs/ (`is_example_path`), unless `include_examples`
    skipped_examples: list[str] = field(default_factory=list)
    # Python files of `skipped_tests` that are tests by their name only, outside any test
    # directory: application code may import one (`adopt_imported_tests`)
    named_tests: list[str] = field(default_factory=list)
    alembic_environments: list[AlembicEnvironment] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, message)


def _parts(path: str) -> list[str]:
    # (the parts PurePosixPath gives, without building one per file of a warm scan)
    return [part for part in path.split("/") if part not in ("", ".")] or [""]


def is_test_path(path: str) -> bool:
    parts = _parts(path)
    name = parts[-1]
    return (
        any(_test_directory(part) for part in parts[:-1])
        or name == "conftest.py"
        or (_test_name(name) and not _django_command(parts))
    )


#: Folders of examples and documentation: an example application or script (a framework's
#: `examples/`), the SQL a tutorial shows or loads as sample data (`docs/tutorials/*.sql`,
#: `examples/resources/*.sql`), never the application's own schema or code.
EXAMPLE_DIRECTORIES = frozenset({"examples", "example", "docs", "doc"})


#: A folder named as one example among others: `example_migrations/`, `examples-sqlite/`,
#: `sqlite_example/` (ckan keeps 25 demo plugins as `ckanext/example_*/`, beside the real ones).
_EXAMPLE_FOLDER = re.compile(r"^examples?[_-]|[_-]examples?$")


def is_example_path(path: str) -> bool:
    """A file inside an examples or documentation folder, at any depth."""
    return any(
        part in EXAMPLE_DIRECTORIES or _EXAMPLE_FOLDER.search(part) is not None
        for part in _parts(path)[:-1]
    )


def _django_command(parts: list[str]) -> bool:
    """A module of a Django app's `management/commands/`: `manage.py <its name>` runs it,
    whatever its name (`test_telemetry_alert.py` is a command, not a test)."""
    return parts[-3:-1] == ["management", "commands"]


#: A folder of the tests' own tools: `test_utils/`, `python_test_utils/` (pgAdmin's, beside
#: its `feature_tests/`), `test_helpers/`, `tests-support/`. Not `ab_test/`, a feature.
_TEST_SUPPORT = re.compile(r"(?:^|[_-])tests?[_-](?:utils?|helpers?|support|tools)(?:$|[_-])")


def _test_directory(name: str) -> bool:
    """`tests/`, `test/`, the private `_tests/` some packages ship their tests in,
    `feature_tests/` (named like `x_tests.py` files), `tests_e2e/` / `tests_integration/`
    (a kind of tests beside `tests/`), the tests' tools (`python_test_utils/`), and
    `testdata/` / `test_data/`, the
    tests' inputs (Go's tool ignores `testdata`: a SQL dump of an old release kept there to
    test upgrades from is no schema of the application)."""
    return (
        name.lstrip("_") in ("tests", "test", "testdata", "test_data")
        or name.endswith("_tests")
        or name.startswith("tests_")
        or _TEST_SUPPORT.search(name) is not None
    )


def _test_name(name: str) -> bool:
    """`test_x.py`, `x_test.py`, and `tests.py`: the module Django's `startapp` gives each
    app for its tests (its test runner finds them there). Not `x_tests.py`: Flexget's
    `perf_tests.py` is a command of the application (pgAdmin's suites of that name sit in
    `feature_tests/` folders, which are test folders). And `fixtures.py`, the tests' sample
    database shipped inside a package (datasette's, which only its tests import): like any
    file named as a test, application code importing it makes it the application's again
    (`adopt_imported_tests`)."""
    return (
        (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
        or name in ("tests.py", "fixtures.py")
    )


def named_like_a_test(path: str) -> bool:
    """A test by its file name only (`db/test_results.py`), outside any test directory."""
    parts = _parts(path)
    return (
        _test_name(parts[-1]) and not _django_command(parts)
        and not any(_test_directory(part) for part in parts[:-1])
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


def _installed_packages_message(count: int) -> str:
    folders = "a *.dist-info folder" if count == 1 else f"{count} *.dist-info folders"
    return (
        f"a directory of installed packages (it holds {folders}, as `pip install --target` "
        "makes): third-party code, like a site-packages, so its files were not scanned"
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
        installed = [entry.name for entry in directories if entry.name.endswith(".dist-info")]
        if rel_dir and installed:
            # `pip install --target libs ...`: a site-packages of its own, vendored
            # libraries (bazarr ships SQLAlchemy, Alembic and 110 others in `libs/`)
            result.problems.append((rel_dir, _installed_packages_message(len(installed))))
            directories[:] = []
            continue
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
            if is_example_path(path) and not config.include_examples:
                # (an example's own Alembic environment too: `example_migrations/versions/`)
                result.skipped_examples.append(path)
                continue
            if any(environment.owns(path) for environment in environments):
                role = "alembic"
            elif is_test_path(path):
                if not config.include_tests:
                    result.skipped_tests.append(path)
                    if kind == "python" and named_like_a_test(path):
                        result.named_tests.append(path)
                    continue
                role = "test"
            else:
                role = "app"
            result.files.append(FileEntry(path=path, kind=kind, role=role))
    result.files.sort(key=lambda entry: entry.path)
    return result


def adopt_imported_tests(
    discovery: Discovery, contents: dict[str, bytes], read: Callable[[str], bytes | None]
) -> None:
    """Files named like tests outside any test directory that application code imports
    (`from app.db import test_results`) are application code after all: buildbot keeps the
    store of its test results in `db/test_results.py`, and skipping it made its tables look
    dead. They move from `skipped_tests` to `files`, and their bytes (`read(path)`; None when
    unreadable) join `contents`; what they import is asked in turn.

    Only a file whose bytes name a candidate's module is parsed (`ast`, for its imports), so
    a scan of a repository without such files reads nothing more."""
    if not discovery.named_tests:
        return
    # by every dotted tail of two names or more too: `from buildbot.db import test_results`
    # names master/buildbot/db/test_results.py (the import root is below the scanned root)
    # (a tail two files share names neither, but for the whole name)
    tails: dict[str, set[str]] = {}
    for path in discovery.named_tests:
        parts = module_name(path).split(".")
        for start in range(len(parts) - 1 if len(parts) > 1 else 1):
            tails.setdefault(".".join(parts[start:]), set()).add(path)
    candidates = {tail: next(iter(paths)) for tail, paths in tails.items() if len(paths) == 1}
    candidates.update((module_name(path), path) for path in discovery.named_tests)
    names = sorted({dotted.rsplit(".", 1)[-1] for dotted in candidates})
    mentions = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")
    adopted: set[str] = set()
    importers = [path for path in sorted(contents) if path.endswith(".py")]
    while importers:
        found: set[str] = set()
        for path in importers:
            data = contents.get(path)
            if data is None or mentions.search(data) is None:
                continue
            for dotted in _imported_modules(data, path):
                target = candidates.get(dotted)
                if target is not None and target not in adopted:
                    found.add(target)
        importers = []
        for path in sorted(found):
            adopted.add(path)
            data = read(path)
            if data is not None:
                contents[path] = data
                importers.append(path)
    if not adopted:
        return
    discovery.files.extend(FileEntry(path=path, kind="python", role="app") for path in adopted)
    discovery.files.sort(key=lambda entry: entry.path)
    discovery.skipped_tests = [path for path in discovery.skipped_tests if path not in adopted]
    discovery.named_tests = [path for path in discovery.named_tests if path not in adopted]


def _imported_modules(data: bytes, path: str) -> Iterator[str]:
    """Every module an import of the file names (`from a import b` names `a` and `a.b`),
    relative imports made absolute; nothing for a file `ast` cannot parse."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return
    module = module_name(path)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            if base:
                yield base
            yield from (f"{base}.{alias.name}" if base else alias.name for alias in node.names)
