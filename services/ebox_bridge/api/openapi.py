"""The bridge's OpenAPI 3.1 document, generated from the endpoint declarations and their
pydantic models (served at `/docs/openapi.json`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from loket.infra.http.openapi_document import (
    PATH_PARAMETER,
    component_schemas,
    openapi_path,
    query_parameters,
    ref,
)
from services.ebox_bridge.api.endpoint import Endpoint
from services.ebox_bridge.api.problems import PROBLEM_MEDIA_TYPE, Problem

_REASONS = {400: "Malformed request", 401: "Missing or invalid API key", 403: "Role not allowed",
            404: "Not found (or another municipality's)", 409: "Conflict",
            410: "Gone: removed after the retention period", 413: "Body too large",
            415: "Unsupported media type", 422: "Invalid input",
            503: "Not ready yet: try again (see Retry-After)"}
_UUID_PARAMS = {"letter_id", "webhook_id", "delivery_id"}


def openapi_document(endpoints: list[Endpoint]) -> dict[str, Any]:
    models: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(Problem, "serialization"): None}
    for e in endpoints:
        modes: tuple[tuple[type[BaseModel] | None, JsonSchemaMode], ...] = (
            (e.body, "validation"), (e.response, "serialization"))
        for model, mode in modes:
            if model is not None:
                models[(model, mode)] = None
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        paths.setdefault(openapi_path(e.path), {})[e.method.lower()] = _operation(e)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Loket letters API", "version": "1",
                 "description": "Send municipal letters to the citizen's eBox or on paper, follow them, "
                                "and get called back (Standard Webhooks). Authenticate with your "
                                "municipality's API key. Errors are RFC 9457 problem details; invalid "
                                "fields are named by JSON pointers. An Idempotency-Key is remembered "
                                "for 24 hours (per municipality): retry within that time with the same "
                                "key; after it the key may count as new (a daily clean-up forgets it)."},
        "paths": paths,
        "components": {
            "schemas": component_schemas(models),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "An API key (`loket keys create --role backoffice`)"}},
        },
        "security": [{"bearer": []}],
    }


def _operation(e: Endpoint) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": e.operation_id, "summary": e.summary, "tags": [e.tag],
                          "parameters": _parameters(e), "responses": {}}
    if e.body is not None:
        content: dict[str, Any] = {"application/json": {"schema": ref(e.body)}}
        content.update(e.other_bodies)
        op["requestBody"] = {"required": True, "content": content}
    success: dict[str, Any] = {"description": "OK" if e.status < 300 else "Accepted"}
    if e.response is not None:
        success["content"] = {"application/json": {"schema": ref(e.response)}}
    if e.other_responses:
        success.setdefault("content", {}).update(e.other_responses)
    if e.response_headers:
        success["headers"] = {name: {"description": description, "schema": {"type": "string"}}
                              for name, description in e.response_headers}
    if e.links:
        success["links"] = {name: {"operationId": operation,
                                   "parameters": {p: f"$response.body#/{f}" for p, f in params.items()}}
                            for name, (operation, params) in e.links.items()}
    op["responses"][str(e.status)] = success
    codes = {*e.errors, 401, 403, 503}
    if e.body is not None:
        codes |= {400, 413, 415, 422}
    if e.query is not None:
        codes.add(422)
    if PATH_PARAMETER.search(e.path):
        codes.add(404)
    for status in sorted(codes):
        op["responses"][str(status)] = {"description": _REASONS.get(status, "Error"),
                                        "content": {PROBLEM_MEDIA_TYPE: {"schema": ref(Problem)}}}
    return op


def _parameters(e: Endpoint) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "string", "format": "uuid"} if name in _UUID_PARAMS else {"type": "string"}}
        for name in PATH_PARAMETER.findall(e.path)
    ]
    for name, description in e.headers:
        params.append({"name": name, "in": "header", "required": False, "description": description,
                       "schema": {"type": "string", "minLength": 1, "maxLength": 255}})
    if e.query is not None:
        params += query_parameters(e.query)
    return params
