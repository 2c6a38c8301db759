"""Ad-hoc experiments against a local database. Not part of the service."""

import asyncio

import asyncpg


async def main() -> None:
    conn = await asyncpg.connect("postgresql://lumen@localhost/lumen")
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS scratch_experiments (id serial PRIMARY KEY, note text, created_at timestamptz DEFAULT now())"
    )
    await conn.execute("INSERT INTO scratch_experiments (note) VALUES ($1)", "prompt v7 with shorter memories")
    for row in await conn.fetch("SELECT id, note FROM scratch_experiments ORDER BY id DESC LIMIT 5"):
        print(row["id"], row["note"])
    await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
