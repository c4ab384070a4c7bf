"""Dead letters on NATS JetStream: `<topic>.dlq` subjects inside each domain's stream.

Reading uses direct stream look-ups (`STREAM.MSG.GET` with `next_by_subj`), so listing creates
no consumer, durable or ephemeral, and leaves no state behind on the server.
"""

from __future__ import annotations

import contextlib
from email.header import Header, decode_header
from types import TracebackType
from typing import Any

import nats
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from loket.contracts.topics import NATS_STREAMS, dlq_topic, stream_for
from loket.infra.bus import headers as h
from loket.infra.bus.dlq_store.model import (
    BusUnavailable,
    DeadLetter,
    DeadLetterNotFound,
    MalformedDeadLetterId,
    dead_letter_from,
    is_dead_letter_subject,
    topics_to_read,
)
from loket.infra.connection_urls import redacted

PUBLISH_TIMEOUT_S = 10.0


def parse_nats_id(id: str) -> tuple[str, int]:
    """`CITIZENS:42` -> ("CITIZENS", 42)."""
    stream, sep, seq = id.partition(":")
    if not sep or stream not in NATS_STREAMS or not seq.isdigit() or int(seq) < 1:
        raise MalformedDeadLetterId(
            f"{id!r} is not a NATS dead-letter id: expected <STREAM>:<sequence>, e.g. CITIZENS:42"
        )
    return stream, int(seq)


def header_text(value: Any) -> str:
    """nats-py's `get_msg` parses headers with the e-mail parser, which wraps non-ASCII values
    (an accented reason) in an `email.header.Header`; its `str()` is mojibake. NATS headers
    are raw bytes and ours are UTF-8, so decode them as such."""
    if not isinstance(value, Header):
        return str(value)
    return "".join(
        part.decode("utf-8", "replace") if isinstance(part, bytes) else part
        for part, _charset in decode_header(value)
    )


class NatsDeadLetterStore:
    def __init__(self, servers: tuple[str, ...]) -> None:
        self.servers = list(servers)
        self._nc: Any = None
        self._js: JetStreamContext | None = None

    async def __aenter__(self) -> NatsDeadLetterStore:
        errors: list[Exception] = []

        async def remember(exc: Exception) -> None:
            errors.append(exc)  # instead of nats-py's default: a logged traceback per attempt

        try:
            # One retry, then give up: an operator's command should fail fast and say why.
            # (max_reconnect_attempts=0 would mean "forever" to nats-py.)
            self._nc = await nats.connect(
                self.servers, connect_timeout=5, allow_reconnect=False, max_reconnect_attempts=1,
                reconnect_time_wait=1, error_cb=remember,
            )
        except (OSError, NatsError) as exc:
            cause = errors[-1] if errors else exc
            # The URLs carry the operator's password: shown without it.
            raise BusUnavailable(f"cannot reach NATS at {', '.join(redacted(s) for s in self.servers)}: {cause}") from exc
        self._js = self._nc.jetstream()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._nc is not None:
            await self._nc.close()

    @property
    def js(self) -> JetStreamContext:
        assert self._js is not None, "use the store as an async context manager"
        return self._js

    async def list(self, topic: str | None = None, limit: int = 100) -> list[DeadLetter]:
        found: list[DeadLetter] = []
        for original in topics_to_read(topic):
            subject, stream = dlq_topic(original), stream_for(original)
            seq = 1
            while len(found) < limit:
                try:
                    raw = await self.js.get_msg(stream, seq=seq, subject=subject, next=True)
                except NotFoundError:
                    break  # no (more) messages on this subject, or the stream is not declared
                found.append(self._to_dead_letter(stream, raw))
                seq = int(raw.seq or seq) + 1
        return found

    async def get(self, id: str) -> DeadLetter:
        stream, seq = parse_nats_id(id)
        try:
            raw = await self.js.get_msg(stream, seq=seq)
        except NotFoundError:
            raise DeadLetterNotFound(f"no dead letter {id} (already replayed, or never existed)") from None
        # A sequence of the same stream can hold an ordinary event: never treat that as a
        # dead letter (a replay would duplicate it and then delete it from the stream).
        if not is_dead_letter_subject(raw.subject):
            raise DeadLetterNotFound(f"{id} is a message on {raw.subject}, not a dead letter")
        return self._to_dead_letter(stream, raw)

    async def replay(self, id: str) -> DeadLetter:
        """Publish the body back, wait for the PubAck, and only then delete the dead letter.

        A crash between the two leaves the dead letter in place; replaying it again publishes
        the same `Nats-Msg-Id` (de-duplicated by the stream within its window) and, beyond the
        window, a duplicate event that consumers skip through their inbox (same event_id).
        Raises DeadLetterBodyRemoved for a dead letter whose body retention removed.
        """
        letter = await self.get(id)
        letter.require_body()  # a trimmed dead letter would go back as an empty event
        stream, seq = parse_nats_id(id)
        await self.js.publish(
            letter.original_topic, letter.body, timeout=PUBLISH_TIMEOUT_S,
            stream=stream_for(letter.original_topic),
            headers=letter.replay_headers(h.NATS_MESSAGE_ID),
        )
        # Deleting an already deleted message (a concurrent replay) is not worth failing on.
        with contextlib.suppress(NotFoundError):
            await self.js.delete_msg(stream, seq)
        return letter

    async def count_by_topic(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for original in topics_to_read(None):
            subject = dlq_topic(original)
            try:
                info = await self.js.stream_info(stream_for(original), subjects_filter=subject)
            except NotFoundError:
                counts[original] = 0
                continue
            counts[original] = int((info.state.subjects or {}).get(subject, 0))
        return counts

    @staticmethod
    def _to_dead_letter(stream: str, raw: Any) -> DeadLetter:
        return dead_letter_of(stream, raw)


def dead_letter_of(stream: str, raw: Any) -> DeadLetter:
    """The DeadLetter a `js.get_msg` answer (RawStreamMsg) of `stream` holds."""
    headers = {str(k): header_text(v) for k, v in (raw.headers or {}).items()}
    return dead_letter_from(f"{stream}:{raw.seq}", raw.subject, raw.data or b"", headers)
