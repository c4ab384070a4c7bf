"""Live calls for the waiting-room displays: one LISTEN connection per process, and per point one
snapshot read per change, fanned out to every display of that point.

A call's transaction NOTIFYs `booking_calls` with the point id (`queue/calls.py`); PostgreSQL
delivers it at commit, to every booking process, so a display on any process sees every call.
Each subscriber holds only the newest snapshot: a slow screen skips states, it never lags."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import asyncpg

from loket.infra.errors import described
from loket.infra.runtime import Runtime
from services.booking.appointments.service import Appointments
from services.booking.calendar.local_time import BRUSSELS, local_date, local_instant
from services.booking.queue import calls
from services.booking.staff.directory import Staffed
from services.booking.workspace.wait_estimate import WaitEstimate
from services.booking.workspace.wait_figures import wait_for

log = logging.getLogger(__name__)
SHOWN = 6  # calls on the screen


@dataclass(frozen=True)
class Board:
    """What a display shows: recent calls (ticket number or appointment time, counter), newest first."""

    calls: list[calls.Shown]
    waiting: int
    wait: WaitEstimate  # for someone taking a ticket now

    def as_json(self) -> dict[str, Any]:
        return {"calls": [{"label": c.label, "counter": c.counter, "calling": c.calling, "appointment": c.appointment,
                           "time": f"{c.called_at.astimezone(BRUSSELS):%H:%M}",
                           "key": f"{c.label}@{c.counter}@{c.called_at.timestamp():.3f}"} for c in self.calls],
                "waiting": self.waiting, "wait": [self.wait.optimistic_minutes, self.wait.realistic_minutes]}

    @cached_property
    def event(self) -> str:
        """The Server-Sent Event carrying this board, encoded once for every display of the point."""
        return f"event: board\ndata: {json.dumps(self.as_json(), separators=(',', ':'))}\n\n"


async def read_board(conn: asyncpg.Connection, schema: str, staffed: Staffed, now: dt.datetime) -> Board:
    point_id = staffed.point.point_id
    since = local_instant(local_date(now), dt.time())
    shown = await calls.recent(conn, schema, point_id, since, SHOWN)
    waiting = int(await conn.fetchval(
        f"SELECT count(*) FROM {schema}.tickets WHERE point_id = $1 AND status = 'waiting'", point_id))
    return Board(shown, waiting, await wait_for(conn, schema, staffed, None, waiting, now))


class CallFeed:
    def __init__(self, runtime: Runtime, appointments: Appointments, clock: Callable[[], dt.datetime]) -> None:
        self.runtime, self.appointments, self.clock = runtime, appointments, clock
        self._subscribers: dict[str, set[asyncio.Queue[Board]]] = {}
        self._changed: set[str] = set()
        self._wake = asyncio.Event()
        self._started = False
        self.listening = asyncio.Event()

    async def subscribe(self, point_id: str) -> asyncio.Queue[Board]:
        if not self._started:
            self._started = True
            self.runtime.spawn(self._run(), "display-feed")
        queue: asyncio.Queue[Board] = asyncio.Queue(maxsize=1)
        self._subscribers.setdefault(point_id, set()).add(queue)
        return queue

    def unsubscribe(self, point_id: str, queue: asyncio.Queue[Board]) -> None:
        subscribers = self._subscribers.get(point_id)
        if subscribers is not None:
            subscribers.discard(queue)
            if not subscribers:
                self._subscribers.pop(point_id, None)

    async def board(self, point_id: str) -> Board:
        async with self.runtime.db().acquire() as conn:
            staffed = await self.appointments.staffed(conn, point_id)
            return await read_board(conn, self.runtime.schema, staffed, self.clock())

    async def _run(self) -> None:
        pusher = asyncio.create_task(self._push_changes())
        try:
            while True:
                try:
                    async with self.runtime.db().acquire() as conn:
                        await self._listen(conn)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # database gone: the displays keep their last board
                    log.warning("display feed paused: %s", described(exc))
                self.listening.clear()
                await asyncio.sleep(1.0)
        finally:
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pusher

    async def _listen(self, conn: asyncpg.Connection) -> None:
        """Until the connection is lost."""
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _: lost.set())
        await conn.add_listener(calls.CHANNEL, self._notified)
        self.listening.set()
        # Calls made while the connection was down: every display reads again.
        self._changed.update(self._subscribers)
        self._wake.set()
        try:
            await lost.wait()
        finally:
            with contextlib.suppress(Exception):
                await conn.remove_listener(calls.CHANNEL, self._notified)

    def _notified(self, _conn: object, _pid: int, _channel: str, point_id: str) -> None:
        if point_id in self._subscribers:
            self._changed.add(point_id)
            self._wake.set()

    async def _push_changes(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            changed, self._changed = self._changed, set()
            for point_id in changed:
                try:
                    board = await self.board(point_id)
                except Exception as exc:
                    log.warning("display board of %s not read: %s", point_id, described(exc))
                    continue
                for queue in list(self._subscribers.get(point_id, ())):
                    if queue.full():
                        queue.get_nowait()
                    queue.put_nowait(board)
