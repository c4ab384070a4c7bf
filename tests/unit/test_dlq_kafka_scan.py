"""What the Kafka dead-letter store lists from a `.dlq` topic's records: each bad message once
(a redelivered one is written again under the same message id), nothing a replay marker names."""

from __future__ import annotations

from loket.infra.bus.dlq_store.kafka_store import (
    MESSAGE_ID_HEADER,
    REPLAYED_HEADER,
    DlqScan,
    message_id,
)
from loket.infra.bus.dlq_store.model import dead_letter_from

TOPIC = "citizens.v1.dlq"


def _record(offset: int, headers: dict[str, str], body: bytes = b"{}") -> object:
    return dead_letter_from(f"{TOPIC}:0:{offset}", TOPIC, body, headers)


def test_a_dead_letter_written_twice_is_listed_once_with_its_first_copy() -> None:
    first = _record(0, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:7:ab", "x-loket-dlq-reason": "first"})
    again = _record(1, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:7:ab", "x-loket-dlq-reason": "again"})
    other = _record(2, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:8:cd"})
    waiting = DlqScan.of([first, again, other]).waiting()
    assert [letter.id for letter in waiting] == [f"{TOPIC}:0:0", f"{TOPIC}:0:2"]
    assert waiting[0].reason == "first"


def test_a_replay_marker_hides_every_copy_of_its_dead_letter_and_is_not_listed_itself() -> None:
    letter = _record(0, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:7:ab"})
    copy = _record(1, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:7:ab"})
    marker = _record(2, {REPLAYED_HEADER: "dlq:g:citizens.v1:0:7:ab"}, body=b"")
    later = _record(3, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:9:ef"})
    scan = DlqScan.of([letter, copy, marker, later])
    assert [d.id for d in scan.waiting()] == [f"{TOPIC}:0:3"]
    assert scan.replayed == {"dlq:g:citizens.v1:0:7:ab"}


def test_a_dead_letter_without_a_message_id_is_itself() -> None:
    bare = _record(4, {})
    assert message_id(bare) == f"{TOPIC}:0:4"
    assert DlqScan.of([bare, _record(5, {})]).waiting() == [bare, _record(5, {})]
