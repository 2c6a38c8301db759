"""Scan configuration: `[tool.tabletrace]` in the scanned repo's pyproject.toml, then overrides."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    exclude: list[str] = Field(
        default_factory=list, description="glob patterns (repo-relative) of files to skip"
    )
    include_tests: bool = Field(
        default=False, description="count test files (tests/, test_*.py...) as application code"
    )
    dialect: str = Field(default="postgres", description="sqlglot dialect used to parse SQL")
    default_schema: str = Field(default="public", description="schema of unqualified names")
    ignore_tables: list[str] = Field(
        default_factory=list, description="glob patterns of table names to leave out"
    )
    select: list[str] | None = Field(
        default=None,
        description="rules to report, by code (TT002) or name (dead-table), or ALL (default)",
    )
    extend_select: list[str] = Field(
        default_factory=list, description="rules to report on top of `select`"
    )
    ignore: list[str] = Field(default_factory=list, description="rules never to report")
    per_file_ignores: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "glob of paths -> rules not reported for findings whose first location matches "
            "(globs as in `exclude`)"
        ),
    )
    migration_modules: list[str] = Field(
        default_factory=list,
        description=(
            "globs of Python modules holding ordered migration functions that run SQL (found "
            "without configuration when named migrations.py or inside a migrations folder)"
        ),
    )
    migration_function_pattern: str | None = Field(
        default=None,
        description=(
            "regular expression naming a migration function, its first group the number that "
            r"orders them (default: `m001_...`, `migration_3`, `upgrade_to_12`, `v2_...`)"
        ),
    )
    max_file_size: int = Field(
        default=DEFAULT_MAX_FILE_SIZE,
        description=(
            "bytes above which a Python file with SQL or ORM code is not parsed (a diagnostic "
            "says so); 0: no limit"
        ),
    )

    @field_validator("migration_function_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        if compiled.groups < 1:
            raise ValueError("needs a group capturing the migration's number, as in m(\\d+)_")
        return value

    @field_validator("max_file_size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int:
        return parse_size(value)

    def ignores(self, key: TableKey) -> bool:
        """Whether `ignore_tables` leaves this table out (name, schema.name or display)."""
        names = (key.name, f"{key.schema}.{key.name}", key.display)
        return any(
            fnmatch.fnmatchcase(name, pattern) for pattern in self.ignore_tables for name in names
        )

    def extraction_key(self) -> dict[str, Any]:
        """The settings that change what is extracted from a file (for caches)."""
        return {"dialect": self.dialect, "default_schema": self.default_schema}


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
    try:
        return Config(**settings)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'config'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid tabletrace configuration: {problems}") from exc
