"""The sides of `loket bench notify`: AppointmentBooked events on the bus → confirmation SMS
accepted by the simulator (Loket: a real `loket serve notify`), and the raw baseline: plain
aiohttp POSTs of the same messages to the same simulator."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from loket.bench.timing import Timed
from loket.contracts import topics
from loket.contracts.appointments import AppointmentBooked
from loket.infra.bus import headers as h


@dataclass
class NotifyRun(Timed):
    counted = "messages"
    messages: int = 0
    seconds: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    missing: int = 0

    def within(self, seconds: float) -> float:
        return sum(1 for x in self.latencies_s if x <= seconds) / len(self.latencies_s) if self.latencies_s else 0.0


def phone(index: int) -> str:
    return f"+32471{index:06d}"


def booked_events(count: int, offset: int) -> list[AppointmentBooked]:
    starts = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(microsecond=0)
    return [AppointmentBooked(producer="bench", payload={
        "appointment_id": uuid.uuid4(), "point_id": "mechelen-stadhuis", "municipality": "12025",
        "point_name": "Stadhuis Mechelen", "starts_at": starts, "ends_at": starts + dt.timedelta(minutes=30),
        "point_kind": "municipal_counter", "service": "ebox_activation", "helper_id": "h1", "language": "nl",
        "contact": {"phone": phone(offset + i), "language": "nl"}, "booked_via": "citizen",
        "lead_time_seconds": 259200}) for i in range(count)]


async def publish_events(js, events: list[AppointmentBooked], rate: float, published: dict[str, float],  # type: ignore[no-untyped-def]
                         progress: Callable[[int], None], in_flight: int = 64) -> None:
    """All at once (rate 0) or paced at `rate` events/s; records each publication time by phone."""
    slots, started = asyncio.Semaphore(in_flight), time.perf_counter()

    async def one(index: int, event: AppointmentBooked) -> None:
        if rate > 0:
            await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        async with slots:
            published[event.payload.contact.phone] = time.time()  # type: ignore[index]
            await js.publish(topics.APPOINTMENTS, event.to_bytes(),
                             headers={h.NATS_MESSAGE_ID: str(event.event_id), h.KEY: event.partition_key()})
        if index % 500 == 0:
            progress(index)

    for start in range(0, len(events), 1000):
        await asyncio.gather(*(one(start + i, e) for i, e in enumerate(events[start:start + 1000])))
    progress(len(events))


async def accepted_by_phone(http: aiohttp.ClientSession, sim_url: str, admin: str) -> dict[str, float]:
    async with http.get(f"{sim_url}/admin/messages", headers={"Authorization": f"Bearer {admin}"}) as r:
        return {m["to"]: m["accepted_at"] for m in (await r.json())["messages"]}


async def measure_loket(js, http: aiohttp.ClientSession, sim_url: str, admin: str, events: list[AppointmentBooked],  # type: ignore[no-untyped-def]
                        rate: float, timeout_s: float, progress: Callable[[str, int], None]) -> NotifyRun:
    published: dict[str, float] = {}
    wanted = {e.payload.contact.phone for e in events}
    started = time.time()
    publisher = asyncio.create_task(publish_events(js, events, rate, published, lambda n: progress("published", n)))
    accepted: dict[str, float] = {}
    while time.time() - started < timeout_s:
        accepted = {p: t for p, t in (await accepted_by_phone(http, sim_url, admin)).items() if p in wanted}
        progress("accepted", len(accepted))
        if len(accepted) >= len(events):
            break
        await asyncio.sleep(0.5)
    await publisher
    last = max(accepted.values(), default=time.time())
    return NotifyRun(messages=len(accepted), seconds=last - started,
                     latencies_s=[t - published[p] for p, t in accepted.items() if p in published],
                     missing=len(events) - len(accepted))


async def measure_raw(sim_url: str, api_key: str, count: int, offset: int, concurrency: int,
                      progress: Callable[[int], None]) -> NotifyRun:
    """What the provider can take: the same message bodies, POSTed with the same concurrency."""
    latencies: list[float] = []
    queue = list(range(count))
    headers = {"Authorization": f"Bearer {api_key}"}
    async with aiohttp.ClientSession(headers=headers, connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        async def worker() -> None:
            while queue:
                i = queue.pop()
                body = {"to": phone(offset + i), "from": "Loket", "reference": str(uuid.uuid4()),
                        "body": "Afspraak bevestigd: maandag 30 maart 09:00 bij Stadhuis Mechelen. Gratis digitale hulp."}
                t0 = time.perf_counter()
                async with http.post(f"{sim_url}/v1/messages", json=body,
                                     headers={"Idempotency-Key": f"raw-{offset + i}"}) as r:
                    await r.read()
                    if r.status not in (200, 201):
                        raise RuntimeError(f"simulator answered {r.status}")
                latencies.append(time.perf_counter() - t0)
                if len(latencies) % 500 == 0:
                    progress(len(latencies))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    progress(count)
    return NotifyRun(messages=count, seconds=seconds, latencies_s=latencies)
