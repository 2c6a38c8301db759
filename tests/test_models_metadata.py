"""The ORM ground truth of tests/sample_expectations.py, proved by importing sample_repo's models.

sample_repo/app/models/ (every module of the package) and the application modules that use the
models (app/services/, app/web/) are imported for real, with SQLAlchemy, in this process:
the tables of every MetaData reachable from them (declarative bases, mapped classes, Table
objects) must be exactly ``MODEL_TABLES``; the mapped classes and Table variables must be
exactly those of ``MODEL_DECLARATIONS`` (with their lines); foreign keys plus the
relationship() of each class body must give ``REFERENCES``; and ``MODEL_DRIFT`` /
``MODEL_WITHOUT_MIGRATION`` must follow from ``MODEL_TABLES`` and the Alembic / SQL states.

Nothing is written into sample_repo/ (no byte code: ``sys.dont_write_bytecode`` during the
imports) and the imported ``app`` modules are removed from ``sys.modules`` afterwards.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import Mapper, registry
from sqlalchemy.sql import TableClause

from analyzer import Report
from tests import sample_expectations as expected
from tests.conftest import SAMPLE

# application packages that use the models (their other dependencies are only sqlalchemy)
USING_PACKAGES = ("app.services", "app.web")


@dataclass
class Imported:
    modules: dict[str, ModuleType]
    metadatas: list[MetaData]
    registries: list[registry]


def _qualified(table: Table) -> str:
    return f"{table.schema or 'public'}.{table.name}"


def _module_name(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _package_modules(package: str) -> list[str]:
    folder = SAMPLE.joinpath(*package.split("."))
    return [package] + [f"{package}.{info.name}" for info in pkgutil.iter_modules([str(folder)])]


def _is_app(name: str) -> bool:
    return name == "app" or name.startswith("app.")


def _reachable_metadata(modules: dict[str, ModuleType]) -> tuple[list[MetaData], list[registry]]:
    metadatas: dict[int, MetaData] = {}
    registries: dict[int, registry] = {}
    for module in modules.values():
        for value in vars(module).values():
            found: list[MetaData] = []
            if isinstance(value, MetaData):
                found.append(value)
            elif isinstance(value, Table):
                found.append(value.metadata)
            elif isinstance(value, type):
                metadata = getattr(value, "metadata", None)
                if isinstance(metadata, MetaData):
                    found.append(metadata)
                reg = getattr(value, "registry", None)
                if isinstance(reg, registry):
                    registries[id(reg)] = reg
            for metadata in found:
                metadatas[id(metadata)] = metadata
    return list(metadatas.values()), list(registries.values())


@pytest.fixture(scope="module")
def imported() -> Iterator[Imported]:
    saved = {name: module for name, module in sys.modules.items() if _is_app(name)}
    for name in saved:
        del sys.modules[name]
    names = ["app.models", *_package_modules("app.models")]
    names += [name for package in USING_PACKAGES for name in _package_modules(package)]
    names += [_module_name(path) for path, _, _, _ in expected.MODEL_DECLARATIONS]
    dont_write_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(SAMPLE))
    registries: list[registry] = []
    try:
        modules = {name: importlib.import_module(name) for name in dict.fromkeys(names)}
        metadatas, registries = _reachable_metadata(modules)
        for reg in registries:
            reg.configure()  # resolves relationship() targets and inheritance: must not fail
        yield Imported(modules, metadatas, registries)
    finally:
        for reg in registries:
            reg.dispose()
        sys.path.remove(str(SAMPLE))
        sys.dont_write_bytecode = dont_write_bytecode
        for name in [name for name in sys.modules if _is_app(name)]:
            del sys.modules[name]
        sys.modules.update(saved)


def _mappers(imported: Imported) -> list[Mapper]:
    return [mapper for reg in imported.registries for mapper in reg.mappers]


def test_two_declarative_bases_each_with_its_metadata(imported: Imported) -> None:
    models = imported.modules["app.models"]
    assert models.Base.metadata is not models.AnalyticsBase.metadata
    cache = imported.modules["app.cache.response_cache"]
    assert {id(m) for m in imported.metadatas} == {
        id(models.Base.metadata),
        id(models.AnalyticsBase.metadata),
        id(cache.cache_metadata),  # a plain MetaData, created with create_all at startup
    }


def test_metadata_tables_are_model_tables(imported: Imported) -> None:
    found: dict[str, tuple[str, ...]] = {}
    for metadata in imported.metadatas:
        for table in metadata.tables.values():
            name = _qualified(table)
            assert name not in found, f"{name} is in two MetaData objects"
            found[name] = tuple(column.name for column in table.columns)
    assert found == expected.MODEL_TABLES


def test_lightweight_table_is_in_no_metadata(imported: Imported) -> None:
    banned_users = imported.modules["app.services.moderation_service"].banned_users
    assert isinstance(banned_users, TableClause) and not isinstance(banned_users, Table)
    assert banned_users.name == "banned_users"
    assert "public.banned_users" not in expected.MODEL_TABLES


def test_declarations_name_every_mapped_class_and_table_object(imported: Imported) -> None:
    declared_names: set[tuple[str, str]] = set()
    for path, line, table, name in expected.MODEL_DECLARATIONS:
        module = imported.modules[_module_name(path)]
        value = getattr(module, name)
        source = (SAMPLE / path).read_text(encoding="utf-8").splitlines()
        if isinstance(value, Table):
            assert _qualified(value) == table
            assert re.match(rf"{name}\s*=\s*(?:sa\.)?Table\(", source[line - 1]), (path, line)
        else:
            assert value.__module__ == _module_name(path)
            assert _qualified(value.__table__) == table, name
            assert inspect.getsourcelines(value)[1] == line, (path, name)
            assert source[line - 1].startswith(f"class {name}("), (path, line)
        declared_names.add((_module_name(path), name))
    mapped = {(m.class_.__module__, m.class_.__name__) for m in _mappers(imported)}
    tables = {  # Table objects assigned at module level (not the ones merely imported)
        (module_name, variable)
        for module_name, module in imported.modules.items()
        for variable, value in vars(module).items()
        if isinstance(value, Table)
        and re.search(rf"^{variable}\s*=\s*(?:sa\.)?Table\(", inspect.getsource(module), re.M)
    }
    assert declared_names == mapped | tables
    covered = {table for _, _, table, _ in expected.MODEL_DECLARATIONS}
    assert covered == set(expected.MODEL_TABLES)


def test_single_and_joined_table_inheritance(imported: Imported) -> None:
    models = imported.modules["app.models"]
    assert models.EpisodicMemory.__table__ is models.MemoryEntry.__table__
    assert models.EpisodicMemory.__mapper__.single
    voiced = models.VoicedCharacter.__mapper__
    assert voiced.inherits is models.Character.__mapper__ and not voiced.single
    assert _qualified(voiced.local_table) == "public.character_voice_profiles"


def test_references_from_foreign_keys_and_relationships(imported: Imported) -> None:
    found: set[tuple[str, str]] = set()
    for metadata in imported.metadatas:
        for table in metadata.tables.values():
            for fk in table.foreign_keys:
                found.add((_qualified(table), _qualified(fk.column.table)))
    for mapper in _mappers(imported):
        for relationship in mapper.relationships:
            if relationship.parent is mapper:  # declared in this class body, not inherited
                found.add(
                    (_qualified(mapper.local_table), _qualified(relationship.mapper.local_table))
                )
    assert found == expected.REFERENCES


def _reference_columns(table: str) -> tuple[str, ...] | None:
    for tables in expected.ALEMBIC_HEAD_TABLES.values():
        if table in tables:
            return tables[table]
    for tables in expected.OTHER_SOURCE_STATES.values():  # create_all, migration modules
        if table in tables and tables[table][1] is not None:
            return tables[table][1]
    creators = [s for s, tables in expected.SQL_FINAL_STATES.items() if tables.get(table)]
    assert len(creators) <= 1, f"{table}: several SQL sources create it: {creators}"
    return expected.SQL_FINAL_STATES[creators[0]][table] if creators else None


def test_model_drift_and_model_without_migration_follow_from_the_states() -> None:
    drift: dict[str, tuple[set[str], set[str]]] = {}
    without: set[str] = set()
    for table, columns in expected.MODEL_TABLES.items():
        reference = _reference_columns(table)
        if reference is None:
            without.add(table)
        elif set(reference) != set(columns):
            drift[table] = (set(reference) - set(columns), set(columns) - set(reference))
    assert without == expected.MODEL_WITHOUT_MIGRATION
    assert drift == expected.MODEL_DRIFT


def test_orm_ground_truth_is_consistent() -> None:
    assert expected.ORM_LOW_CONFIDENCE <= expected.ORM_USES
    uses_at = {(path, line) for path, line, _, _ in expected.ORM_USES}
    declared_at = {(path, line) for path, line, _, _ in expected.MODEL_DECLARATIONS}
    assert expected.ORM_NOT_USES & (uses_at | declared_at) == set()
    assert {kind for *_, kind in expected.ORM_USES} == {"read", "write"}
    for path, line, table, _ in expected.ORM_USES:
        text = (SAMPLE / path).read_text(encoding="utf-8").splitlines()[line - 1]
        assert text.strip() and not text.lstrip().startswith(("#", "import ", "from ")), (
            path,
            line,
        )
        assert table in expected.MODEL_TABLES or table == "public.banned_users"
    for path, line in expected.ORM_NOT_USES:
        assert Path(SAMPLE / path).is_file() and line <= len(
            (SAMPLE / path).read_text(encoding="utf-8").splitlines()
        )
    assert not set(expected.MODEL_TABLES) & expected.ABSENT_TABLES


def _tabletrace_model_tables(report: Report) -> dict[str, tuple[str, ...]]:
    """Tables (and columns) tabletrace reads statically from the SQLAlchemy models, per table
    (the Django models of backoffice/ are held to real Django in tests/test_django_real.py)."""
    found: dict[str, tuple[str, ...]] = {}
    for table in report.tables:
        for state in table.states:
            if state.source_kind == "model" and not state.source.startswith(
                "model:backoffice/"
            ):
                columns = tuple(state.columns or ())
                previous = found.get(table.qualified_name, ())
                found[table.qualified_name] = tuple(dict.fromkeys([*previous, *columns]))
    return found


def test_tabletrace_reads_exactly_the_metadata_tables(
    imported: Imported, sample_report: Report
) -> None:
    """The Done-when of ORM support: what importing the models puts in the metadata (tables
    and, in order, their columns) is what tabletrace reads without importing anything."""
    real: dict[str, tuple[str, ...]] = {}
    for metadata in imported.metadatas:
        for table in metadata.tables.values():
            real[_qualified(table)] = tuple(column.name for column in table.columns)
    assert _tabletrace_model_tables(sample_report) == real


def test_create_all_creates_what_tabletrace_says(
    imported: Imported, sample_report: Report, tmp_path: Path
) -> None:
    """The sample's `init_cache(engine)` run for real (in the test) on SQLite: the tables and
    columns it creates are the create_all source's final state."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    try:
        imported.modules["app.cache.response_cache"].init_cache(engine)
        inspector = sa.inspect(engine)
        built = {
            f"public.{name}": ("table", tuple(c["name"] for c in inspector.get_columns(name)))
            for name in inspector.get_table_names()
        }
    finally:
        engine.dispose()
    assert built == expected.OTHER_SOURCE_STATES["create_all:app/cache/response_cache.py:17"]
