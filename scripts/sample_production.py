"""Build a "production" database for sample_repo/, to try `--database-url` on.

    python scripts/sample_production.py postgresql://user:password@localhost/postgres

creates (or, with --replace, recreates) the database `lumen_production` on that server:

1. every statement of sample_repo's sources, in the order `tabletrace verify` uses (raw SQL
   files, then the Alembic head and model tables it replays), kept instead of dropped;
2. what years of production do to a schema: a table dropped by hand
   (`character_learning_timeline`, still in the Alembic head), a column added by hand
   (`users.legacy_login`), a hand-made table (`legacy_exports`), and a table the migrations
   dropped but this server never lost (`character_speech_patterns`);
3. some traffic, after resetting the statistics when the role may (`pg_stat_reset()` needs a
   superuser, or `GRANT EXECUTE ON FUNCTION pg_stat_reset() TO role` run in the template1
   database, so that the new database inherits it); otherwise the counters also include the
   build itself (seed INSERTs, index builds). Then the application's
   tables are read and written, and so is `character_optimizer_configs`, which no code in the
   repository uses (another service tunes the optimizers). Other dead tables see nothing.
   (Quoted ids: tables built from the Alembic head have `text` columns until replay knows
   the real types.)

Nothing of sample_repo's Python is run. Needs `pip install '.[postgres]'`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzer import scan  # noqa: E402
from analyzer.database import DatabaseError  # noqa: E402
from analyzer.database.build import build_into  # noqa: E402
from analyzer.database.plan import build_plan  # noqa: E402
from analyzer.database.url import parse_database_url  # noqa: E402

SAMPLE = ROOT / "sample_repo"
NAME = "lumen_production"

DRIFT = """
DROP TABLE character_learning_timeline;
ALTER TABLE users ADD COLUMN legacy_login text;
CREATE TABLE legacy_exports (id serial PRIMARY KEY, exported_at timestamptz, payload jsonb);
CREATE TABLE character_speech_patterns (id serial PRIMARY KEY, character_id int, pattern text);
"""

TRAFFIC = """
INSERT INTO users (id, username, email) VALUES ('1', 'elena', 'e@lumen.test'),
    ('2', 'marcus', 'm@lumen.test');
SELECT * FROM users WHERE id = '1';
UPDATE users SET email = 'elena@lumen.test' WHERE id = '1';
INSERT INTO characters (id, name, normalized_name) VALUES (101, 'Nova', 'nova')
    ON CONFLICT DO NOTHING;
SELECT count(*) FROM characters;
INSERT INTO character_optimizer_configs (id, character_id, optimizer_name, parameters, enabled)
    VALUES (1, 101, 'temperature', '{"t": 0.7}', true), (2, 101, 'top_p', '{"p": 0.9}', true);
UPDATE character_optimizer_configs SET enabled = false WHERE id = 2;
SELECT * FROM character_optimizer_configs WHERE id = 1;
INSERT INTO legacy_exports (exported_at, payload) VALUES (now(), '{}'), (now(), '{}');
"""


def database_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("server", help="a PostgreSQL URL whose role may create databases")
    parser.add_argument("--name", default=NAME, help=f"database to create (default {NAME})")
    parser.add_argument("--replace", action="store_true", help="drop it first if it exists")
    args = parser.parse_args()
    import psycopg

    server = parse_database_url(args.server)
    try:
        with psycopg.connect(server.conninfo, autocommit=True) as admin:
            if args.replace:
                admin.execute(f'DROP DATABASE IF EXISTS "{args.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{args.name}"')
    except psycopg.Error as exc:
        print(f"sample_production: {server.scrub(str(exc)).strip()}", file=sys.stderr)
        return 2
    target = parse_database_url(database_url(server.conninfo, args.name))
    report = scan(SAMPLE, cache=None)
    try:
        build = build_into(build_plan(report, SAMPLE), target)
    except DatabaseError as exc:
        print(f"sample_production: {exc}", file=sys.stderr)
        return 2
    with psycopg.connect(target.conninfo, autocommit=True) as conn:
        conn.execute(DRIFT)
        conn.execute("SELECT pg_stat_force_next_flush()")
        conn.execute("SELECT 1")  # the drift's own counters land before the reset
        try:
            conn.execute("SELECT pg_stat_reset()")
            reset = "statistics reset"
        except psycopg.Error:
            reset = "statistics not reset (pg_stat_reset() needs a superuser or a GRANT)"
        conn.execute(TRAFFIC)
        conn.execute("SELECT pg_stat_force_next_flush()")
        conn.execute("SELECT 1")
    print(
        f"built {target.display}: {build.count('applied')} statements applied, "
        f"{build.count('rejected')} rejected; drift and traffic added; {reset}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
