"""A cap on every request body, enforced before the application reads it.

Without it, `await request.body()` buffers whatever a client sends: one slow multi-gigabyte POST
holds the process's memory. The cap is checked twice: a declared `Content-Length` over the limit
is refused before a byte is read, and a body sent without one (chunked) is counted as it streams,
so lying about the length does not help either. The refusal is a 413 problem+json naming the
limit; a body cut off after the application started answering cannot be refused any more and
ends the connection instead. It works inside or outside Starlette's error middleware: the 413 is
sent the moment the limit is crossed, and whatever the application sends afterwards is dropped.

Limits are per path prefix (longest prefix wins) so a letter upload may carry its PDF while a
booking form stays small.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loket.infra.http.fallback_answers import answer
from loket.infra.http.path_prefixes import by_longest_prefix

# Enough for any JSON command or form the services take; documents have their own prefixes.
DEFAULT_BODY_LIMIT = 64 * 1024


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than the limit of {limit} bytes")
        self.limit = limit


def limit_for(path: str, limits: Sequence[tuple[str, int]], default: int) -> int:
    limit = by_longest_prefix(path, limits)
    return default if limit is None else limit


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: Sequence[tuple[str, int]] = (),
                 default: int = DEFAULT_BODY_LIMIT) -> None:
        self.app, self.limits, self.default = app, tuple(limits), default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"], self.limits, self.default)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, limit)
            return
        received = 0
        started = refused = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer now, whatever the application does with the exception: an error
                    # page it might try to send afterwards is dropped below.
                    if not started:
                        refused = True
                        await _refuse(scope, receive, send, limit)
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge:
            if not refused:
                raise  # the response had already started: all that is left is to drop the connection


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    # A program gets the problem; a person's browser a page in their language.
    response = answer(Request(scope), 413, "Content Too Large",
                      f"the request body is larger than the limit of {limit} bytes")
    await response(scope, receive, send)
