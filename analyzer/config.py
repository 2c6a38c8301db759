"""Scan configuration: `[tool.tabletrace]` in the scanned repo's pyproject.toml, then overrides."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


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
        if value is not None:
            settings[key] = value
    try:
        return Config(**settings)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'config'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid tabletrace configuration: {problems}") from exc
