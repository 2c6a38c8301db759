"""The Alembic ground truth of tests/sample_expectations.py, proved by running the real thing.

Every Alembic environment of sample_repo/ is upgraded to head with Alembic itself (in-process,
on a copy of sample_repo/ in tmp_path, SQLite database in tmp_path) and the database catalog
is compared with ``ALEMBIC_HEAD_TABLES``; Alembic's own reading of the revision files is
compared with ``ALEMBIC_REVISIONS`` / ``ALEMBIC_HEADS`` / branch labels / depends_on / merges,
and data-only, documentation-only and merge revisions are checked to change no schema. When
``TABLETRACE_PG_URL`` names a reachable PostgreSQL server (e.g.
``postgresql+psycopg2://user@localhost/db``), the head state is checked there too, each
environment in a throwaway schema.

env.py is never given an ini file name, so it does not call ``logging.config.fileConfig`` (that
would disable the loggers of the whole test session). The ini's ``prepend_sys_path`` is honoured
(revision 9b0c1d2e3f4a imports ``app.models``, as ``alembic`` run from sample_repo/ allows); the
imported ``app`` modules and the ``sys.path`` entries are dropped again after each test.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from analyzer import Report
from tests import sample_expectations as expected
from tests.conftest import SAMPLE

ENVS = sorted(expected.ALEMBIC_INI_FILES)

Schema = dict[str, tuple[str, ...]]


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sample_repo/ copied without byte code or databases (Alembic writes only into the copy)."""
    target = tmp_path_factory.mktemp("alembic") / "sample_repo"
    shutil.copytree(
        SAMPLE, target, ignore=shutil.ignore_patterns("__pycache__", "*.db", ".pytest_cache")
    )
    return target


@pytest.fixture(autouse=True)
def _no_database_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """The env.py files let LUMEN_*DATABASE_URL override the URL: never in these tests."""
    for name in list(os.environ):
        if name.startswith("LUMEN_"):
            monkeypatch.delenv(name)


def _is_app(name: str) -> bool:
    return name == "app" or name.startswith("app.")


@pytest.fixture(autouse=True)
def _sample_imports_are_forgotten() -> Iterator[None]:
    """Revisions import the sample's `app` package (prepend_sys_path): no test sees the `app`
    modules another one imported (from another copy), and none leaves them behind."""
    path = list(sys.path)
    saved = {name: module for name, module in sys.modules.items() if _is_app(name)}
    for name in saved:
        del sys.modules[name]
    yield
    sys.path[:] = path
    for name in [name for name in sys.modules if _is_app(name)]:
        del sys.modules[name]
    sys.modules.update(saved)


def _config(root: Path, env: str, url: str) -> Config:
    """An Alembic config for `env` from its real alembic.ini, but with no file name (see top)."""
    ini = root / expected.ALEMBIC_INI_FILES[env]
    from_ini = Config(str(ini))
    location = from_ini.get_main_option("script_location")
    assert location is not None
    # relative: to the directory alembic is run from, the ini's; "%(here)s/..." is absolute
    script_location = (ini.parent / location).resolve()
    assert script_location == (root / env).resolve()
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    prepend = from_ini.get_main_option("prepend_sys_path")
    if prepend:  # "." in sample_repo/alembic.ini: one entry, relative to the ini's directory
        config.set_main_option("path_separator", "os")
        config.set_main_option("prepend_sys_path", str((ini.parent / prepend).resolve()))
    return config


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _catalog(engine: sa.Engine, schema: str | None = None) -> tuple[Schema, set[str]]:
    """Tables with their columns in catalog order, and the version table's rows."""
    inspector = sa.inspect(engine)
    tables: Schema = {}
    versions: set[str] = set()
    for name in inspector.get_table_names(schema=schema):
        if name.startswith("alembic_version"):
            version_table = sa.table(name, sa.column("version_num"), schema=schema)
            with engine.connect() as conn:
                versions |= set(conn.scalars(sa.select(version_table.c.version_num)))
            continue
        columns = inspector.get_columns(name, schema=schema)
        tables[name] = tuple(column["name"] for column in columns)
    return tables, versions


