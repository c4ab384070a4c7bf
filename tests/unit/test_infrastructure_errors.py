"""Which failures mean "the platform is unhealthy, redeliver the batch" rather than "this event
failed": the consumers' and the 503 page's shared judgement (loket/infra/errors.py)."""

from __future__ import annotations

import errno

import asyncpg
import pytest

from loket.infra.errors import (
    InfrastructureUnavailable,
    PermanentError,
    TransientError,
    is_infrastructure_error,
    is_permanent,
)


@pytest.mark.parametrize("exc", [
    asyncpg.PostgresConnectionError("connection failure"),
    asyncpg.CannotConnectNowError("the database system is starting up"),
    asyncpg.TooManyConnectionsError("sorry, too many clients already"),
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.CrashShutdownError("terminating connection because of crash of another server process"),
    asyncpg.InterfaceError("cannot call Transaction.__aexit__(): the underlying connection is closed"),
    ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
    OSError(errno.ECONNREFUSED, "Connect call failed"),
    InfrastructureUnavailable("bus down"),
], ids=lambda exc: type(exc).__name__)
def test_the_database_or_bus_being_away_is_infrastructure(exc: BaseException) -> None:
    assert is_infrastructure_error(exc)


@pytest.mark.parametrize("exc", [
    asyncpg.QueryCanceledError("canceling statement due to statement timeout"),  # same SQLSTATE class as a shutdown
    asyncpg.UniqueViolationError("duplicate key value violates unique constraint"),
    TimeoutError(),
    ValueError("a handler's bug"),
    TransientError("the eBox is busy"),
    PermanentError("the point was closed"),
], ids=lambda exc: type(exc).__name__)
def test_an_events_own_failure_is_not_infrastructure(exc: BaseException) -> None:
    assert not is_infrastructure_error(exc)



@pytest.mark.parametrize("exc", [
    PermanentError("the point was closed"),
    asyncpg.NumericValueOutOfRangeError("integer out of range"),
    asyncpg.StringDataRightTruncationError("value too long for type character varying(8)"),
    asyncpg.InvalidDatetimeFormatError("invalid input syntax for type date"),
], ids=lambda exc: type(exc).__name__)
def test_a_value_refused_as_data_fails_the_same_way_every_time(exc: BaseException) -> None:
    assert is_permanent(exc) and not is_infrastructure_error(exc)


@pytest.mark.parametrize("exc", [
    TransientError("the eBox is busy"),
    asyncpg.UniqueViolationError("duplicate key value violates unique constraint"),  # a race may clear it
    asyncpg.SerializationError("could not serialize access"),
    asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
    ValueError("a handler's bug"),
], ids=lambda exc: type(exc).__name__)
def test_what_may_go_away_is_retried(exc: BaseException) -> None:
    assert not is_permanent(exc)
