"""Database URLs: parsed once, shown only masked.

A URL given on the command line usually carries a password. It is kept in one place, the
`conninfo` handed to the driver, and every text tabletrace prints (console, JSON, error
messages) goes through `mask`/`scrub` so the password never leaves this module.

Accepted forms: `postgresql://`, `postgres://` and SQLAlchemy's `postgresql+psycopg2://`,
`postgresql+psycopg://`, `postgresql+asyncpg://` (the driver part is dropped; CI's
`TABLETRACE_PG_URL` uses `+psycopg2`), and `sqlite:///relative/path` or
`sqlite:////absolute/path` (the SQLAlchemy spelling).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from analyzer.database import DatabaseError

MASK = "***"
POSTGRES_SCHEMES = frozenset({"postgresql", "postgres"})
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
# Anything that looks like scheme://user:secret@ in free text (a driver's error message...).
_CREDENTIALS_IN_TEXT = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*(?=@)")
_SECRET_IN_TEXT = re.compile(r"(?P<head>\b(?:ssl)?password\s*=\s*)(?:'[^']*'|\S+)", re.I)


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """A parsed URL. `conninfo` holds the password: never print it, print `display`."""

    kind: Literal["postgresql", "sqlite"]
    conninfo: str
    display: str
    secrets: tuple[str, ...] = ()
    sqlite_path: str | None = None

    def scrub(self, text: str) -> str:
        """`text` with this URL's password (and any URL-shaped credentials) masked."""
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, MASK)
        return scrub(text)

    def __repr__(self) -> str:  # never the password, even in a traceback or a debugger
        return f"DatabaseUrl({self.display!r})"

    __str__ = __repr__


def scrub(text: str) -> str:
    """Mask credentials in free text: `scheme://user:secret@` and `password=secret`."""
    text = _CREDENTIALS_IN_TEXT.sub(lambda m: m.group("head") + MASK, text)
    return _SECRET_IN_TEXT.sub(lambda m: m.group("head") + MASK, text)


def mask(url: str) -> str:
    """`url` with its password replaced by `***` (and secret query parameters too)."""
    try:
        return parse_database_url(url).display
    except DatabaseError:
        return scrub(url)


def parse_database_url(url: str) -> DatabaseUrl:
    """Parse a PostgreSQL or SQLite URL; raise DatabaseError (masked) when it is neither."""
    scheme, _, rest = url.partition("://")
    base = scheme.lower().partition("+")[0]
    if not rest:
        raise DatabaseError(
            f"not a database URL: {scrub(url)!r} (expected postgresql://user@host/db or "
            "sqlite:///path)"
        )
    if base == "sqlite":
        return _sqlite_url(url, rest)
    if base not in POSTGRES_SCHEMES:
        raise DatabaseError(
            f"unsupported database URL scheme {scheme!r} in {scrub(url)!r}: tabletrace reads "
            "PostgreSQL (postgresql://...) and SQLite files (sqlite:///path)"
        )
    parts = urlsplit(f"postgresql://{rest}")
    secrets: list[str] = []
    netloc = parts.netloc
    userinfo, at, hostinfo = netloc.rpartition("@")
    if at and ":" in userinfo:
        user, _, password = userinfo.partition(":")
        secrets.extend({password, unquote(password)})
        shown_netloc = f"{user}:{MASK}@{hostinfo}"
    else:
        shown_netloc = netloc
    query = parse_qsl(parts.query, keep_blank_values=True)
    shown_query = []
    for key, value in query:
        if key.lower() in SECRET_PARAMETERS:
            secrets.extend({value, quote(value)})
            shown_query.append((key, MASK))
        else:
            shown_query.append((key, value))
    conninfo = urlunsplit(("postgresql", netloc, parts.path, parts.query, ""))
    display = urlunsplit(
        ("postgresql", shown_netloc, parts.path, urlencode(shown_query, safe="*"), "")
    )
    return DatabaseUrl(
        kind="postgresql",
        conninfo=conninfo,
        display=display,
        secrets=tuple(sorted((s for s in secrets if s), key=len, reverse=True)),
    )


def _sqlite_url(url: str, rest: str) -> DatabaseUrl:
    # sqlite:///relative.db -> rest "/relative.db"; sqlite:////abs.db -> rest "//abs.db"
    if not rest.startswith("/"):
        raise DatabaseError(f"SQLite URLs look like sqlite:///path/to/file.db, not {url!r}")
    path = rest[1:].split("?", 1)[0]
    if not path:
        raise DatabaseError(f"no file in SQLite URL {url!r} (expected sqlite:///path)")
    return DatabaseUrl(kind="sqlite", conninfo=path, display=f"sqlite:///{path}", sqlite_path=path)