def _shape(engine: sa.Engine) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Tables, columns and index names: what a schema change would change."""
    inspector = sa.inspect(engine)
    return {
        name: (
            tuple(c["name"] for c in inspector.get_columns(name)),
            tuple(sorted(str(i["name"]) for i in inspector.get_indexes(name))),
        )
        for name in inspector.get_table_names()
        if not name.startswith("alembic_version")
    }


def _prepare(url: str, env: str) -> None:
    """Create what must exist before `alembic upgrade head` can run through (ORDER_FAULTS)."""
    sql = expected.ORDER_PREREQUISITES[env]
    if sql:
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(sql))
        finally:
            engine.dispose()


def _without_prerequisites(tables: Schema, env: str) -> Schema:
    made_first = set(re.findall(r"CREATE TABLE (\w+)", expected.ORDER_PREREQUISITES[env]))
    return {name: columns for name, columns in tables.items() if name not in made_first}


def _tuple(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """None / "a" / ("a", "b"), as Alembic allows them, as a tuple."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _expected_tables(env: str) -> Schema:
    tables = expected.ALEMBIC_HEAD_TABLES[env]
    assert all(name.startswith("public.") for name in tables)
    return {name.removeprefix("public."): columns for name, columns in tables.items()}


def _env_of(revision: str) -> str:
    (env,) = [env for env in ENVS if revision in expected.ALEMBIC_REVISIONS[env]]
    return env


def test_every_environment_is_in_the_ground_truth() -> None:
    inis = sorted(p.relative_to(SAMPLE).as_posix() for p in SAMPLE.glob("**/alembic.ini"))
    assert inis == sorted(expected.ALEMBIC_INI_FILES.values())
    for table in (expected.ALEMBIC_HEAD_TABLES, expected.ALEMBIC_REVISIONS, expected.ALEMBIC_HEADS):
        assert sorted(table) == ENVS


@pytest.mark.parametrize("env", ENVS)
def test_upgrade_head_on_sqlite_gives_the_expected_tables(
    sample_copy: Path, tmp_path: Path, env: str
) -> None:
    url = _sqlite_url(tmp_path / "head.db")
    _prepare(url, env)
    command.upgrade(_config(sample_copy, env, url), "head")
    engine = sa.create_engine(url)
    try:
        tables, versions = _catalog(engine)
    finally:
        engine.dispose()
    assert _without_prerequisites(tables, env) == _expected_tables(env)
    assert versions == expected.ALEMBIC_HEADS[env]


@pytest.mark.parametrize("env", ENVS)
def test_fresh_upgrade_stops_where_tabletrace_says(
    sample_copy: Path, tmp_path: Path, env: str, sample_report: Report
) -> None:
    """The seed's headline: the documented fresh setup (`alembic upgrade head` first, on an
    empty database) fails, at exactly the revision of tabletrace's migration-order finding."""
    reported = sorted(
        (f.path, f.line, f.table)
        for f in sample_report.findings
        if f.name == "migration-order" and f.path and f.path.startswith(env + "/")
    )
    faults = expected.ORDER_FAULTS[env]
    assert reported == sorted((path, line, table) for _, path, line, table in faults)
    url = _sqlite_url(tmp_path / "fresh.db")
    if not faults:
        command.upgrade(_config(sample_copy, env, url), "head")
        return
    revision, _path, _line, table = faults[0]
    with pytest.raises(sa.exc.OperationalError, match=f"no such table: {table.split('.')[-1]}"):
        command.upgrade(_config(sample_copy, env, url), "head")
    engine = sa.create_engine(url)
    try:
        _tables, versions = _catalog(engine)
    finally:
        engine.dispose()
    # SQLite commits revision by revision: everything before the reported one ran
    assert versions == set(expected.ALEMBIC_REVISIONS[env][revision])


@pytest.mark.parametrize("env", ENVS)
def test_alembic_reads_the_expected_revision_graph(sample_copy: Path, env: str) -> None:
    config = _config(sample_copy, env, "sqlite://")
    script = ScriptDirectory.from_config(config)
    found = {rev.revision: rev for rev in script.walk_revisions()}
    assert {r: _tuple(s.down_revision) for r, s in found.items()} == expected.ALEMBIC_REVISIONS[env]
    assert set(script.get_heads()) == expected.ALEMBIC_HEADS[env]
    labels = {r: _tuple(s.module.branch_labels) for r, s in found.items() if s.module.branch_labels}
    depends = {r: _tuple(s.dependencies) for r, s in found.items() if s.dependencies}
    merges = {r for r, s in found.items() if s.is_merge_point}
    assert labels == {r: v for r, v in expected.ALEMBIC_BRANCH_LABELS.items() if r in found}
    assert depends == {r: v for r, v in expected.ALEMBIC_DEPENDS_ON.items() if r in found}
    assert merges == expected.MERGE_REVISIONS & set(found)


