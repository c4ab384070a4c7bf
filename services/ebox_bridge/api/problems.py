"""RFC 9457 problem details for the letters and webhooks API, with a JSON pointer (RFC 6901)
per invalid field so a back-office can show the error next to the field it came from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Fields a whole-model check names in its message ("exactly one of pdf_base64 or document_ref").
_NAMED_FIELD = re.compile(r"\b(pdf_base64|document_ref|sha256|recipient)\b")


class FieldError(BaseModel):
    pointer: str = Field(description="JSON pointer (RFC 6901) into the request body; '' is the whole body.")
    detail: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    errors: list[FieldError] | None = Field(default=None, description="For invalid input: one entry per field.")


class ApiProblem(Exception):
    """Raised by the API's use cases; the endpoint wrapper answers with it."""

    def __init__(self, status: int, title: str, detail: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.errors = status, title, detail, list(errors)

    def body(self) -> dict[str, Any]:
        return Problem(title=self.title, status=self.status, detail=self.detail,
                       errors=self.errors or None).model_dump(exclude_none=True)

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, media_type=PROBLEM_MEDIA_TYPE)


def pointer(*parts: str | int) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def field_errors(exc: ValidationError, prefix: Sequence[str | int] = ()) -> list[FieldError]:
    errors = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = list(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if not loc and (named := _NAMED_FIELD.search(message)):
            loc = [named.group(1)]
        errors.append(FieldError(pointer=pointer(*prefix, *loc), detail=message))
    return errors


def invalid(errors: Sequence[FieldError], title: str = "Invalid letter") -> ApiProblem:
    """422 naming each field; `title` says what was invalid (a letter unless told otherwise)."""
    detail = "; ".join(f"{e.pointer or '/'}: {e.detail}" for e in errors)
    return ApiProblem(422, title if errors else "Invalid request", detail, errors)


def not_found(what: str, object_id: object) -> ApiProblem:
    # The same answer for another municipality's object: whether it exists is not theirs to learn.
    return ApiProblem(404, f"Unknown {what}", f"there is no {what} {object_id}")
