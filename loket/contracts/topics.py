"""Topic (Kafka) / subject (NATS) names: the single place they are spelled.

The `.v1` suffix is part of the contract: a breaking change gets a new topic rather than a
new shape on an old one, so consumers of v1 keep working while they migrate.
"""

from __future__ import annotations

LETTERS_ISSUED = "letters.issued.v1"
LETTERS_STATUS = "letters.status.v1"
VISITS = "visits.v1"
APPOINTMENTS = "appointments.v1"
DEVICES = "devices.v1"
CITIZENS = "citizens.v1"
NOTIFICATIONS = "notifications.v1"
POINTS = "points.v1"

ALL_TOPICS: tuple[str, ...] = (
    LETTERS_ISSUED,
    LETTERS_STATUS,
    VISITS,
    APPOINTMENTS,
    DEVICES,
    CITIZENS,
    NOTIFICATIONS,
    POINTS,
)

DLQ_SUFFIX = ".dlq"

# The largest message a topic takes, on either bus: a letter with its PDF inline (5 MiB, about
# 7 MB as base64) and its envelope, and the same letter dead-lettered with the DLQ's headers.
MAX_MESSAGE_BYTES = 8 * 1024 * 1024


def dlq_topic(topic: str) -> str:
    """The dead-letter twin of `topic`: where messages that can never be handled go."""
    return f"{topic}{DLQ_SUFFIX}"


# One JetStream stream per domain. The `>` wildcard matches one or more tokens, so each
# stream also captures its `.dlq` twins (e.g. `letters.status.v1.dlq`) and future versions
# (`letters.issued.v2`) without reconfiguring the stream.
NATS_STREAMS: dict[str, list[str]] = {
    "LETTERS": ["letters.>"],
    "VISITS": ["visits.>"],
    "APPOINTMENTS": ["appointments.>"],
    "DEVICES": ["devices.>"],
    "CITIZENS": ["citizens.>"],
    "NOTIFICATIONS": ["notifications.>"],
    "POINTS": ["points.>"],
}


def stream_for(topic: str) -> str:
    """The JetStream stream whose subjects include `topic` (or its DLQ twin).

    Raises KeyError for a subject no stream captures: publishing there would fail on NATS
    ("no responders"), so it is a wiring bug worth failing loudly on.
    """
    for stream, subjects in NATS_STREAMS.items():
        for pattern in subjects:
            if subject_matches(pattern, topic):
                return stream
    raise KeyError(f"no JetStream stream captures subject {topic!r}")


def subject_matches(pattern: str, subject: str) -> bool:
    # NATS semantics: `*` matches exactly one token, a trailing `>` matches one or more.
    pattern_tokens = pattern.split(".")
    subject_tokens = subject.split(".")
    for index, token in enumerate(pattern_tokens):
        if token == ">":
            return len(subject_tokens) > index
        if index >= len(subject_tokens):
            return False
        if token not in ("*", subject_tokens[index]):
            return False
    return len(pattern_tokens) == len(subject_tokens)
