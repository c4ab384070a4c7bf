"""The body of a citizen page's form, read the one way every public page reads it: a plain
application/x-www-form-urlencoded body (no multipart parser needed), refused whole when it is
larger than any of our forms can be."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

MAX_FORM_BYTES = 16_384


async def public_form(request: Request) -> dict[str, str] | Response:
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        return HTMLResponse("Request too large", status_code=413)
    return dict(parse_qsl(raw.decode("utf-8", errors="replace")))
