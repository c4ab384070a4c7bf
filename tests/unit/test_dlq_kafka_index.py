"""What the Kafka dead-letter store lists from a `.dlq` topic's records: each bad message once
(a redelivered one is written again under the same message id), nothing a replay marker names."""

from __future__ import annotations

from loket.infra.bus.dlq_store.kafka_store import DlqIndex, message_id
from loket.infra.bus.dlq_store.model import dead_letter_from
from loket.infra.bus.headers import KAFKA_MESSAGE_ID as MESSAGE_ID_HEADER
from loket.infra.bus.headers import REPLAYED as REPLAYED_HEADER

TOPIC = "citizens.v1.dlq"


def _index(*records: tuple[int, dict[str, str]]) -> DlqIndex:
    index = DlqIndex()
    for offset, headers in records:
        index.add(f"{TOPIC}:0:{offset}", headers)
    return index


def test_a_dead_letter_written_twice_is_listed_once_as_its_first_copy() -> None:
    index = _index((0, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:7:ab"}),
                   (1, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:7:ab"}),
                   (2, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:8:cd"}))
    assert index.waiting() == [f"{TOPIC}:0:0", f"{TOPIC}:0:2"]


def test_a_replay_marker_hides_every_copy_of_its_dead_letter_and_is_not_listed_itself() -> None:
    index = _index((0, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:7:ab"}),
                   (1, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:7:ab"}),
                   (2, {REPLAYED_HEADER: "dlq:g:citizens.v1:0:7:ab"}),
                   (3, {MESSAGE_ID_HEADER: "dlq:g:citizens.v1:0:9:ef"}))
    assert index.waiting() == [f"{TOPIC}:0:3"]
    assert index.replayed == {"dlq:g:citizens.v1:0:7:ab"}


def test_a_dead_letter_without_a_message_id_is_itself() -> None:
    assert _index((4, {}), (5, {})).waiting() == [f"{TOPIC}:0:4", f"{TOPIC}:0:5"]
    assert message_id(dead_letter_from(f"{TOPIC}:0:4", TOPIC, b"{}", {})) == f"{TOPIC}:0:4"
    with_id = dead_letter_from(f"{TOPIC}:0:6", TOPIC, b"{}", {MESSAGE_ID_HEADER: "dlq:g:x"})
    assert message_id(with_id) == "dlq:g:x"
