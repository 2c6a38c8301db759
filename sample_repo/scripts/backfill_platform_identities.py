"""Backfill platform links for users created before identity linking existed (1.0.9).

Usage: LUMEN_DATABASE_URL=... python scripts/backfill_platform_identities.py [--dry-run]
"""

from __future__ import annotations

import argparse
import logging
import os

import psycopg2

logger = logging.getLogger("backfill")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)

    conn = psycopg2.connect(os.environ["LUMEN_DATABASE_URL"])
    with conn, conn.cursor() as cur:
        cur.execute(
            """
            INSERT INTO platform_identities (universal_id, platform, platform_user_id, username)
            SELECT u.universal_id, 'discord', u.universal_id, u.primary_username
            FROM universal_users u
            WHERE NOT EXISTS (
                SELECT 1 FROM platform_identities pi WHERE pi.universal_id = u.universal_id
            )
            """
        )
        logger.info("%d identities backfilled", cur.rowcount)
        if args.dry_run:
            conn.rollback()
    conn.close()


if __name__ == "__main__":
    main()
