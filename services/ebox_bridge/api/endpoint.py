"""One declaration per endpoint of the bridge's API drives its route, its role check and its
entry in the OpenAPI document (`openapi.py`), so the document cannot drift from the routes.

Handlers get the request and the principal and return (status, JSON body) or raise ApiProblem;
they never check roles themselves. Whose object it is they check through the repositories,
which answer only within the principal's municipality (another's object is "unknown": 404).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from loket.infra.errors import InfrastructureUnavailable
from loket.infra.http.json_body import MalformedJson, UnstorableText, parse_json
from loket.infra.identity.principal import Principal
from loket.infra.identity.roles import Role
from services.ebox_bridge.api.problems import ApiProblem, FieldError, invalid, pointer

log = logging.getLogger(__name__)

# Back-office systems send and follow their municipality's letters; the operator may too.
SENDERS = frozenset({Role.BACKOFFICE, Role.OPERATOR})

Handler = Callable[[Request, Principal], Awaitable[tuple[int, Any] | Response]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    roles: frozenset[Role] = SENDERS
    tag: str = "letters"
    # Other request bodies this endpoint takes besides JSON (media type → schema).
    other_bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    headers: tuple[tuple[str, str], ...] = ()  # (name, description) of request headers it reads
    # A success answer that is not JSON (a file): media type → media object; and its headers.
    other_responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    response_headers: tuple[tuple[str, str], ...] = ()  # (name, description)
    # OpenAPI links from the success answer: name → (operation id, {path parameter: answer field}).
    links: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__.strip("_")


def to_route(endpoint: Endpoint) -> Route:
    async def run(request: Request) -> Response:
        principal: Principal | None = getattr(request.state, "principal", None)
        try:
            if principal is None:  # the auth middleware admits no one else here; kept as a guard
                raise ApiProblem(401, "Unauthorized", "send 'Authorization: Bearer <API key>'")
            if principal.role not in endpoint.roles:
                raise ApiProblem(403, "Forbidden", f"this endpoint serves {', '.join(sorted(endpoint.roles))}; "
                                                   f"{principal.name!r} is {principal.role}")
            result = await endpoint.handler(request, principal)
        except ApiProblem as problem:
            return problem.response()
        except InfrastructureUnavailable as exc:
            # The database, or what it must hold (the tenants), is not there yet: try again soon.
            log.warning("%s %s: %s", endpoint.method, endpoint.path, exc)
            response = ApiProblem(503, "Service unavailable", "try again in a few seconds").response()
            response.headers["Retry-After"] = "2"
            return response
        except Exception:
            # The traceback goes to the log, never to the caller.
            log.exception("%s %s failed", endpoint.method, endpoint.path)
            return ApiProblem(500, "Internal error", "something went wrong on our side; please try again").response()
        if isinstance(result, Response):
            return result
        status, body = result
        return JSONResponse(body, status_code=status)

    return Route(endpoint.path, run, methods=[endpoint.method], name=endpoint.operation_id)


async def json_body(request: Request) -> Any:
    """The request's JSON body; 415 or 400 problems for anything else."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise ApiProblem(415, "Unsupported media type", "send the body as application/json")
    return parsed_json(await request.body(), "the body")


def parsed_json(raw: bytes, what: str) -> Any:
    """`raw` parsed, or the letters API's problem: 400 for what is not JSON, 422 with a pointer
    for text no field may hold."""
    try:
        return parse_json(raw, what)
    except UnstorableText as exc:
        raise invalid([FieldError(pointer=pointer(*exc.path), detail=str(exc))], "Invalid request") from None
    except MalformedJson as exc:
        raise ApiProblem(400, "Malformed JSON", str(exc)) from None
