"""Scan configuration: `[tool.tabletrace]` in the scanned repo's pyproject.toml, then overrides."""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from analyzer.sql.names import TableKey

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
# Options whose command-line values add to the configured list instead of replacing it, as
# ruff does: `--ignore X` on top of `ignore = [...]` in pyproject.toml ignores both.
ADDITIVE_KEYS = frozenset({"ignore", "extend_select"})
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(value: int | float | str) -> int:
    """Bytes from `2000000`, `"512KB"`, `"2MB"`, `"1.5M"` (binary units); 0 means no limit."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 2MB")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a size cannot be negative")
        return int(value)
    match = _SIZE.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a size (examples: 2000000, 512KB, 2MB)")
    unit = (match[2] or "").lower()[:1]
    return int(float(match[1]) * _UNITS[unit])


class ConfigError(ValueError):
    """The configuration is unusable; the message says which key and why."""


def _about(description: str) -> dict[str, str]:
    """A setting's documentation, kept on its dataclass field."""
    return {"description": description}


@dataclass(frozen=True)
class Config:
    """The scan's settings, validated when built (`Config(**settings)` raises `ConfigError`
    naming every bad key).

    A plain dataclass validated by hand, not a pydantic model: every scan builds one, and
    the first pydantic model a process defines costs about 0.13 s of imports and schema
    building, half of a warm scan, which otherwise needs no pydantic at all (the report
    model is built only when the cached report does not answer)."""

    exclude: list[str] = field(
        default_factory=list, metadata=_about("glob patterns (repo-relative) of files to skip")
    )
    include_tests: bool = field(
        default=False,
        metadata=_about("count test files (tests/, test_*.py...) as application code"),
    )
    include_examples: bool = field(
        default=False,
        metadata=_about(
            "count files under examples/, example/, docs/ and doc/ as application code"
        ),
    )
    dialect: str = field(default="postgres", metadata=_about("sqlglot dialect used to parse SQL"))
    default_schema: str = field(default="public", metadata=_about("schema of unqualified names"))
    ignore_tables: list[str] = field(
        default_factory=list, metadata=_about("glob patterns of table names to leave out")
    )
    external_tables: list[str] = field(
        default_factory=list,
        metadata=_about(
            "glob patterns of tables owned outside the repository (another application's "
            "database the code reads): status external, never undefined, their uses kept"
        ),
    )
    external_code: list[str] = field(
        default_factory=list,
        metadata=_about(
            "globs of files whose SQL runs on another application's database: the tables "
            "they use that no source creates are external, never undefined"
        ),
    )
    select: list[str] | None = field(
        default=None,
        metadata=_about(
            "rules to report, by code (TT002) or name (dead-table), or ALL (default)"
        ),
    )
    extend_select: list[str] = field(
        default_factory=list, metadata=_about("rules to report on top of `select`")
    )
    ignore: list[str] = field(default_factory=list, metadata=_about("rules never to report"))
    per_file_ignores: dict[str, list[str]] = field(
        default_factory=dict,
        metadata=_about(
            "glob of paths -> rules not reported for findings whose first location matches "
            "(globs as in `exclude`)"
        ),
    )
    migration_modules: list[str] = field(
        default_factory=list,
        metadata=_about(
            "globs of Python modules holding ordered migration functions that run SQL (found "
            "without configuration when named migrations.py or inside a migrations folder)"
        ),
    )
    migration_function_pattern: str | None = field(
        default=None,
        metadata=_about(
            "regular expression naming a migration function, its first group the number that "
            r"orders them (default: `m001_...`, `migration_3`, `upgrade_to_12`, `v2_...`)"
        ),
    )
    max_file_size: int = field(
        default=DEFAULT_MAX_FILE_SIZE,
        metadata=_about(
            "bytes above which a Python file with SQL or ORM code is not parsed (a diagnostic "
            "says so); 0: no limit"
        ),
    )

    def __post_init__(self) -> None:
        values = {spec.name: getattr(self, spec.name) for spec in fields(self)}
        checked, problems = _checked(values)
        if problems:
            raise ConfigError(f"invalid tabletrace configuration: {'; '.join(problems)}")
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def ignores(self, key: TableKey) -> bool:
        """Whether `ignore_tables` leaves this table out (name, schema.name or display)."""
        return _matches(self.ignore_tables, key)

    def declares_external(self, key: TableKey) -> bool:
        """Whether `external_tables` says another application owns this table."""
        return _matches(self.external_tables, key)

    def runs_elsewhere(self, path: str) -> bool:
        """Whether `external_code` says the file's SQL runs on another application's
        database (globs as in `exclude`)."""
        return any(path_matches(path, pattern) for pattern in self.external_code)

    def extraction_key(self) -> dict[str, Any]:
        """The settings that change what is extracted from a file (for caches)."""
        return {"dialect": self.dialect, "default_schema": self.default_schema}

    def as_dict(self) -> dict[str, Any]:
        """Every setting, in field order, as JSON values (the report's `config`)."""
        return {spec.name: copy.deepcopy(getattr(self, spec.name)) for spec in fields(self)}

    def fingerprint(self) -> str:
        """Every setting as compact JSON, in field order: part of the cache keys."""
        return json.dumps(self.as_dict(), separators=(",", ":"), ensure_ascii=False)


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    return list(value)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _optional_strings(value: Any) -> list[str] | None:
    return None if value is None else _strings(value)


