"""Database mode: a real database as a second witness (optional extra `tabletrace[postgres]`).

tabletrace stays a static tool by default. With a database it can check what it read:

- `verify` builds the ordered SQL sources into a scratch PostgreSQL database and reports what
  PostgreSQL rejects (`plan.py` orders the statements, `verify.py` runs them);
- `--database-url` compares a live database's catalogue with the static picture and attaches
  its usage statistics to every table (`catalog.py` reads, `compare.py` compares).

Live connections are read-only and only run catalogue and statistics queries; passwords never
appear in any output (`url.py`).
"""

from __future__ import annotations

from types import ModuleType

INSTALL_HINT = "needs the PostgreSQL extra: pip install 'tabletrace[postgres]'"


class DatabaseError(Exception):
    """The database could not be reached or used; the message is safe to print (no password)."""


class DriverMissing(DatabaseError):
    """psycopg (3.x) is not installed."""


def psycopg_module() -> ModuleType:
    """Import psycopg lazily, so that tabletrace without the extra never needs it."""
    try:
        import psycopg
    except ImportError as exc:
        raise DriverMissing(f"PostgreSQL access {INSTALL_HINT}") from exc
    return psycopg
