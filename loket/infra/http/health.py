"""Liveness, readiness and metrics endpoints, shared by every service."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from loket.infra.runtime import Runtime


def health_routes(runtime: Runtime) -> list[Route]:
    async def live(_: Request) -> Response:
        return JSONResponse({"status": "alive", "service": runtime.name})

    async def ready(_: Request) -> Response:
        database, bus = await asyncio.gather(runtime.database_ok(), runtime.bus_ok())
        ok = database and bus and runtime.started
        runtime.metrics.ready.set(1 if ok else 0)
        body = {
            "status": "ready" if ok else "unavailable",
            "service": runtime.name,
            "checks": {"database": database, "bus": bus, "started": runtime.started},
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(runtime.registry), media_type=CONTENT_TYPE_LATEST)

    return [
        Route("/health/live", live),
        Route("/health/ready", ready),
        Route("/metrics", metrics),
    ]
