"""Reading a posted form: plain application/x-www-form-urlencoded, no multipart parser needed,
and the size capped before anything is parsed."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

MAX_FORM_BYTES = 8_192


class FormTooLong(Exception):
    """Answered with a 413 (fallback_answers.py): the reason a person can act on, where an empty
    form read as one whose CSRF token had expired."""

    def __init__(self) -> None:
        super().__init__(f"the form is larger than the {MAX_FORM_BYTES} bytes a form of ours can be; "
                         "shorten its text and send it again")


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields; FormTooLong when the body is larger than a form of ours can be."""
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_FORM_BYTES:
            raise FormTooLong()
    return dict(parse_qsl(raw.decode("utf-8", errors="replace")))
