"""What every service's OpenAPI 3.1 document is made of: component schemas generated from pydantic
models, references to them, query parameters from a query model, RFC 9457 problem answers, and
the route that serves the document at `/docs/openapi.json` (behind a bearer token, like every
API path).

Booking and the bridge declare their endpoints with their own `Endpoint` types and use the
pieces; notify and reporting, whose handlers are plain Starlette routes, describe them as
`Operation`s and get the whole document from `openapi_document`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

OPENAPI_PATH = "/docs/openapi.json"
PROBLEM_MEDIA_TYPE = "application/problem+json"
# A Starlette path parameter, with its optional converter: `{name}`, `{point_id:str}`.
PATH_PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")
_REF_TEMPLATE = "#/components/schemas/{model}"
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})

ModelUse = tuple[type[BaseModel], JsonSchemaMode]


class Problem(BaseModel):
    """RFC 9457 problem details, as `loket.infra.http.auth.problem` writes them (and the bearer
    token check and the body cap answer)."""

    type: str = "about:blank"
    title: str
    status: int = Field(ge=400, le=599)
    detail: str


def openapi_path(path: str) -> str:
    """A Starlette route path as an OpenAPI path template (converters dropped)."""
    return PATH_PARAMETER.sub(r"{\1}", path)


def ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF_TEMPLATE.format(model=model.__name__)}


def component_schemas(models: Iterable[ModelUse]) -> dict[str, Any]:
    """The JSON schemas of `models` and of every model they use, by name, for `components.schemas`."""
    _, defs = models_json_schema(list(dict.fromkeys(models)), ref_template=_REF_TEMPLATE)
    return defs.get("$defs", {})


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """One OpenAPI query parameter per field of `model` (arrays repeat the name: `?name=a&name=b`)."""
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": prop}
            for name, prop in schema.get("properties", {}).items()]


def problem_answer(description: str, problem: type[BaseModel] = Problem) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": ref(problem)}}}


def bearer_scheme(description: str) -> dict[str, Any]:
    return {"type": "http", "scheme": "bearer", "description": description}


# Every operation may meet it, before its own handler (nul_refusal.py): a NUL in the address, the
# query string or a form.
DOOR_REFUSAL = "Unreadable request: the address, the query string or the form holds a NUL character (%00)"


def with_door_refusals(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the 400 every operation may answer, where an operation does not name
    its own 400 already (the Problem schema added if the document has none)."""
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method in _METHODS:  # not a path item's shared "parameters" or "summary"
                operation.setdefault("responses", {}).setdefault("400", problem_answer(DOOR_REFUSAL))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" not in schemas:
        schemas.update(component_schemas([(Problem, "serialization")]))
    return document


def openapi_route(document: dict[str, Any]) -> Route:
    """`GET /docs/openapi.json`: the document, built once when the routes are."""
    document = with_door_refusals(document)

    async def openapi(_: Request) -> JSONResponse:
        return JSONResponse(document)

    return Route(OPENAPI_PATH, openapi, methods=["GET"])


@dataclass(frozen=True)
class Answer:
    """A success answer: a pydantic model as JSON, or a `schema` under another media type."""

    status: int
    description: str
    model: type[BaseModel] | None = None
    media_type: str = "application/json"
    schema: dict[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()  # (name, description)


@dataclass(frozen=True)
class Operation:
    """One HTTP operation of a service whose handlers are plain Starlette routes."""

    method: str
    path: str  # as routed by Starlette
    operation_id: str
    summary: str
    tag: str
    answers: tuple[Answer, ...]
    errors: dict[int, str]  # status → when (each answered as problem+json)
    security: tuple[str, ...] = ("bearer",)  # names of security schemes; () = open
    description: str | None = None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    path_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)  # path parameter → schema


def openapi_document(title: str, description: str, operations: Sequence[Operation],
                     security_schemes: dict[str, dict[str, Any]], version: str = "1") -> dict[str, Any]:
    models: list[ModelUse] = [(Problem, "serialization")]
    for op in operations:
        if op.body is not None:
            models.append((op.body, "validation"))
        models += [(a.model, "serialization") for a in op.answers if a.model is not None]
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(openapi_path(op.path), {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": paths,
        "components": {"schemas": component_schemas(models), "securitySchemes": security_schemes},
    }


def _operation(op: Operation) -> dict[str, Any]:
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": op.path_schemas.get(name, {"type": "string", "minLength": 1})}
                  for name in PATH_PARAMETER.findall(op.path)]
    if op.query is not None:
        parameters += query_parameters(op.query)
    out: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
                           "parameters": parameters, "security": [{name: []} for name in op.security]}
    if op.description:
        out["description"] = op.description
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(op.body)}}}
    responses: dict[str, Any] = {}
    for answer in op.answers:
        success: dict[str, Any] = {"description": answer.description}
        schema = ref(answer.model) if answer.model is not None else answer.schema
        if schema is not None:
            success["content"] = {answer.media_type: {"schema": schema}}
        if answer.headers:
            success["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                                  for name, text in answer.headers}
        responses[str(answer.status)] = success
    for status in sorted(op.errors):
        responses[str(status)] = problem_answer(op.errors[status])
    out["responses"] = responses
    return out