@pytest.mark.parametrize(
    "revision",
    sorted(
        expected.DATA_ONLY_REVISIONS
        | set(expected.DOCUMENTATION_ONLY_REVISIONS)
        | expected.MERGE_REVISIONS
    ),
)
def test_revisions_without_schema_change_change_no_schema(
    sample_copy: Path, tmp_path: Path, revision: str
) -> None:
    env = _env_of(revision)
    url = _sqlite_url(tmp_path / "steps.db")
    config = _config(sample_copy, env, url)
    for down in expected.ALEMBIC_REVISIONS[env][revision]:
        command.upgrade(config, down)
    engine = sa.create_engine(url)
    try:
        before = _shape(engine)
        command.upgrade(config, revision)
        assert _shape(engine) == before
    finally:
        engine.dispose()


def test_alembic_definitions_and_conditionals_point_at_operation_lines() -> None:
    """Guards the ground truth's line numbers against edits of the revision files."""
    call = re.compile(r"\b(?:batch_)?op\.\w+\(")
    files = {p.relative_to(SAMPLE).as_posix(): p for p in SAMPLE.glob("**/versions/**/*.*")}
    for path, line, table, _operation, revision in expected.ALEMBIC_DEFINITIONS:
        assert path in files, path
        text = files[path].read_text(encoding="utf-8").splitlines()[line - 1]
        bare = table.removeprefix("public.")
        assert re.search(rf"\b{bare}\b", text) or call.search(text), (path, line, text)
        if path.endswith(".py"):
            assert f"_{revision}_" in path, (path, revision)
        else:  # a .sql file: read by that revision
            (reader,) = [p for name, p in files.items() if f"_{revision}_" in name]
            assert Path(path).name in reader.read_text(encoding="utf-8")
    known_tables = {  # at head, or renamed or dropped on the way
        name.removeprefix("public.")
        for tables in expected.ALEMBIC_HEAD_TABLES.values()
        for name in tables
    } | {table.removeprefix("public.") for _, _, table, _, _ in expected.ALEMBIC_DEFINITIONS}
    for path, line in expected.ALEMBIC_CONDITIONAL:
        text = files[path].read_text(encoding="utf-8").splitlines()[line - 1]
        names_a_table = any(re.search(rf"\b{name}\b", text) for name in known_tables)
        assert call.search(text) or names_a_table, (path, line, text)


# ---------------------------------------------------------------------------------------------
# PostgreSQL, when TABLETRACE_PG_URL names a reachable server
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def pg_url() -> Iterator[sa.URL]:
    raw = os.environ.get("TABLETRACE_PG_URL")
    if not raw:
        pytest.skip("TABLETRACE_PG_URL is not set")
    url = sa.make_url(raw)
    try:
        engine = sa.create_engine(url)
    except ImportError as exc:  # no DBAPI driver (psycopg2 / psycopg) installed
        pytest.skip(f"no PostgreSQL driver: {exc}")
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    finally:
        engine.dispose()
    yield url


@pytest.mark.parametrize("env", ENVS)
def test_upgrade_head_on_postgresql_gives_the_expected_tables(
    sample_copy: Path, pg_url: sa.URL, env: str
) -> None:
    schema = f"tabletrace_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_url)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        try:
            scoped = pg_url.update_query_dict({"options": f"-csearch_path={schema}"})
            _prepare(scoped.render_as_string(hide_password=False), env)
            command.upgrade(
                _config(sample_copy, env, scoped.render_as_string(hide_password=False)), "head"
            )
            tables, versions = _catalog(admin, schema)
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
    assert _without_prerequisites(tables, env) == _expected_tables(env)
    assert versions == expected.ALEMBIC_HEADS[env]


# ---------------------------------------------------------------------------------------------
# tabletrace's static replay against the real thing
# ---------------------------------------------------------------------------------------------


def _tabletrace_head(report: Report, env: str) -> Schema:
    source = f"alembic:{env}"
    found: Schema = {}
    for table in report.tables:
        for state in table.states:
            if state.source == source:
                assert table.schema_name == "public", table.qualified_name
                found[table.name] = tuple(state.columns or ())
    return found


@pytest.mark.parametrize("env", ENVS)
def test_tabletrace_head_state_equals_real_upgrade_head(
    sample_copy: Path, tmp_path: Path, env: str, sample_report: Report
) -> None:
    """The Done-when of Alembic support: the statically replayed head state (tables and
    columns, in order) is exactly what `alembic upgrade head` builds on an empty database."""
    url = _sqlite_url(tmp_path / "compare.db")
    _prepare(url, env)  # what tabletrace says must run first; it is in no Alembic state
    command.upgrade(_config(sample_copy, env, url), "head")
    engine = sa.create_engine(url)
    try:
        tables, _versions = _catalog(engine)
    finally:
        engine.dispose()
    assert _tabletrace_head(sample_report, env) == _without_prerequisites(tables, env)
