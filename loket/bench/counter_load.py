"""The two sides of `loket bench counter`, both measured the same way: a call is made (a clerk's
POST, or a raw publish) and every one of the open display streams notes when it first shows it.

- Loket: clerks signed in at their counters press "call next", start and end the visit and load
  the counter screen after each step (the page's p95 under load), while the waiting-room displays
  follow `/display/{point}/events` on a device key.
- Raw: the same number of streams on a bare uvicorn + Starlette fan-out (`counter_raw_sse.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from loket.bench.booking_setup import BUSY_POINT
from loket.bench.timing import percentile

DEVICE_COOKIE = "loket_device"


@dataclass
class SideResult:
    calls: int = 0
    seconds: float = 0.0
    call_to_display_s: list[float] = field(default_factory=list)
    page_s: list[float] = field(default_factory=list)
    unseen: int = 0  # (display, call) pairs a display never showed
    statuses: dict[str, int] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        ms = {f"call_to_display_{q}_ms": percentile(self.call_to_display_s, v) * 1000
              for q, v in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))}
        if self.page_s:
            ms |= {f"page_{q}_ms": percentile(self.page_s, v) * 1000 for q, v in (("p50", 0.5), ("p95", 0.95))}
        return {"calls": self.calls, "seconds": self.seconds, "calls_per_s": self.calls / self.seconds if self.seconds else 0,
                "deliveries": len(self.call_to_display_s), "unseen": self.unseen, "statuses": self.statuses, **ms}


class Screens:
    """N display streams; each remembers when it first saw each call (by its key)."""

    def __init__(self, count: int) -> None:
        self.first_seen: list[dict[str, tuple[float, str]]] = [{} for _ in range(count)]
        self.connected = 0

    async def follow(self, http: aiohttp.ClientSession, url: str, index: int, ready: asyncio.Event) -> None:
        seen = self.first_seen[index]
        async with http.get(url, headers={"Accept": "text/event-stream"}, timeout=aiohttp.ClientTimeout(total=None)) as r:
            if r.status != 200:
                raise RuntimeError(f"display stream answered HTTP {r.status}")
            buffer, counted = "", False
            async for chunk in r.content.iter_any():
                arrived = time.perf_counter()
                buffer += chunk.decode()
                while "\n\n" in buffer:
                    event, buffer = buffer.split("\n\n", 1)
                    data = "".join(line[5:].strip() for line in event.splitlines() if line.startswith("data:"))
                    if not data:
                        continue
                    board = json.loads(data)
                    for call in board.get("calls", [board]):
                        seen.setdefault(call["key"], (arrived, str(call.get("counter", ""))))
                    if not counted:
                        counted = True
                        self.connected += 1
                        if self.connected == len(self.first_seen):
                            ready.set()

    def deliveries(self, made: dict[str, float]) -> tuple[list[float], int]:
        """Latencies from each call (`made`: call key → when it was made) to each display."""
        latencies, unseen = [], 0
        for seen in self.first_seen:
            for key, started in made.items():
                if key in seen:
                    latencies.append(seen[key][0] - started)
                else:
                    unseen += 1
        return latencies, unseen


async def _with_screens(count: int, url: str, cookies: dict[str, str],
                        drive: Callable[[Screens], Awaitable[dict[str, float]]], settle_s: float) -> tuple[Screens, dict[str, float]]:
    screens, ready = Screens(count), asyncio.Event()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, cookies=cookies) as http:
        tasks = [asyncio.create_task(screens.follow(http, url, i, ready)) for i in range(count)]
        try:
            await asyncio.wait_for(ready.wait(), 60)
            made = await drive(screens)
            await asyncio.sleep(settle_s)  # the last calls reach every screen
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
    return screens, made


async def sign_in(http: aiohttp.ClientSession, base: str, username: str, password: str) -> None:
    async with http.get(f"{base}/signin", headers={"Accept": "text/html"}) as r:
        token = re.search(r'name="csrf" value="([^"]+)"', await r.text())
    if token is None:
        raise RuntimeError("the sign-in page has no CSRF field")
    async with http.post(f"{base}/signin", data={"csrf": token.group(1), "username": username, "password": password,
                                                  "next": ""}, allow_redirects=False) as r:
        if r.status != 303:
            raise RuntimeError(f"sign-in of {username} answered HTTP {r.status}")


async def run_loket(base: str, device_key: str, clerks: list[tuple[str, str]], displays: int, calls: int,
                    rate: float) -> SideResult:
    result = SideResult()
    interval = len(clerks) / rate  # each counter calls every `interval` seconds; all together `rate` per second
    sessions = [aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in clerks]
    try:
        for http, (username, password) in zip(sessions, clerks, strict=True):
            await sign_in(http, base, username, password)
        screens_csrf = []
        for i, http in enumerate(sessions):
            async with http.get(f"{base}/staff/counter/{BUSY_POINT}/{i + 1}", headers={"Accept": "text/html"}) as r:
                found = re.search(r'name="csrf" value="([^"]+)"', await r.text())
            if found is None:
                raise RuntimeError("the counter screen has no CSRF field")
            screens_csrf.append(found.group(1))
        per_counter = -(-calls // len(clerks))
        made_at: dict[str, list[float]] = {str(i + 1): [] for i in range(len(clerks))}

        async def counter(i: int, start: float) -> None:
            http, csrf, name = sessions[i], screens_csrf[i], str(i + 1)
            screen = f"{base}/staff/counter/{BUSY_POINT}/{name}"
            for k in range(per_counter):
                await asyncio.sleep(max(0.0, start + k * interval - time.perf_counter()))
                for action, fields in (("call-next", {}), ("arrived", {}),
                                       ("end", {"topic": "ebox_activation", "outcome": "resolved", "language": "nl"})):
                    began = time.perf_counter()
                    async with http.post(f"{screen}/{action}", data={"csrf": csrf, **fields},
                                         allow_redirects=False) as r:
                        await r.read()
                        result.statuses[str(r.status)] = result.statuses.get(str(r.status), 0) + 1
                    if action == "call-next":
                        made_at[name].append(began)
                    loaded = time.perf_counter()
                    async with http.get(screen, headers={"Accept": "text/html"}) as page:
                        body = await page.text()
                    result.page_s.append(time.perf_counter() - loaded)
                    if action == "call-next":
                        label = re.search(r"You are calling ticket (\d+)", body)
                        result.labels.append(label.group(1) if label else "?")

        async def drive(_: Screens) -> dict[str, float]:
            began = time.perf_counter()
            await asyncio.gather(*(counter(i, began + i * interval / len(clerks)) for i in range(len(clerks))))
            result.seconds = time.perf_counter() - began
            return {}

        screens, _ = await _with_screens(displays, f"{base}/display/{BUSY_POINT}/events",
                                         {DEVICE_COOKIE: device_key}, drive, settle_s=2.0)
    finally:
        for http in sessions:
            await http.close()
    # A display's call key names the counter; each counter's calls are `interval` apart, so the
    # call a display shows is the counter's latest one made before it showed it.
    result.calls = sum(len(v) for v in made_at.values())
    for seen in screens.first_seen:
        shown = {desk: 0 for desk in made_at}
        for arrived, desk in sorted(seen.values()):
            before = [t for t in made_at.get(desk, []) if t <= arrived]
            if before:
                result.call_to_display_s.append(arrived - before[-1])
                shown[desk] += 1
        result.unseen += sum(len(made_at[c]) - n for c, n in shown.items())
    return result


async def run_raw(base: str, displays: int, calls: int, rate: float) -> SideResult:
    result = SideResult()

    async def drive(_: Screens) -> dict[str, float]:
        made: dict[str, float] = {}
        async with aiohttp.ClientSession() as http:
            began = time.perf_counter()
            for k in range(calls):
                await asyncio.sleep(max(0.0, began + k / rate - time.perf_counter()))
                key = f"raw-{k}"
                made[key] = time.perf_counter()
                async with http.post(f"{base}/publish", params={"key": key}) as r:
                    await r.read()
                    result.statuses[str(r.status)] = result.statuses.get(str(r.status), 0) + 1
            result.seconds = time.perf_counter() - began
        return made

    screens, made = await _with_screens(displays, f"{base}/events", {}, drive, settle_s=1.0)
    result.calls = len(made)
    result.call_to_display_s, result.unseen = screens.deliveries(made)
    return result
