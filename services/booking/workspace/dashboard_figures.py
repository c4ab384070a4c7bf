"""A point's figures for its manager, for a local day or the week around it: read-only
aggregates over booking's own tables (visits, tickets, calls, appointments)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg

from services.booking.calendar.local_time import local_instant


@dataclass(frozen=True)
class Period:
    first: dt.date
    days: int  # 1 (a day) or 7 (the week from Monday)

    @classmethod
    def of(cls, day: dt.date, week: bool) -> Period:
        return cls(day - dt.timedelta(days=day.weekday()), 7) if week else cls(day, 1)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return (local_instant(self.first, dt.time()),
                local_instant(self.first + dt.timedelta(days=self.days), dt.time()))


@dataclass(frozen=True)
class Figures:
    served: int
    waiting_now: int
    average_wait_s: float | None
    p95_wait_s: float | None
    by_topic: list[tuple[str, int]]
    no_shows: int
    missed_tickets: int
    by_counter: list[tuple[str, int, float | None]]  # counter, visits, average wait
    by_helper: list[tuple[str, int, float | None]]  # helper, visits ended, average duration


async def figures(conn: asyncpg.Connection, schema: str, point_id: str, period: Period) -> Figures:
    start, end = period.bounds()
    waits = await conn.fetchrow(
        f"""SELECT avg(waited_seconds)::float AS average,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY waited_seconds) AS p95
            FROM {schema}.visits WHERE point_id = $1 AND started_at >= $2 AND started_at < $3""",
        point_id, start, end)
    topics = await conn.fetch(
        f"""SELECT topic, count(*) AS n FROM {schema}.visits WHERE point_id = $1 AND ended_at >= $2 AND ended_at < $3
            GROUP BY topic ORDER BY n DESC, topic""", point_id, start, end)
    counters = await conn.fetch(
        f"""SELECT c.counter, count(*) AS n, avg(v.waited_seconds)::float AS average FROM {schema}.calls c
            JOIN {schema}.visits v ON v.visit_id = c.visit_id
            WHERE c.point_id = $1 AND v.started_at >= $2 AND v.started_at < $3 GROUP BY c.counter ORDER BY c.counter""",
        point_id, start, end)
    helpers = await conn.fetch(
        f"""SELECT helper_id, count(*) AS n, avg(extract(epoch FROM ended_at - started_at))::float AS average
            FROM {schema}.visits WHERE point_id = $1 AND ended_at >= $2 AND ended_at < $3
            GROUP BY helper_id ORDER BY helper_id""", point_id, start, end)
    counts = await conn.fetchrow(
        f"""SELECT
              (SELECT count(*) FROM {schema}.visits WHERE point_id = $1 AND ended_at >= $2 AND ended_at < $3) AS served,
              (SELECT count(*) FROM {schema}.tickets WHERE point_id = $1 AND status = 'waiting') AS waiting,
              (SELECT count(*) FROM {schema}.appointments WHERE point_id = $1 AND status = 'no_show'
                 AND starts_at >= $2 AND starts_at < $3) AS no_shows,
              (SELECT count(*) FROM {schema}.tickets WHERE point_id = $1 AND status = 'missed'
                 AND created_at >= $2 AND created_at < $3) AS missed""", point_id, start, end)
    return Figures(int(counts["served"]), int(counts["waiting"]), waits["average"], waits["p95"],
                   [(r["topic"], int(r["n"])) for r in topics], int(counts["no_shows"]), int(counts["missed"]),
                   [(r["counter"], int(r["n"]), r["average"]) for r in counters],
                   [(r["helper_id"], int(r["n"]), r["average"]) for r in helpers])
