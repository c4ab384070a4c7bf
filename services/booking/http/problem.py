"""RFC 9457 problem details: every error the booking API returns has this shape."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    errors: list[dict[str, str]] | None = Field(
        default=None, description="For invalid input: one entry per problem, with its location."
    )


class ProblemError(Exception):
    """Raised by domain-facing code; the endpoint wrapper turns it into a problem response."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


def problem_response(status: int, title: str, detail: str, errors: list[dict[str, str]] | None = None) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, errors=errors)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_MEDIA_TYPE)
