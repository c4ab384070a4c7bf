"""NATS JetStream wiring: streams, durable pull consumers, publish with `Nats-Msg-Id`.

One stream per domain (see `contracts.topics.NATS_STREAMS`) with a de-duplication window, so a
relay that republishes after a crash produces no second copy in the stream.

Every stream is bounded (`StreamLimits`): a maximum age, because events carry personal data
that must not stay forever, and a maximum size, so one runaway producer cannot fill the disk
every other stream lives on. At the size cap JetStream refuses new messages (discard NEW)
rather than dropping the oldest ones, which a consumer may not have read yet: the publishing
relay pauses, the outbox keeps the events, and they go out once the operator raises the cap
(`loket_bus_stream_bytes` against `loket_bus_stream_max_bytes` warns before that).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, PullSub
from faststream.nats.prometheus import NatsPrometheusMiddleware
from faststream.security import BaseSecurity, SASLPlaintext
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import api
from nats.js.errors import (
    BadRequestError,
    NoStreamResponseError,
    NotFoundError,
    ServiceUnavailableError,
)
from prometheus_client import CollectorRegistry

from loket.contracts import topics
from loket.infra.bus import headers as h
from loket.infra.bus import nats_fetch_fix
from loket.infra.bus.undecoded import bodies_undecoded
from loket.infra.logging_setup import BROKER_MESSAGE_LEVEL, broker_logger
from loket.infra.settings import ConsumerSettings

log = logging.getLogger(__name__)

DUPLICATE_WINDOW_S = 120
# Longer than a batch takes on the fast path (seconds); during in-process retries the consumer
# sends in-progress acks, which restart this clock. After a crash, JetStream redelivers the
# unacknowledged batch once this has passed: the restart delay of a killed consumer.
ACK_WAIT_S = 30
# Short attempts, many of them: a request a forming cluster leaves unanswered costs one short
# wait, and the next attempt finds the stream created meanwhile. 8 × 5 s bounds a start.
DECLARE_TIMEOUT_S = 5.0
DECLARE_ATTEMPTS = 8
# A cluster whose meta leader (or a stream's leader) just died answers JetStream requests (or
# that stream's publishes) at once with 503 / no responders until the survivors elect a new one
# (seconds); a start or a publish then waits that out instead of failing. 40 × 0.5 s is well
# past an election, and a real outage still fails.
UNAVAILABLE_ATTEMPTS = 40
UNAVAILABLE_PAUSE_S = 0.5
JETSTREAM_UNAVAILABLE = 10008  # err_code of "JetStream system temporarily unavailable"
_WAIT_S = UNAVAILABLE_ATTEMPTS * UNAVAILABLE_PAUSE_S


def build(servers: tuple[str, ...], service: str, registry: CollectorRegistry,
          tls_ca_file: Path | None = None) -> NatsBroker:
    nats_fetch_fix.install()
    # tls:// servers are verified against the system's CAs, or against `tls_ca_file` (a
    # private CA) when it is set (LOKET_BUS_TLS_CA_FILE).
    context = ssl.create_default_context(cafile=str(tls_ca_file)) if tls_ca_file else None
    # The credentials go to the client once, not in each server's URL: a cluster's nodes announce
    # the others (by address only), and the client must sign in at whichever one it fails over to.
    user, password = _credentials(servers)
    security = (SASLPlaintext(username=user, password=password, ssl_context=context) if user is not None
                else BaseSecurity(ssl_context=context) if context else None)
    return NatsBroker(
        [_without_credentials(server) for server in servers],
        security=security,
        logger=broker_logger(service),
        log_level=BROKER_MESSAGE_LEVEL,
        middlewares=[NatsPrometheusMiddleware(registry=registry, app_name=service)],
        name=service,
        max_reconnect_attempts=-1,  # keep trying: readiness reports the outage meanwhile
        reconnect_time_wait=1,
    )


def _credentials(servers: tuple[str, ...]) -> tuple[str | None, str]:
    parts = urlsplit(servers[0])
    return (unquote(parts.username), unquote(parts.password or "")) if parts.username else (None, "")


def _without_credentials(server: str) -> str:
    parts = urlsplit(server)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))


@dataclass(frozen=True)
class StreamLimits:
    max_bytes: int = 1024**3
    max_age_s: float = 400 * 24 * 3600  # a year and a month: last year's figures can be rebuilt
    replicas: int = 1  # 3 on a three-node cluster: one node down loses nothing and stops nothing


def stream_config(name: str, subjects: list[str], limits: StreamLimits | None = None) -> api.StreamConfig:
    limits = limits or StreamLimits()
    return api.StreamConfig(
        name=name,
        subjects=subjects,
        storage=api.StorageType.FILE,
        retention=api.RetentionPolicy.LIMITS,
        discard=api.DiscardPolicy.NEW,
        max_bytes=limits.max_bytes,
        max_age=limits.max_age_s,
        duplicate_window=DUPLICATE_WINDOW_S,
        max_msg_size=topics.MAX_MESSAGE_BYTES,
        num_replicas=limits.replicas,
    )


async def declare_streams(broker: NatsBroker, limits: StreamLimits | None = None) -> None:
    """Create or update every stream; safe to run from every service and command at every start,
    also all at once: on a cluster a stream's creation forms its replica group (seconds), and
    another process may create it meanwhile."""
    await declare_streams_with(broker.connection.jetstream(timeout=DECLARE_TIMEOUT_S), limits)


async def declare_streams_with(js: Any, limits: StreamLimits | None = None,
                               pause: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    for name, subjects in topics.NATS_STREAMS.items():
        slow, unavailable = 0, 0
        while True:
            try:
                await _declare(js, stream_config(name, subjects, limits))
                break
            except (BadRequestError, NatsTimeoutError):
                # Created by another process between our look and our add, or the cluster was
                # slow to answer: look again.
                slow += 1
                if slow == DECLARE_ATTEMPTS:
                    raise
            except ServiceUnavailableError:
                # No meta leader (one being elected): it answers at once, so wait before asking.
                unavailable += 1
                if unavailable == UNAVAILABLE_ATTEMPTS:
                    raise
                if unavailable == 1:
                    log.warning("JetStream is unavailable (a leader election after a node was lost?); "
                                "declaring stream %s again for up to %.0f s", name, _WAIT_S)
                await pause(UNAVAILABLE_PAUSE_S)


async def _declare(js: Any, config: api.StreamConfig) -> None:
    try:
        existing = await js.stream_info(config.name)
    except NotFoundError:
        await js.add_stream(config)
        return
    # Copies are only ever added: a client with the default (one) must not shrink a cluster's
    # three-copy stream (a CLI command publishing, a back-office on defaults).
    config.num_replicas = max(config.num_replicas or 1, existing.config.num_replicas or 1)
    if not _differs(config, existing.config):
        # Nothing to change: no update request, which a stream whose replica group is still
        # electing its leader (another process just created it) leaves unanswered.
        return
    await js.update_stream(config)


def _differs(wanted: api.StreamConfig, existing: api.StreamConfig) -> bool:
    """Whether a field Loket sets differs on the server (which fills in the fields it does not)."""
    return any(value is not None and getattr(existing, field) != value
               for field, value in wanted.__dict__.items())


def durable_name(group: str) -> str:
    # JetStream consumer names may not contain '.', '*' or '>'.
    return group.replace(".", "_").replace("*", "_").replace(">", "_")


def subscriber(broker: NatsBroker, topic: str, group: str, settings: ConsumerSettings) -> Any:
    return broker.subscriber(
        topic,
        stream=JStream(topics.stream_for(topic), declare=False),
        durable=durable_name(group),
        pull_sub=PullSub(
            batch_size=settings.batch_size, timeout=settings.batch_timeout_s, batch=True
        ),
        config=api.ConsumerConfig(
            ack_wait=ACK_WAIT_S,
            max_ack_pending=max(1000, settings.batch_size * 4),
            deliver_policy=api.DeliverPolicy.ALL,
        ),
        # Every ack/nak is explicit in the consumer: FastStream's NATS default would
        # terminate a message after a single failure.
        ack_policy=AckPolicy.MANUAL,
        title=f"{group}:{topic}",
        decoder=bodies_undecoded,
    )


async def publish(
    broker: NatsBroker, topic: str, key: str, message_id: str, body: bytes, headers: dict[str, str],
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Publish and wait for JetStream's ack. While a stream's copies elect a new leader (its node
    died) JetStream answers "no responders" or 503 at once; the publish is asked again, briefly
    (UNAVAILABLE_ATTEMPTS × UNAVAILABLE_PAUSE_S), and a repeat is harmless: the stream drops a
    second copy of the same `Nats-Msg-Id`."""
    for attempt in range(1, UNAVAILABLE_ATTEMPTS + 1):
        try:
            await broker.publish(
                body,
                topic,
                headers={**headers, h.NATS_MESSAGE_ID: message_id},
                stream=topics.stream_for(topic),
                timeout=10,
            )
            return
        except (NoStreamResponseError, ServiceUnavailableError) as exc:
            # Not a full stream (also a 503, with its own code): that waits for an operator.
            if attempt == UNAVAILABLE_ATTEMPTS or not _electing(exc):
                raise
            if attempt == 1:
                log.warning("stream %s has no leader (an election after a node was lost?); publishing "
                            "again for up to %.0f s", topics.stream_for(topic), _WAIT_S)
            await pause(UNAVAILABLE_PAUSE_S)


