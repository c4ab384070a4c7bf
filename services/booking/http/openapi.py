"""The OpenAPI 3.1 document, generated from the endpoint declarations and pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from loket.infra.http.openapi_document import (
    PATH_PARAMETER,
    component_schemas,
    openapi_path,
    query_parameters,
    ref,
)
from services.booking.http.endpoint import Endpoint
from services.booking.http.problem import PROBLEM_MEDIA_TYPE, Problem

_REASONS = {400: "Malformed request", 401: "Missing or invalid token", 403: "Role not allowed",
            404: "Not found", 409: "Conflict with the current state", 410: "Link expired or used",
            413: "Body too large", 415: "Not JSON", 422: "Invalid input", 429: "Too many requests"}


def openapi_document(endpoints: list[Endpoint], title: str, version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        paths.setdefault(openapi_path(e.path), {})[e.method.lower()] = _operation(e)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "Assistance points, appointments, walk-in queue and device loans. "
                                "Errors are RFC 9457 problem details."},
        "paths": paths,
        "components": {
            "schemas": component_schemas(_models(endpoints)),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Token with the role staff, backoffice or admin"}},
        },
    }


def _models(endpoints: list[Endpoint]) -> list[tuple[type[BaseModel], Any]]:
    seen: dict[tuple[type[BaseModel], str], None] = {(Problem, "serialization"): None}
    for e in endpoints:
        for model, mode in ((e.body, "validation"), (e.query, "validation"), (e.response, "serialization")):
            if model is not None:
                seen[(model, mode)] = None
    return list(seen)


def _operation(e: Endpoint) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": e.operation_id, "summary": e.summary, "tags": [e.tag],
                          "parameters": _parameters(e), "responses": {}}
    op["security"] = [] if e.roles is None else [{"bearer": []}]
    if e.roles:
        op["description"] = f"Roles: {', '.join(e.roles)} (and admin)."
    if e.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(e.body)}}}
    success: dict[str, Any] = {"description": "OK"}
    if e.response is not None:
        success["content"] = {e.content_type: {"schema": ref(e.response)}}
    elif e.content_type != "application/json":
        success["content"] = {e.content_type: {"schema": {"type": "string"}}}
    op["responses"][str(e.status)] = success
    for status in sorted(set(_error_codes(e))):
        op["responses"][str(status)] = {"description": _REASONS.get(status, "Error"),
                                        "content": {PROBLEM_MEDIA_TYPE: {"schema": ref(Problem)}}}
    return op


def _error_codes(e: Endpoint) -> list[int]:
    codes = list(e.errors)
    if e.roles is not None:
        codes += [401, 403]
    else:
        codes.append(429)  # public endpoints are rate limited
    if e.query is not None or e.body is not None:
        codes.append(422)
    if e.body is not None:
        codes += [400, 413, 415]
    return codes


def _parameters(e: Endpoint) -> list[dict[str, Any]]:
    params = [{"name": name, "in": "path", "required": True,
               "schema": e.extra.get("path", {}).get(name, {"type": "string", "minLength": 1})}
              for name in PATH_PARAMETER.findall(e.path)]
    if e.query is not None:
        params += query_parameters(e.query)
    return params
