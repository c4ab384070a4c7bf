"""The bus benchmark's report names the PostgreSQL floor (the pipeline's statements with no bus)
next to the raw baselines, in the terminal table, the Markdown and the JSON; without a local
PostgreSQL it says the figure was not measured rather than showing a zero."""

from __future__ import annotations

import json

from loket.bench.bus_report import BusReport
from loket.bench.pipeline import PipelineOptions, PipelineResult
from loket.bench.postgres_floor import PostgresFloor
from loket.bench.raw_nats import RawBusResult
from loket.bench.raw_postgres import RawPostgresResult


def _report(floor: PostgresFloor | None) -> BusReport:
    run = PipelineResult(options=PipelineOptions(events=50_000), events_per_s=10_000.0, seconds=5.0, p50_ms=100.0,
                         p99_ms=200.0, max_ms=300.0, effects=50_000, distinct_effects=50_000)
    raw = RawBusResult(broker="kafka", messages=50_000, body_bytes=1023, publish_s=1.2, consume_s=0.4,
                       publish_per_s=41_667.0, consume_per_s=125_000.0, combined_per_s=31_250.0,
                       cpu_publish={}, cpu_consume={})
    pg = RawPostgresResult(connections=16, seconds=5.0, commits=80_000, commits_per_s=16_000.0, cpu={})
    return BusReport([run], raw, pg, postgres_floor=floor)


def test_the_floor_is_a_row_with_its_stages() -> None:
    floor = PostgresFloor(events=50_000, stages={"writers": 1.0, "relay": 0.5, "consumer": 0.3}, wall_s=4.1)
    report = _report(floor)
    row = next(r for r in report.rows() if r[0].startswith("PostgreSQL work alone"))
    assert row[1:] == ("1.8 s, 36 µs/event", "the pipeline's statements, one connection: writers 1.0, relay 0.5, consumer 0.3")
    assert "| PostgreSQL work alone, no bus (CPU) | 1.8 s, 36 µs/event |" in report.markdown()
    saved = json.loads(json.dumps(report.as_dict()))["postgres_floor"]
    assert saved["stages_cpu_s"] == {"writers": 1.0, "relay": 0.5, "consumer": 0.3}
    assert saved["per_event_us"] == 36.0


def test_a_floor_that_could_not_be_read_says_so() -> None:
    report = _report(None)
    row = next(r for r in report.rows() if r[0].startswith("PostgreSQL work alone"))
    assert row[1:] == ("not measured", "PostgreSQL is not on this machine")
    assert report.as_dict()["postgres_floor"] is None
