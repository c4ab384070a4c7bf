"""Who may publish and subscribe to what on NATS: one user per service, a back-office user
that may only issue letters, and an operator user with everything.

A service publishes the topics it owns and the dead-letter twins of the topics it consumes, and
talks to JetStream:
- `$JS.API.>`: stream and consumer management (every service declares the streams at start)
  and pull requests (`$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`);
- `$JS.ACK.>`: acknowledgements (ack, nak with delay, in-progress) are publishes to the reply
  subject JetStream put on each delivered message;
- `_INBOX.>` (subscribe): replies to its requests arrive there: JetStream API answers, the
  messages of a pull request, and the publish acknowledgement the outbox relay waits for.
Messages of a pull consumer arrive on the requester's inbox, so subscribing to the topics
themselves is not needed; it is allowed anyway for the consumed topics (a push consumer or a
plain subscriber would need it, and it gives nothing the consumer cannot already read).

The table is checked against the services' own specs (tests/integration/test_least_privilege.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from loket.contracts import topics

JETSTREAM_CLIENT_PUBLISH = ("$JS.API.>", "$JS.ACK.>")
REPLY_INBOXES = "_INBOX.>"

BACKOFFICE = "backoffice"
OPERATOR = "admin"


@dataclass(frozen=True)
class ServiceTopics:
    publishes: tuple[str, ...]
    consumes: tuple[str, ...]


SERVICE_TOPICS: dict[str, ServiceTopics] = {
    "booking": ServiceTopics(
        publishes=(topics.VISITS, topics.APPOINTMENTS, topics.DEVICES, topics.CITIZENS, topics.POINTS), consumes=()),
    "notify": ServiceTopics(
        publishes=(topics.NOTIFICATIONS,),
        consumes=(topics.APPOINTMENTS, topics.DEVICES, topics.LETTERS_STATUS, topics.VISITS)),
    # The bridge reads its own status events back to deliver them to webhooks, and booking's
    # point cards for the insert page of paper letters. It publishes
    # letters too: those taken by its letters API (through its outbox, so intake sees one
    # pipeline) and refused ones the letter desk sends in again.
    "ebox_bridge": ServiceTopics(
        publishes=(topics.LETTERS_STATUS, topics.LETTERS_ISSUED), consumes=(topics.LETTERS_ISSUED, topics.CITIZENS, topics.LETTERS_STATUS, topics.POINTS)),
    # Reporting reads every topic with a figure in it; the point cards of points.v1 have none.
    "reporting": ServiceTopics(publishes=(), consumes=tuple(t for t in topics.ALL_TOPICS if t != topics.POINTS)),
}


@dataclass(frozen=True)
class Permissions:
    """Subjects a user may publish and subscribe to; None means everything."""

    publish: tuple[str, ...] | None
    subscribe: tuple[str, ...] | None


def service_permissions(owned: ServiceTopics) -> Permissions:
    dead_letters = tuple(topics.dlq_topic(topic) for topic in owned.consumes)
    return Permissions(
        publish=(*owned.publishes, *dead_letters, *JETSTREAM_CLIENT_PUBLISH),
        subscribe=(*owned.consumes, REPLY_INBOXES),
    )


def platform_users() -> dict[str, Permissions]:
    """Every NATS user of an installation and what it may do."""
    users = {name: service_permissions(owned) for name, owned in SERVICE_TOPICS.items()}
    # A municipal back-office issues letters and receives JetStream's acknowledgement of each.
    users[BACKOFFICE] = Permissions(publish=(topics.LETTERS_ISSUED,), subscribe=(REPLY_INBOXES,))
    # The operator: DLQ list/replay, rebuilds, tests and benchmarks.
    users[OPERATOR] = Permissions(publish=None, subscribe=None)
    return users
