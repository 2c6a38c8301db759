"""Find Alembic environments from configuration, without running `env.py`.

An environment is a script location with one or more version directories. They are named by
`alembic.ini` files (any section with `script_location`, so multi-database setups work), by
`[tool.alembic]` in `pyproject.toml`, and, when nothing names them, by folders of files with
module-level `revision` / `down_revision` assignments (see `fallback_environments`).
"""

from __future__ import annotations

import configparser
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SKIPPED_PARTS = frozenset({".git", ".venv", "venv", "node_modules", "site-packages", "__pycache__"})


@dataclass(frozen=True, slots=True, order=True)
class AlembicEnvironment:
    id: str  # the script location, repo-relative ("alembic", "analytics/migrations")
    script_location: str
    version_dirs: tuple[str, ...]
    config: str | None  # repo-relative path of the file that names it, None when inferred

    def owns(self, path: str) -> bool:
        """True when `path` lies in this environment's script location or version dirs."""
        return any(
            path == folder or in_folders(path, (folder,)) or folder == ""
            for folder in (self.script_location, *self.version_dirs)
        )


def _relative(root: Path, target: Path) -> str | None:
    try:
        relative = os.path.relpath(os.path.normpath(target), os.path.normpath(root))
    except ValueError:
        return None
    if relative.startswith(".."):
        return None
    return "" if relative == "." else PurePosixPath(Path(relative)).as_posix()


def _resolve_location(root: Path, base: Path, location: str) -> str | None:
    location = location.strip().replace("%(here)s", str(base.absolute()))
    if ":" in location and not Path(location).is_absolute():
        # A package resource, `myapp:migrations`: look for it in the repository.
        package, _, resource = location.partition(":")
        for prefix in (root, root / "src"):
            candidate = prefix.joinpath(*package.split("."), *resource.split("/"))
            if candidate.is_dir():
                return _relative(root, candidate)
        return None
    path = Path(location)
    return _relative(root, path if path.is_absolute() else base / path)


def _split_locations(value: str, separator: str | None) -> list[str]:
    if separator in (None, "", "space"):
        return value.split()
    if separator == "os":
        return [part for part in value.split(os.pathsep) if part.strip()]
    mapping = {"colon": ":", "semicolon": ";", "newline": "\n"}
    return [part for part in value.split(mapping.get(separator, separator)) if part.strip()]


def _environment(
    root: Path, base: Path, script: str, versions: Iterable[str], config: str
) -> AlembicEnvironment | None:
    script_location = _resolve_location(root, base, script)
    if script_location is None:
        return None
    version_dirs = [
        resolved for item in versions if (resolved := _resolve_location(root, base, item))
    ]
    if not version_dirs:
        default = PurePosixPath(script_location, "versions").as_posix()
        version_dirs = [default.lstrip("/")]
    return AlembicEnvironment(
        id=script_location or ".",
        script_location=script_location,
        version_dirs=tuple(sorted(set(version_dirs))),
        config=config,
    )


def _from_ini(root: Path, ini: Path) -> list[AlembicEnvironment]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(ini.read_text(encoding="utf-8", errors="replace"))
    except (configparser.Error, OSError):
        return []
    found = []
    config = _relative(root, ini) or ini.name
    for section in parser.sections():
        script = parser.get(section, "script_location", fallback=None)
        if not script:
            continue
        separator = parser.get(section, "path_separator", fallback=None) or parser.get(
            section, "version_path_separator", fallback=None
        )
        listed = parser.get(section, "version_locations", fallback="")
        versions = _split_locations(listed, separator)
        environment = _environment(root, ini.parent, script, versions, config)
        if environment is not None:
            found.append(environment)
    return found


def _from_pyproject(root: Path, pyproject: Path) -> list[AlembicEnvironment]:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    section = data.get("tool", {}).get("alembic")
    if not isinstance(section, dict) or not isinstance(section.get("script_location"), str):
        return []
    versions = section.get("version_locations", [])
    if isinstance(versions, str):
        versions = versions.split()
    environment = _environment(
        root, pyproject.parent, section["script_location"],
        [v for v in versions if isinstance(v, str)], _relative(root, pyproject) or "pyproject.toml",
    )
    return [environment] if environment else []


def configured_environments(root: Path) -> list[AlembicEnvironment]:
    """Environments named by alembic.ini files and [tool.alembic] sections under `root`."""
    found: dict[str, AlembicEnvironment] = {}
    configs: dict[str, list[Path]] = {"alembic.ini": [], "pyproject.toml": []}
    # os.walk without following symlinks: a symlink loop must not hang the scan.
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_PARTS)
        for name in filenames:
            if name in configs:
                configs[name].append(Path(directory) / name)
    for name, reader in (("alembic.ini", _from_ini), ("pyproject.toml", _from_pyproject)):
        for config in sorted(configs[name]):
            for environment in reader(root, config):
                found.setdefault(environment.id, environment)
    return sorted(found.values())


def detached_folders(
    roots: Iterable[str], known: list[AlembicEnvironment]
) -> frozenset[str]:
    """Folders inside a configured version directory that hold a history of their own: a
    root revision (`down_revision = None`, paths in `roots`) where the version directory
    itself has one too (`versions/legacy/`, the revisions a squash replaced). Alembic reads
    no subfolder of a version directory unless told to, and two roots with a shared id
    could not be one history: they are an environment apart (their folder's, as a folder no
    configuration names)."""
    folders = {str(PurePosixPath(path).parent) for path in roots}
    folders = {"" if folder == "." else folder for folder in folders}
    detached = {
        folder
        for environment in known
        for directory in environment.version_dirs
        if directory in folders
        for folder in folders
        if folder != directory and in_folders(folder, (directory,))
    }
    return frozenset(detached)


def in_folders(path: str, folders: Iterable[str]) -> bool:
    """Whether `path` lies in one of `folders` (or below it)."""
    return any(path.startswith(folder.rstrip("/") + "/") for folder in folders)


def fallback_environments(
    revision_paths: Iterable[str], known: list[AlembicEnvironment],
    detached: frozenset[str] = frozenset(),
) -> list[AlembicEnvironment]:
    """Environments for revision files that no configuration names (or that lie in a
    `detached` folder): one per folder."""
    folders: set[str] = set()
    for path in revision_paths:
        if not in_folders(path, detached) and any(
            environment.owns(path) for environment in known
        ):
            continue
        folders.add(str(PurePosixPath(path).parent))
    result = []
    for folder in sorted(folders):
        folder = "" if folder == "." else folder
        parent = PurePosixPath(folder)
        script = str(parent.parent) if parent.name == "versions" else folder
        script = "" if script == "." else script
        result.append(
            AlembicEnvironment(
                id=script or ".", script_location=script, version_dirs=(folder,), config=None
            )
        )
    return result
