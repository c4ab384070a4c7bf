"""`loket bench bus`'s PostgreSQL floor: the pipeline's statements with no bus, on the test
session's PostgreSQL (on this machine, so its server process's CPU can be read), every stage
measured, the work checked done and the schema gone afterwards."""

from __future__ import annotations

import asyncpg
import pytest

from loket.bench import postgres_floor
from loket.bench.postgres_floor import STAGES, measure_postgres_floor

EVENTS = 3000


async def test_each_stage_of_the_pipeline_costs_postgresql_measurable_cpu(database_url: str) -> None:
    seen: dict[str, int] = {}
    floor = await measure_postgres_floor(database_url, events=EVENTS, events_per_tx=50, relay_batch=500,
                                         consumer_batch=500, on_progress=seen.__setitem__)
    assert floor is not None
    assert tuple(floor.stages) == STAGES
    assert seen == dict.fromkeys(STAGES, EVENTS)
    # 3 000 one-KB events: the writers alone are tens of milliseconds of server CPU.
    assert floor.stages["writers"] > 0 and floor.total_s >= floor.stages["writers"]
    assert all(seconds >= 0 for seconds in floor.stages.values())
    assert floor.per_event_us == pytest.approx(floor.total_s / EVENTS * 1e6)
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'bench\\_floor\\_%'") == 0
    finally:
        await conn.close()


async def test_a_floor_whose_work_did_not_happen_is_refused(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def consume_nothing(*_: object) -> None:
        return None

    monkeypatch.setattr(postgres_floor, "_consume_all", consume_nothing)
    with pytest.raises(RuntimeError, match=r"did not do its work: 300 letters changed, 0 unsent, 0 effects"):
        await measure_postgres_floor(database_url, events=300, events_per_tx=50, relay_batch=100, consumer_batch=100)


def test_a_process_that_is_not_postgresql_has_no_server_cpu() -> None:
    import os

    assert postgres_floor.backend_cpu_s(os.getpid()) is None  # this is python, not postgres
    assert postgres_floor.backend_cpu_s(2**22 + 12345) is None  # no such process
