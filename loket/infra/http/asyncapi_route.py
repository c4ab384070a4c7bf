"""`/docs/asyncapi`: the service's own AsyncAPI document (authenticated, like every API)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from loket.infra.bus.asyncapi import asyncapi_document

if TYPE_CHECKING:
    from loket.infra.runtime import Runtime


def asyncapi_routes(runtime: Runtime) -> list[Route]:
    cached: dict[str, object] = {}

    async def document(_: Request) -> JSONResponse:
        if "doc" not in cached:
            cached["doc"] = asyncapi_document(
                runtime.bus.broker, title=f"Loket {runtime.name}", version="1.0.0",
                description=f"Events consumed and published by the Loket {runtime.name} service.",
            )
        return JSONResponse(cached["doc"])

    return [Route("/docs/asyncapi", document), Route("/docs/asyncapi.json", document)]
