"""`create_app(settings)`: the simulator's ASGI app. Nothing is built at import time."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from loket.simulators.ebox import routes_admin, routes_federation, routes_oauth, routes_registry
from loket.simulators.ebox.errors import EboxError, error_response
from loket.simulators.ebox.settings import EboxSimSettings
from loket.simulators.ebox.state import SimState


async def live(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def _on_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, EboxError)
    return error_response(exc)


def create_app(settings: EboxSimSettings) -> Starlette:
    app = Starlette(
        routes=[
            Route("/health/live", live, methods=["GET"]),
            *routes_oauth.routes,
            *routes_registry.routes,
            *routes_federation.routes,
            *routes_admin.routes,
        ],
        exception_handlers={EboxError: _on_error},
    )
    app.state.sim = SimState.from_settings(settings)
    return app
