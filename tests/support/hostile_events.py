"""Hypothesis-generated hostile messages for the fault-injection suite: garbage bytes, JSON of
any shape, envelopes with random payloads, and real events (LetterIssued, AppointmentBooked)
with one field broken: wrong types, huge strings, bad national numbers, PDFs that are not
PDFs, injection attempts. Only messages the contract rejects are kept, so each one must end in
the DLQ of every consumer group of its topic."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from loket.bench.notify_runs import booked_events
from loket.cli.demo_letters import demo_letters
from loket.contracts import topics
from loket.contracts.errors import ContractViolation
from loket.contracts.registry import decode_event

INJECTIONS = ["'; DROP TABLE ebox_bridge.letters; --", "<script>alert(1)</script>", "{{ 7*7 }}", "${jndi:ldap://x/a}",
              "../../etc/passwd", "\u0000", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
              "Robert'); DELETE FROM booking.appointments;--", "%s%s%s%n"]
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)
HOSTILE_VALUE = st.one_of(
    JSON_VALUE,
    st.sampled_from(INJECTIONS),
    st.integers(min_value=2, max_value=100).map(lambda n: "A" * (n * 1000)),  # huge strings, up to 100 kB
    st.integers(min_value=0, max_value=10**11 - 1).map(lambda n: f"{n:011d}"),  # national numbers, almost all invalid
    st.binary(max_size=200).map(lambda b: base64.b64encode(b).decode()),  # base64 that is no PDF
    st.just(base64.b64encode(b"%PDF-1.7 <script>").decode() + "!"),  # broken base64
)
BROKEN_PDF = st.one_of(
    st.binary(max_size=200).map(lambda b: base64.b64encode(b"MZ" + b).decode()),  # an executable, say
    st.sampled_from(INJECTIONS),
    st.just("JVBERi0xLjcK"[:-1]),  # a PDF header cut mid-base64
)


def _valid_letter() -> dict[str, Any]:
    return json.loads(demo_letters(1, seed=3)[0].to_bytes())


def _valid_booking() -> dict[str, Any]:
    return json.loads(booked_events(1, 0)[0].to_bytes())


def _mutant(base: dict[str, Any], field: str, value: Any, drop: bool, event_id: uuid.UUID) -> bytes:
    payload = dict(base["payload"])
    if drop:
        payload.pop(field, None)
    else:
        payload[field] = value
    return json.dumps({**base, "event_id": str(event_id), "payload": payload}).encode()


LETTER, BOOKING = _valid_letter(), _valid_booking()
LETTER_MUTANT = st.one_of(
    st.builds(_mutant, st.just(LETTER), st.sampled_from(sorted(LETTER["payload"])), HOSTILE_VALUE, st.booleans(), st.uuids()),
    st.builds(_mutant, st.just(LETTER), st.just("pdf_base64"), BROKEN_PDF, st.just(False), st.uuids()),
    st.builds(_mutant, st.just(LETTER), st.just("recipient_national_number"),
              st.sampled_from(["12345678901", "85073003328", "00000000000", "850730033", "85.07.30-033.29"]),
              st.just(False), st.uuids()),
)
BOOKING_MUTANT = st.builds(_mutant, st.just(BOOKING), st.sampled_from(sorted(BOOKING["payload"])), HOSTILE_VALUE,
                           st.booleans(), st.uuids())
ENVELOPE = st.fixed_dictionaries({
    "event_id": st.one_of(st.text(max_size=40), st.uuids().map(str)),
    "event_type": st.sampled_from(["LetterIssued", "AppointmentBooked", "DROP TABLE", ""]),
    "payload": st.dictionaries(st.text(max_size=30), HOSTILE_VALUE, max_size=6),
}).map(lambda v: json.dumps(v).encode())
GARBAGE = st.one_of(st.binary(max_size=300), JSON_VALUE.map(lambda v: json.dumps(v).encode()))
HOSTILE = st.one_of(
    st.tuples(st.just(topics.LETTERS_ISSUED), st.one_of(LETTER_MUTANT, LETTER_MUTANT, GARBAGE, ENVELOPE)),
    st.tuples(st.just(topics.APPOINTMENTS), st.one_of(BOOKING_MUTANT, BOOKING_MUTANT, GARBAGE, ENVELOPE)),
)


def rejected(topic: str, body: bytes) -> bool:
    try:
        decode_event(topic, body)
    except ContractViolation:
        return True
    return False


def hostile_events(count: int, random_seed: int = 20261123) -> list[tuple[str, bytes]]:
    """`count` distinct messages the contracts refuse, as (topic, body). The same seed gives the same
    draws; only the two base events carry fresh ids and times in each process."""
    found: dict[bytes, str] = {}

    class Enough(Exception):
        """Stops the draws once `count` are found: hypothesis would otherwise run all its examples."""

    @seed(random_seed)
    @settings(max_examples=count * 3, phases=[Phase.generate], database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(HOSTILE)
    def collect(event: tuple[str, bytes]) -> None:
        topic, body = event
        if body not in found and rejected(topic, body):
            found[body] = topic
        if len(found) >= count:
            raise Enough

    try:
        collect()
    except Enough:
        pass
    if len(found) < count:
        raise AssertionError(f"hypothesis produced only {len(found)} distinct hostile events of {count}")
    return [(topic, body) for body, topic in found.items()]
