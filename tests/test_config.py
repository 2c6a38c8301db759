"""`analyzer.config`: the settings are checked by hand (a dataclass, not a pydantic model: see
its docstring), so each check is stated here with the message a user reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.config import Config, ConfigError, load_config


def _problem(**settings: object) -> str:
    with pytest.raises(ConfigError) as info:
        Config(**settings)  # type: ignore[arg-type]
    return str(info.value)


def test_each_bad_value_is_named_with_what_was_expected() -> None:
    assert _problem(exclude="build/**") == (
        "invalid tabletrace configuration: exclude: expected a list of strings"
    )
    assert _problem(include_tests="yes") == (
        "invalid tabletrace configuration: include_tests: expected true or false"
    )
    assert _problem(dialect=5) == "invalid tabletrace configuration: dialect: expected a string"
    assert _problem(per_file_ignores={"legacy/**": "TT002"}) == (
        "invalid tabletrace configuration: per_file_ignores: expected a list of strings"
    )
    assert _problem(per_file_ignores=["legacy/**"]) == (
        "invalid tabletrace configuration: per_file_ignores: expected a table of path globs "
        "-> lists of rules"
    )
    assert _problem(max_file_size="big") == (
        "invalid tabletrace configuration: max_file_size: 'big' is not a size (examples: "
        "2000000, 512KB, 2MB)"
    )
    assert _problem(migration_function_pattern="m_") == (
        "invalid tabletrace configuration: migration_function_pattern: needs a group "
        "capturing the migration's number, as in m(\\d+)_"
    )
    assert _problem(migration_function_pattern="m(").startswith(
        "invalid tabletrace configuration: migration_function_pattern: not a regular "
        "expression: "
    )
    # every bad key at once, in field order
    assert _problem(ignore="TT001", exclude=[1]) == (
        "invalid tabletrace configuration: exclude: expected a list of strings; ignore: "
        "expected a list of strings"
    )


def test_values_are_normalised_and_the_fingerprint_keeps_field_order() -> None:
    config = Config(exclude=("a/**",), max_file_size="1.5MB", select=["TT001"])
    assert config.exclude == ["a/**"]
    assert config.max_file_size == 1572864
    assert list(config.as_dict()) == [
        "exclude", "include_tests", "include_examples", "dialect", "default_schema",
        "ignore_tables",
        "external_tables", "external_code", "select", "extend_select", "ignore",
        "per_file_ignores", "migration_modules",
        "migration_function_pattern", "max_file_size",
    ]
    assert json.loads(config.fingerprint()) == config.as_dict()
    assert config.as_dict()["exclude"] is not config.exclude  # a copy: the report owns it


def test_pyproject_keys_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.tabletrace]\nignore = ['TT001']\nmax-file-size = '10KB'\nbogus = 1\n"
        "include_tests = 'maybe'\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) == (
        "invalid tabletrace configuration: bogus: not a setting (the settings: exclude, "
        "include_tests, include_examples, dialect, default_schema, ignore_tables, "
        "external_tables, external_code, "
        "select, extend_select, ignore, per_file_ignores, migration_modules, "
        "migration_function_pattern, max_file_size); "
        "include_tests: expected true or false"
    )
    (tmp_path / "pyproject.toml").write_text(
        "[tool.tabletrace]\nignore = ['TT001']\nmax-file-size = '10KB'\n"
    )
    config = load_config(tmp_path, {"ignore": ["TT002"], "dialect": None})
    assert config.ignore == ["TT001", "TT002"]  # additive, as ruff's --ignore
    assert config.max_file_size == 10240 and config.dialect == "postgres"
