"""A real PostgreSQL for the database tests, through ``TABLETRACE_PG_URL``.

``.ci/run`` starts the Debian cluster and exports ``TABLETRACE_PG_URL`` (SQLAlchemy's
``postgresql+psycopg2://`` form, which tabletrace accepts as is). The role must be allowed to
create databases: every test gets databases of its own (a "live" one to compare with, an
empty "dev" one for verify) and drops them. Without a server, psycopg or that right, the tests
skip and say which is missing.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from analyzer.database.url import DatabaseUrl, parse_database_url

MakeDatabase = Callable[[str], str]


def _skip_reason() -> tuple[str | None, DatabaseUrl | None]:
    raw = os.environ.get("TABLETRACE_PG_URL")
    if not raw:
        return "TABLETRACE_PG_URL is not set (CI's .ci/run sets it)", None
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install '.[postgres]')", None
    url = parse_database_url(raw)
    try:
        with psycopg.connect(url.conninfo, connect_timeout=5, autocommit=True) as conn:
            can_create = conn.execute(
                "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()[0]
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {url.display}: {url.scrub(str(exc))}", None
    if not can_create:
        return f"the role of {url.display} may not create databases (CREATEDB)", None
    return None, url


@pytest.fixture(scope="session")
def pg_server() -> DatabaseUrl:
    reason, url = _skip_reason()
    if reason:
        pytest.skip(reason)
    assert url is not None
    return url


def url_of(server: DatabaseUrl, database: str) -> str:
    """The server URL (password included: for tabletrace's input only) on another database."""
    return urlunsplit(urlsplit(server.conninfo)._replace(path=f"/{database}"))


def flush_statistics(conn: object) -> None:
    """Make this session's counters visible to other sessions now (PostgreSQL 15+)."""
    conn.execute("SELECT pg_stat_force_next_flush()")  # type: ignore[attr-defined]
    conn.execute("SELECT 1")  # type: ignore[attr-defined]


@pytest.fixture
def make_database(pg_server: DatabaseUrl) -> Iterator[MakeDatabase]:
    """`make_database(sql)` creates a database, runs `sql` there, returns its URL."""
    import psycopg

    created: list[str] = []

    def make(sql: str = "") -> str:
        name = f"tabletrace_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_server.conninfo, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        url = url_of(pg_server, name)
        if sql:
            with psycopg.connect(parse_database_url(url).conninfo, autocommit=True) as conn:
                conn.execute(sql)
                flush_statistics(conn)
        return url

    yield make
    with psycopg.connect(pg_server.conninfo, autocommit=True) as admin:
        for name in created:
            drop_database(admin, name)


def drop_database(admin: Any, name: str) -> None:
    """`DROP DATABASE ... WITH (FORCE)`, waiting for a process of another role (an
    autovacuum worker on the new database) that FORCE may not end: PostgreSQL then refuses
    with "must be a member of the role whose process is being terminated"."""
    import psycopg

    for attempt in range(20):
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == 19:
                raise
            time.sleep(0.25)


@pytest.fixture(scope="session")
def dev_database(pg_server: DatabaseUrl) -> Iterator[str]:
    """One empty database for the session: the --dev-url of verify (which builds in scratch
    databases of its own beside it, so this one stays empty; tests that need a database
    holding tables make their own)."""
    import psycopg

    name = f"tabletrace_dev_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield url_of(pg_server, name)
    with psycopg.connect(pg_server.conninfo, autocommit=True) as admin:
        drop_database(admin, name)


def scratch_databases(server: DatabaseUrl) -> list[str]:
    import psycopg

    with psycopg.connect(server.conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'tabletrace\\_scratch\\_%' "
            "ORDER BY datname"
        ).fetchall()
    return [row[0] for row in rows]
