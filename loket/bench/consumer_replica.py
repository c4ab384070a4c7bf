"""One consumer replica of `loket bench bus --consumers N`, in its own process as a service
replica runs: the production Bus and EventConsumer in the benchmark's consumer group, recording
each event's effect in the run's schema until SIGTERM. Prints `ready` once it consumes, then
`handled N` whenever its count of handled events moved (the benchmark's progress: counting effect
rows in PostgreSQL instead would add the benchmark's own queries to the CPU it measures).

    LOKET_BUS_URL=… LOKET_DATABASE_URL=… python -m loket.bench.consumer_replica SCHEMA GROUP TOPIC PRODUCER BATCH TIMEOUT_S

The URLs (with their passwords) come from the environment, never the command line, which any
local account can read in the process list.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

from loket.bench import pipeline_tables as tables
from loket.bench.pipeline_wiring import PipelineBus
from loket.contracts import LetterFailed
from loket.infra.bus.handler_context import BatchContext, BatchHandler
from loket.infra.db.pool import create_pool
from loket.infra.service_process import run_like_a_service
from loket.infra.settings import ConsumerSettings

PROGRESS_EVERY_S = 0.1


class EffectRecorder(BatchHandler):
    """The benchmark's handler: one effect row per event of this run's producer, a broker
    batch's rows in one statement, as the services' consumers on busy topics do (ebox_bridge's
    intake, notify's planner, reporting's projector and the webhook fan-out are batch handlers)."""

    def __init__(self, schema: str, producer: str) -> None:
        self.insert_effects, self.producer = tables.record_effects_sql(schema), producer

    async def handle_batch(self, events: list[LetterFailed], ctx: BatchContext) -> None:
        ours = [e for e in events if e.producer == self.producer]  # a shared bus may carry others' letters
        if ours:
            await ctx.conn.execute(self.insert_effects, [e.event_id for e in ours],
                                   [e.payload.letter_id for e in ours])


async def serve(bus_url: str, database_url: str, schema: str, group: str, topic: str, producer: str,
                batch: int, timeout_s: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    pool = await create_pool(database_url, min_size=1, max_size=4)
    wiring = PipelineBus(bus_url, group, topic, ConsumerSettings(batch_size=batch, batch_timeout_s=timeout_s))
    try:
        await wiring.start(pool, schema, {LetterFailed: EffectRecorder(schema, producer)}, from_now=False)
        print("ready", flush=True)
        await _report_progress(wiring, stop)
    finally:
        await wiring.stop(delete_durable=False)
        await pool.close()


async def _report_progress(wiring: PipelineBus, stop: asyncio.Event) -> None:
    reported = 0
    while not stop.is_set():
        handled = wiring.handled()
        if handled != reported:
            print(f"handled {handled}", flush=True)
            reported = handled
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PROGRESS_EVERY_S)


def main(argv: list[str]) -> None:
    schema, group, topic, producer, batch, timeout_s = argv
    run_like_a_service(serve(os.environ["LOKET_BUS_URL"], os.environ["LOKET_DATABASE_URL"], schema, group, topic,
                             producer, int(batch), float(timeout_s)))


if __name__ == "__main__":
    main(sys.argv[1:])
