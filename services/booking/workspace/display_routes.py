"""`/display/{point}`: the waiting-room display. The calls as the page is loaded (and, without
script, every 10 s by a refresh), kept live by Server-Sent Events from `/display/{point}/events`
through a small script of ours. Nothing personal: ticket numbers, appointment times, counters."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.routing import Route

from loket.infra.runtime import Runtime
from services.booking.staff.directory import PointDirectory
from services.booking.workspace.device_access import DeviceAccess
from services.booking.workspace.feed import Board, CallFeed
from services.booking.workspace.rendering import message, render
from services.booking.workspace.texts import texts_for

STATIC = Path(__file__).parent / "static"
KEEP_ALIVE_S = 15.0
# A stream ends after this long and the browser reconnects at once, re-checking the device key
# (it may have been revoked). Short enough that a restarting service is not held up for long by
# its open streams (uvicorn waits for them to finish), long enough to cost nothing.
STREAM_LIFETIME_S = 55.0


def display_routes(runtime: Runtime, points: PointDirectory, feed: CallFeed, devices: DeviceAccess) -> list[Route]:
    db = runtime.db

    async def page(request: Request) -> Response:
        point_id = request.path_params["point_id"]
        async with db().acquire() as conn:
            staffed = await points.get(conn, point_id)
        point = staffed.point if staffed else None
        lang = _display_language(request, point.languages if point else ())
        if point is None or not devices.may_serve(await devices.principal(request), point):
            return message(request, 403, texts_for(lang)["no_device"], lang=lang)
        board = await feed.board(point_id)
        return render(request, "display.html.j2", lang=lang, title=point.name_in(lang, *point.languages),
                      point=point, board=board.as_json(), chime=request.query_params.get("chime") == "1")

    async def events(request: Request) -> Response:
        point_id = request.path_params["point_id"]
        async with db().acquire() as conn:
            staffed = await points.get(conn, point_id)
        point = staffed.point if staffed else None
        if point is None or not devices.may_serve(await devices.principal(request), point):
            return Response(status_code=403)
        queue = await feed.subscribe(point_id)
        return StreamingResponse(_stream(feed, queue, point_id), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def script(_: Request) -> Response:
        return FileResponse(STATIC / "display.js", media_type="text/javascript",
                            headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"})

    return [Route("/display/{point_id}", page, methods=["GET"]),
            Route("/display/{point_id}/events", events, methods=["GET"]),
            Route("/device/display.js", script, methods=["GET"])]


async def _stream(feed: CallFeed, queue: asyncio.Queue[Board], point_id: str) -> AsyncIterator[str]:
    try:
        yield "retry: 1000\n\n"
        yield (await feed.board(point_id)).event
        ends = time.monotonic() + STREAM_LIFETIME_S
        while (left := ends - time.monotonic()) > 0:
            try:
                board = await asyncio.wait_for(queue.get(), min(KEEP_ALIVE_S, left))
            except TimeoutError:
                if ends - time.monotonic() > 0:
                    yield ": still here\n\n"  # keeps proxies from closing an idle stream
                continue
            yield board.event
    finally:
        feed.unsubscribe(point_id, queue)


def _display_language(request: Request, point_languages: Sequence[str]) -> str:
    """A display speaks the point's first language unless its link says otherwise (`?lang=`)."""
    chosen = request.query_params.get("lang", "")
    if chosen in ("nl", "fr", "de", "en"):
        return chosen
    return point_languages[0] if point_languages else "nl"

