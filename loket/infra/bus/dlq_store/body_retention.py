"""Retention of dead-letter bodies (NATS): the refused event goes, the reason stays.

A dead letter's body is the refused event as it was (national numbers, addresses, contact data);
its headers say why it was refused, by which consumer group, when, and carry the original
headers. After `LOKET_DLQ_BODY_DAYS` the body is removed and the headers are kept, so `loket dlq
list` still shows what went wrong while the personal data is gone. JetStream cannot edit a
stored message, so a trim publishes a copy with an empty body and the same headers plus
`x-loket-body-removed-at`, waits for the PubAck, and only then deletes the original (the server
overwrites its bytes). The copy gets a new sequence: its id in `loket dlq list` changes, and the
old id is kept in `x-loket-dlq-trimmed-from`.

Invariants:
- A dead letter is never lost: the original is deleted only after the copy is acknowledged. A
  crash in between leaves both; the next run publishes the copy again under the same
  `Nats-Msg-Id` (`trim:<stream>:<seq>`, de-duplicated by the stream within its window) and
  deletes the original. Beyond the window a second empty copy can remain: no personal data.
- If the original vanished meanwhile (replayed, or scrubbed by `loket privacy scrub`), the copy
  is deleted too: a replayed dead letter must not come back as a trimmed one.
- Only sequences up to the stream's last sequence when the trim began are looked at: the copies
  land after it, and a run ends even while new dead letters arrive.
- Trimmed dead letters (and ones whose body is already empty) are skipped: re-running is a no-op.
- Nothing here logs a body or a header value; the retention job logs the count.

Who runs it: every service, for the dead letters of its own consumer groups only (the
`x-loket-dlq-consumer` header `Bus.dead_letter` writes), on the dead-letter twins of the topics
it consumes. Chosen over "the bridge trims everything" because it is the simpler of the two in
what matters: a service's NATS user may already publish exactly those twins (nats_users.py) and
`$JS.API.>` covers reading and deleting, so no user gains a right (the bridge would need to
publish on every other service's DLQ); each service's retention job already runs on one replica
at a time (its advisory lock), and the groups are disjoint, so no two services ever trim the
same dead letter. What no running service owns (a dead letter written by hand, or by a retired
consumer group) is not trimmed: it leaves with the stream's maximum age.

Kafka cannot rewrite one record: there the `.dlq` topics are created with `retention.ms` of the
same days (kafka_topics.py), so the reason leaves together with the body, and the purge is 0.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

import asyncpg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from loket.contracts.topics import ALL_TOPICS, dlq_topic, stream_for
from loket.infra.bus import headers as h
from loket.infra.bus.dlq_store.model import DeadLetter
from loket.infra.bus.dlq_store.nats_store import PUBLISH_TIMEOUT_S, dead_letter_of
from loket.infra.retention.job import Purge, fixed_days
from loket.infra.retention.policy import RetentionDays

if TYPE_CHECKING:
    from loket.infra.bus.bus import Bus

DATA_CLASS = "dlq_body"


async def trim_bodies(
    js: JetStreamContext, older_than: dt.datetime, *, topics: Iterable[str] = ALL_TOPICS,
    groups: Collection[str] | None = None, removed_at: dt.datetime | None = None,
) -> int:
    """Remove the body of every dead letter stored before `older_than` (JetStream's own time of
    the message) on the `.dlq` twins of `topics`; with `groups`, only of those consumer groups.
    Returns how many were trimmed."""
    stamp = (removed_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat()
    trimmed = 0
    for topic in dict.fromkeys(topics):
        trimmed += await _trim_subject(js, topic, older_than, groups, stamp)
    return trimmed


async def _trim_subject(js: JetStreamContext, topic: str, older_than: dt.datetime,
                        groups: Collection[str] | None, stamp: str) -> int:
    stream, subject = stream_for(topic), dlq_topic(topic)
    last = await _last_seq(js, stream)
    trimmed, seq = 0, 1
    while seq <= last:
        try:
            raw = await js.get_msg(stream, seq=seq, subject=subject, next=True)
        except NotFoundError:
            break  # no more dead letters on this subject
        if int(raw.seq or 0) > last:
            break  # a copy this run made, or a dead letter newer than the run
        letter = dead_letter_of(stream, raw)
        if _due(letter, raw.time, older_than, groups) and await _trim_one(js, stream, int(raw.seq or 0), letter, stamp):
            trimmed += 1
        seq = int(raw.seq or seq) + 1
    return trimmed


async def _last_seq(js: JetStreamContext, stream: str) -> int:
    """The stream's last sequence now; 0 for a stream not declared (nothing to trim)."""
    try:
        info = await js.stream_info(stream)
    except NotFoundError:
        return 0
    return int(info.state.last_seq or 0)


def _due(letter: DeadLetter, stored_at: dt.datetime | None, older_than: dt.datetime,
         groups: Collection[str] | None) -> bool:
    """Old enough, still has a body, not trimmed before, and (with groups) one of ours."""
    if stored_at is None or stored_at >= older_than:
        return False
    if not letter.body or letter.body_removed_at:
        return False
    return groups is None or letter.consumer in groups


async def _trim_one(js: JetStreamContext, stream: str, seq: int, letter: DeadLetter, stamp: str) -> bool:
    """Publish the empty-bodied copy, then delete the original; False if the original was gone."""
    ack = await js.publish(letter.topic, b"", timeout=PUBLISH_TIMEOUT_S, stream=stream,
                           headers=trimmed_headers(letter, stream, seq, stamp))
    try:
        await js.delete_msg(stream, seq)
    except NotFoundError:
        # Replayed or scrubbed while we copied it: the copy must not outlive the original.
        with contextlib.suppress(NotFoundError):
            await js.delete_msg(stream, ack.seq)
        return False
    return True


def trimmed_headers(letter: DeadLetter, stream: str, seq: int, stamp: str) -> dict[str, str]:
    """The dead letter's headers without the server's directives (`Nats-*`), a de-duplication
    id of its own, when the body was removed and which message the copy replaces."""
    kept = {k: v for k, v in letter.headers.items() if not k.lower().startswith("nats-")}
    return {**kept, h.NATS_MESSAGE_ID: f"trim:{stream}:{seq}", h.BODY_REMOVED_AT: stamp,
            h.TRIMMED_FROM: f"{stream}:{seq}"}


def dlq_body_purge(bus: Bus, subscriptions: Iterable[tuple[str, str]], days: int) -> Purge:
    """The retention job's purge for the dead letters of a service's (topic, group) pairs.

    Uses the service's own bus connection (its NATS user and TLS settings) rather than opening
    one. 0 on Kafka (see the module docstring) and for a service that consumes nothing.
    """
    owned = list(subscriptions)
    topics = [topic for topic, _ in owned]
    groups = {group for _, group in owned}

    async def run(_conn: asyncpg.Connection | Any, now: dt.datetime, retention: RetentionDays) -> int:
        if bus.kind != "nats" or not owned:
            return 0
        js = bus.broker.connection.jetstream()
        return await trim_bodies(js, now - dt.timedelta(days=retention.default), topics=topics,
                                 groups=groups, removed_at=now)

    return Purge(DATA_CLASS, fixed_days(days), run)
