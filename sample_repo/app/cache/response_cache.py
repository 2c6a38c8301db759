"""Rendered answers cached in the main database; the table is created at startup, no migration."""

import sqlalchemy as sa

cache_metadata = sa.MetaData()

response_cache = sa.Table(
    "response_cache",
    cache_metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
)


def init_cache(engine: sa.Engine) -> None:
    cache_metadata.create_all(engine)


def cached_answer(conn: sa.Connection, key: str) -> str | None:
    query = sa.select(response_cache.c.body).where(response_cache.c.key == key)
    return conn.execute(query).scalar()
