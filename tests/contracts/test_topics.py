from __future__ import annotations

import pytest

from loket.contracts import topics


def test_topic_names() -> None:
    assert topics.ALL_TOPICS == (
        "letters.issued.v1",
        "letters.status.v1",
        "visits.v1",
        "appointments.v1",
        "devices.v1",
        "citizens.v1",
        "notifications.v1",
        "points.v1",
    )
    assert topics.dlq_topic(topics.VISITS) == "visits.v1.dlq"


@pytest.mark.parametrize(
    ("topic", "stream"),
    [
        ("letters.issued.v1", "LETTERS"),
        ("letters.status.v1.dlq", "LETTERS"),
        ("visits.v1", "VISITS"),
        ("appointments.v1.dlq", "APPOINTMENTS"),
        ("devices.v1", "DEVICES"),
        ("citizens.v1", "CITIZENS"),
        ("notifications.v1.dlq", "NOTIFICATIONS"),
        ("points.v1", "POINTS"),
    ],
)
def test_stream_for(topic: str, stream: str) -> None:
    assert topics.stream_for(topic) == stream


def test_every_topic_and_dlq_has_exactly_one_stream() -> None:
    for topic in topics.ALL_TOPICS:
        for subject in (topic, topics.dlq_topic(topic)):
            owners = [
                name
                for name, patterns in topics.NATS_STREAMS.items()
                if any(subject.startswith(p.removesuffix(">")) for p in patterns)
            ]
            assert owners == [topics.stream_for(subject)]


@pytest.mark.parametrize("subject", ["letters", "payments.v1", "visitors.v1"])
def test_unknown_subject_has_no_stream(subject: str) -> None:
    # `letters.>` needs at least one token after "letters"; "visitors" is not "visits".
    with pytest.raises(KeyError):
        topics.stream_for(subject)
