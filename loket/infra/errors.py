"""How a handler tells the consumer what went wrong (GOV.UK Notify's split, for events).

- `PermanentError`: retrying cannot help (the event is valid but the domain refuses it):
  dead-lettered at once. So is a value PostgreSQL refuses as data (`is_permanent`).
- `TransientError`: may work later (a remote service is busy): retried with backoff up to a
  bound, then dead-lettered.
- Any other exception from a handler is treated as transient: a bug gets a few retries and then
  lands in the DLQ with its message instead of blocking the stream.
- `InfrastructureUnavailable` (raised by the consumer itself when the database or the bus is
  down) is never dead-lettered: the whole batch is redelivered later, because the events are fine
  and it is the platform that is unhealthy.
"""

from __future__ import annotations

import asyncpg


class PermanentError(Exception):
    """The event can never be handled; the message says why, for the DLQ reason."""


def is_permanent(exc: BaseException) -> bool:
    """Retrying cannot help: the handler said so, or PostgreSQL refused the event's values as data
    (class 22: a number out of its column's range, text it cannot store, an impossible date).
    The same values fail the same way on every attempt; backing off would only hold up the
    events behind this one before the dead letter it ends in anyway."""
    return isinstance(exc, PermanentError | asyncpg.DataError)


class TransientError(Exception):
    """Handling failed for a reason that may go away; retry with backoff."""


class InfrastructureUnavailable(Exception):
    """The database or the bus is unreachable; redeliver the batch later."""


# asyncpg's "the database is away": a session the server ended, a server starting up, no
# connection slot left (also what the HTTP layer answers 503 for, infra/http/unavailable.py).
# The server ending the session itself is one too: a shutdown, a restart or failover, an
# operator's pg_terminate_backend ("terminating connection due to administrator command"), or
# another backend's crash. Not the rest of their class (57): a statement timeout (57014) is the
# statement's trouble, not the server's.
DATABASE_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)
_INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    *DATABASE_CONNECTION_ERRORS,
    asyncpg.InterfaceError,
    ConnectionError,
    InfrastructureUnavailable,
)


def is_infrastructure_error(exc: BaseException) -> bool:
    if isinstance(exc, _INFRASTRUCTURE_ERRORS):
        return True
    # asyncpg raises a bare OSError (ECONNREFUSED) while PostgreSQL is down.
    return isinstance(exc, OSError) and not isinstance(exc, TimeoutError)


def described(exc: BaseException) -> str:
    """An error in one line, for a log, a dead letter's reason or a letter's failure: its kind, and
    its message if it has one. Some say nothing themselves: asyncio's `TimeoutError()`, which is
    also what asyncpg raises when a statement outlasts its command timeout; "relay paused: " told
    the operator on call nothing (run 39)."""
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
