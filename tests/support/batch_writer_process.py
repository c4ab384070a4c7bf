"""One writer of a print batch in its own OS process, for the test that two processes write a
batch's files once: `python -m tests.support.batch_writer_process DATABASE_URL SPOOL BATCH START`
waits until the wall clock reaches START (so both processes begin together), writes the batch's
files as a replica or `loket print close` would, and prints how many times it composed them."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from pathlib import Path

from loket.infra.db.pool import create_pool
from services.ebox_bridge import print_batcher
from tests.integration.test_bridge_print import batcher


async def main(database_url: str, spool: Path, batch_id: str, start_at: float) -> None:
    composed = 0
    write_batch = print_batcher.write_batch

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal composed
        composed += 1
        time.sleep(0.5)  # hold the folder half-written a while: a second writer would find it
        return write_batch(*args, **kwargs)

    print_batcher.write_batch = counted  # type: ignore[assignment]
    pool = await create_pool(database_url, min_size=2, max_size=4)
    try:
        writer = batcher(pool, spool, dt.datetime.now(dt.UTC))
        await asyncio.sleep(max(0.0, start_at - time.time()))
        await writer.write_files(batch_id, wait=True)
    finally:
        await pool.close()
    print(f"composed {composed}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3], float(sys.argv[4])))
