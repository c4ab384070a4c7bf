"""One declaration per HTTP endpoint drives routing, role and scope checks, input validation and
the OpenAPI document, so the published contract cannot drift from what the code accepts.

Handlers receive already-validated pydantic models and return a pydantic model (or a
Response); they never parse JSON, check roles or check whose object it is themselves.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from loket.infra.http.client_address import client_label
from loket.infra.http.json_body import MalformedJson, UnstorableText, parse_json
from loket.infra.identity import audit
from loket.infra.identity.audit import Access
from loket.infra.identity.authorization import Decision, decide
from loket.infra.identity.principal import Principal
from loket.infra.identity.roles import Role
from services.booking.errors import BookingError
from services.booking.http.errors import as_problem
from services.booking.http.problem import ProblemError, problem_response
from services.booking.http.rate_limit import RateLimit
from services.booking.http.scopes import Audited, InBody, InPath, Open, Scope
from services.booking.http.transactions import retried
from services.booking.locations import Locator

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024

Handler = Callable[..., Awaitable[BaseModel | Response]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    roles: frozenset[Role] | None  # None: public, no principal needed
    scope: Scope  # whose objects it touches: no default, every endpoint declares one
    audit: Audited | None = None  # set where the endpoint reads or changes personal data
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    tag: str = "booking"
    content_type: str = "application/json"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


def validation_problem(exc: ValidationError, where: str) -> Response:
    return _invalid([{"location": ".".join([where, *(str(p) for p in e["loc"])]), "message": e["msg"]}
                     for e in exc.errors(include_url=False, include_input=False)])


def _invalid(errors: list[dict[str, str]]) -> Response:
    detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
    return problem_response(422, "Invalid request", detail, errors)


def _role_refusal(request: Request, roles: frozenset[Role]) -> Response | None:
    principal: Principal | None = getattr(request.state, "principal", None)
    decision = decide(principal, roles, None)
    if decision is Decision.UNAUTHENTICATED:  # the auth middleware lets only open prefixes through
        return problem_response(401, "Unauthorized", "send 'Authorization: Bearer <token>'")
    if decision is Decision.WRONG_ROLE:
        assert principal is not None
        return problem_response(403, "Forbidden", f"this endpoint serves {', '.join(sorted(roles))}; "
                                                  f"{principal.name!r} is {principal.role}")
    return None


async def _scope_refusal(request: Request, endpoint: Endpoint, kwargs: dict[str, Any], locator: Locator,
                         pool: Callable[[], Any]) -> Response | None:
    """404 for an object that does not exist and, the same, for one outside the principal's
    municipality or points: whether another tenant's object exists is not theirs to learn."""
    scope = endpoint.scope
    if isinstance(scope, Open):
        return None
    object_id = scope.object_id(request, kwargs)
    # A connection costs round trips even for no query (its reset on release): not for a known point.
    location = locator.known(scope.what, object_id)
    if location is None:
        async with pool().acquire() as conn:
            location = await locator.locate(conn, scope.what, object_id)
    assert endpoint.roles is not None
    if location is None or decide(request.state.principal, endpoint.roles, location) is not Decision.ALLOW:
        return problem_response(404, f"Unknown {scope.what}", f"there is no {scope.what} {object_id!r}")
    return None


async def _parse_body(request: Request, model: type[BaseModel]) -> BaseModel | Response:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return problem_response(413, "Request too large", f"the body may be at most {MAX_BODY_BYTES} bytes")
    if not request.headers.get("content-type", "").startswith("application/json"):
        return problem_response(415, "Unsupported media type", "send the body as application/json")
    try:
        data = parse_json(raw)
    except UnstorableText as exc:
        return _invalid([{"location": ".".join(["body", *map(str, exc.path)]), "message": str(exc)}])
    except MalformedJson as exc:
        return problem_response(400, "Malformed JSON", str(exc))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        return validation_problem(exc, "body")


def to_route(endpoint: Endpoint, locator: Locator, pool: Callable[[], Any], limiter: RateLimit | None = None,
             on_server_error: Callable[[], None] | None = None) -> Route:
    async def run(request: Request) -> Response:
        if endpoint.roles is not None and (refusal := _role_refusal(request, endpoint.roles)):
            return refusal
        if endpoint.roles is None and limiter is not None:
            if (wait := await limiter.retry_after(client_label(request))) > 0:
                response = problem_response(429, "Too many requests", f"slow down: try again in {wait:.0f} s")
                response.headers["Retry-After"] = str(max(1, round(wait)))
                return response
        kwargs: dict[str, Any] = {}
        # An object named in the path is checked before the input is: a refused principal learns
        # nothing, not even what the endpoint would have accepted.
        if isinstance(endpoint.scope, InPath) and (refusal := await _scope_refusal(
                request, endpoint, kwargs, locator, pool)) is not None:
            return refusal
        if endpoint.query is not None:
            try:
                kwargs["query"] = endpoint.query.model_validate(dict(request.query_params))
            except ValidationError as exc:
                return validation_problem(exc, "query")
        if endpoint.body is not None:
            parsed = await _parse_body(request, endpoint.body)
            if isinstance(parsed, Response):
                return parsed
            kwargs["body"] = parsed
        if isinstance(endpoint.scope, InBody) and (refusal := await _scope_refusal(
                request, endpoint, kwargs, locator, pool)) is not None:
            return refusal
        try:
            # Each handler is one transaction: on a deadlock or serialization failure it runs again.
            result = await retried(lambda: endpoint.handler(request, **kwargs), f"{endpoint.method} {endpoint.path}")
        except (BookingError, ProblemError) as exc:
            problem = as_problem(exc)
            return problem_response(problem.status, problem.title, problem.detail)
        except Exception:
            # Counted for the LoketBookingErrors alert; the traceback goes to the log, not to the caller.
            log.exception("%s %s failed", endpoint.method, endpoint.path)
            if on_server_error is not None:
                on_server_error()
            return problem_response(500, "Internal error", "something went wrong on our side; please try again")
        if endpoint.audit is not None and not isinstance(result, Response):
            await _audit(request, endpoint, endpoint.audit, kwargs, result, pool)
        if isinstance(result, Response):
            return result
        return JSONResponse(result.model_dump(mode="json"), status_code=endpoint.status)

    return Route(endpoint.path, run, methods=[endpoint.method], name=endpoint.operation_id)


async def _audit(request: Request, endpoint: Endpoint, audited: Audited, kwargs: dict[str, Any], result: BaseModel,
                 pool: Callable[[], Any]) -> None:
    if audited.id_field is not None:
        object_id = str(getattr(result, audited.id_field))
    else:
        assert isinstance(endpoint.scope, InPath | InBody), f"{endpoint.path}: audited without an object"
        object_id = endpoint.scope.object_id(request, kwargs)
    async with pool().acquire() as conn:
        await audit.record(conn, request.state.principal, Access(audited.action, audited.object_type, object_id),
                           client_label(request), "booking")


def uuid_path(request: Request, name: str, what: str) -> uuid.UUID:
    """A UUID path parameter; anything else names no such `what` (404, not a validation error:
    the path is an address, not a form)."""
    try:
        return uuid.UUID(request.path_params[name])
    except ValueError:
        raise ProblemError(404, f"Unknown {what}", f"{what} ids are UUIDs") from None
