"""Reading a posted form: plain application/x-www-form-urlencoded, no multipart parser needed,
and the size capped before anything is parsed."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

MAX_FORM_BYTES = 8_192


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields; empty when the body is larger than a form of ours can be."""
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_FORM_BYTES:
            return {}
    return dict(parse_qsl(raw.decode("utf-8", errors="replace")))
