"""One migrator process for the concurrency test: `python -m tests.support.migrate_once URL SCHEMA`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import asyncpg

from loket.infra.db.migrations import apply_migrations

SAMPLE = Path(__file__).parent / "migrations_sample"


async def main(url: str, schema: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        applied = await apply_migrations(conn, schema, SAMPLE)
        print(",".join(applied))
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
