"""A NUL character in the address, the query string or a posted form is refused at the door,
with a 400.

PostgreSQL's text cannot hold NUL (U+0000): a path segment, a form field or a query parameter
carrying `%00` reached the first statement that stored or compared it and was a 500 (found by
fuzzing the staff pages, the citizen pages and the letter desk of a running demo). Nobody types a NUL; it comes from a broken
client or a probe, so the answer names the character rather than a field: one check for every
page and API instead of one per form. JSON bodies are checked where they are parsed
(json_body.py), with the field's place; multipart bodies carry files, where NUL is ordinary.

Lone surrogates need nothing here: the form readers and Starlette decode percent-escapes as
UTF-8 with replacement, so `%ED%A0%80` arrives as U+FFFD, which is storable.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loket.infra.http.fallback_answers import answer

FORM_MEDIA_TYPE = b"application/x-www-form-urlencoded"


def holds_nul(raw: bytes) -> bool:
    # "%00" has no letters, so no case to fold; a raw NUL byte is as bad.
    return b"%00" in raw or b"\x00" in raw


class NulRefusalMiddleware:
    """Inside the body limit: a form's body is read whole here (capped there), then handed on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The path as sent (`raw_path`, %00) and as decoded (`path`, a NUL the router hands on as an id).
        if holds_nul(scope.get("raw_path") or b"") or "\x00" in scope.get("path", ""):
            await _refuse(scope, receive, send, "the address")
            return
        if holds_nul(scope.get("query_string", b"")):
            await _refuse(scope, receive, send, "the query string")
            return
        if not _content_type(scope).startswith(FORM_MEDIA_TYPE):
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                await self.app(scope, _replaying([message], receive), send)
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if holds_nul(body):
            await _refuse(scope, receive, send, "the form")
            return
        await self.app(scope, _replaying([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _content_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bytes(value).lower()
    return b""


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def _refuse(scope: Scope, receive: Receive, send: Send, where: str) -> None:
    request = Request(scope)
    response = answer(request, 400, "Unreadable request",
                      f"{where} holds a NUL character (%00), which no text may hold; send it again without it")
    await response(scope, receive, send)