def _electing(exc: Exception) -> bool:
    return isinstance(exc, NoStreamResponseError) or getattr(exc, "err_code", None) == JETSTREAM_UNAVAILABLE


async def redeliver_later(message: Any, delay_s: float) -> None:
    await message.nack(delay=delay_s)


def _messages(message: Any) -> list[Any]:
    return message.raw_message if isinstance(message.raw_message, list) else [message.raw_message]


def message_identities(message: Any) -> list[str]:
    return [f"{m.metadata.stream}:{m.metadata.sequence.stream}" for m in _messages(message)]


def message_keys(message: Any) -> list[str]:
    """A JetStream message has no key of its own: it travels as a header (`x-loket-key`)."""
    return ["" for _ in _messages(message)]


async def keep_alive(message: Any) -> None:
    """Tell JetStream we are still working on a batch (during long retries)."""
    await message.in_progress()


async def consumer_lag(broker: NatsBroker, topic: str, group: str) -> int | None:
    try:
        info = await broker.connection.jetstream().consumer_info(
            topics.stream_for(topic), durable_name(group)
        )
    except (TimeoutError, NotFoundError):
        return None
    return int(info.num_pending or 0) + int(info.num_ack_pending or 0)


async def stream_usage(broker: NatsBroker) -> dict[str, tuple[int, int]]:
    """Per stream: (bytes stored, byte cap); empty when the server cannot be asked."""
    js = broker.connection.jetstream()
    usage = {}
    for name in topics.NATS_STREAMS:
        try:
            info = await js.stream_info(name)
        except Exception:  # noqa: BLE001 - a metrics round must never fail the service
            continue
        usage[name] = (info.state.bytes, info.config.max_bytes or -1)
    return usage
