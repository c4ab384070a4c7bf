"""Error answers in the registry's `StatusMessage` shape: `{id, code, message}`."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse


class EboxError(Exception):
    """Raised anywhere in request handling; the app turns it into a StatusMessage answer."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        self.headers: dict[str, str] = {}


def invalid_input(message: str) -> EboxError:
    return EboxError(400, "INVALID_INPUT", message)


def status_message(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    # `id` is a fresh uuid per answer, as the real registry uses it to trace a failure.
    body = {"id": str(uuid.uuid4()), "code": code, "message": message, **extra}
    return JSONResponse(body, status_code=status)


def error_response(error: EboxError) -> JSONResponse:
    response = status_message(error.status, error.code, error.message, **error.extra)
    response.headers.update(error.headers)
    return response