def _per_file_ignores(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ValueError("expected a table of path globs -> lists of rules")
    return {glob: _strings(rules) for glob, rules in value.items()}


def _pattern(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("expected a string")
    try:
        compiled = re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from exc
    if compiled.groups < 1:
        raise ValueError("needs a group capturing the migration's number, as in m(\\d+)_")
    return value


def path_matches(path: str, pattern: str) -> bool:
    """The `exclude` glob semantics: fnmatch on the whole path, or a `dir/**` prefix."""
    if fnmatch.fnmatchcase(path, pattern):
        return True
    return pattern.endswith("/**") and (path + "/").startswith(pattern[:-2])


def _matches(patterns: list[str], key: TableKey) -> bool:
    """A table matches a glob by its name, `schema.name` or display name."""
    names = (key.name, f"{key.schema}.{key.name}", key.display)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns for name in names)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "exclude": _strings,
    "include_tests": _flag,
    "include_examples": _flag,
    "dialect": _string,
    "default_schema": _string,
    "ignore_tables": _strings,
    "external_tables": _strings,
    "external_code": _strings,
    "select": _optional_strings,
    "extend_select": _strings,
    "ignore": _strings,
    "per_file_ignores": _per_file_ignores,
    "migration_modules": _strings,
    "migration_function_pattern": _pattern,
    "max_file_size": parse_size,
}
KNOWN_KEYS = tuple(_CHECKS)


def _checked(settings: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The settings in their checked form, and one problem per bad or unknown key."""
    checked: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in settings.items():
        check = _CHECKS.get(key)
        if check is None:
            problems.append(f"{key}: not a setting (the settings: {', '.join(KNOWN_KEYS)})")
            continue
        try:
            checked[key] = check(value)
        except ValueError as exc:
            problems.append(f"{key}: {exc}")
    return checked, problems


def _pyproject_settings(root: Path) -> dict[str, Any]:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject.name}: cannot read [tool.tabletrace]: {exc}") from exc
    section = data.get("tool", {}).get("tabletrace", {})
    if not isinstance(section, dict):
        raise ConfigError("pyproject.toml: [tool.tabletrace] must be a table")
    return {key.replace("-", "_"): value for key, value in section.items()}


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read the repo's settings and apply non-None overrides (from the CLI or an API caller)."""
    settings = _pyproject_settings(root)
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        configured = settings.get(key)
        if key in ADDITIVE_KEYS and isinstance(configured, list):
            settings[key] = [*configured, *value]
        else:
            settings[key] = value
    checked, problems = _checked(settings)
    if problems:
        raise ConfigError(f"invalid tabletrace configuration: {'; '.join(problems)}")
    return Config(**checked)
