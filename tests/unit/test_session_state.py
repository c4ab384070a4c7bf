"""Which statements make a pooled connection need asyncpg's reset on release, and that the
pool's reset runs it for those connections only."""

from __future__ import annotations

from typing import Any

import pytest

from loket.infra.db import session_state
from loket.infra.db.session_state import (
    SessionTrackingConnection,
    leaves_session_state,
    reset_if_touched,
)

LEAVES_STATE = [
    "SELECT pg_advisory_lock(hashtextextended($1, $2))",
    "SELECT pg_try_advisory_lock(hashtext($1))",
    "SELECT pg_advisory_lock_shared(7)",
    'LISTEN "t_abc_outbox"',
    "UNLISTEN *",
    "SET search_path TO booking, public",
    "  set local statement_timeout = 1000",
    "BEGIN; SET ROLE loket_reporting",
    "RESET ALL",
    "SELECT set_config('app.municipality', $1, false)",
    "CREATE TEMP TABLE scratch (id int)",
    "CREATE TEMPORARY TABLE scratch (id int)",
    "PREPARE two AS SELECT 2",
    "DECLARE rows CURSOR WITH HOLD FOR SELECT 1",
    "DISCARD ALL",
]
LEAVES_NOTHING = [
    "BEGIN;",
    "COMMIT;",
    "ROLLBACK",
    "UPDATE s.bench_letters AS l SET status = 'failed' FROM unnest($1::uuid[]) AS u(id) WHERE l.letter_id = u.id",
    "SELECT pg_advisory_xact_lock(hashtextextended(k, $7)) FROM unnest($6::text[]) AS k",
    "SELECT pg_try_advisory_xact_lock(1)",
    "INSERT INTO s.inbox (consumer, event_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
    "SELECT pg_notify($1, '')",
    "SELECT temperature, settlement FROM readings",
]


@pytest.mark.parametrize("query", LEAVES_STATE)
def test_statements_that_can_outlive_their_transaction_are_noticed(query: str) -> None:
    assert leaves_session_state(query)


@pytest.mark.parametrize("query", LEAVES_NOTHING)
def test_transaction_scoped_statements_are_not(query: str) -> None:
    assert not leaves_session_state(query)


def test_the_verdicts_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_state, "_verdicts", {})
    monkeypatch.setattr(session_state, "_VERDICTS_KEPT", 3)
    for n in range(10):
        assert not leaves_session_state(f"SELECT {n}")
    assert leaves_session_state("SET x = 1")  # still judged, just not remembered
    assert len(session_state._verdicts) == 3


class _Recording:
    """What reset_if_touched may call on a connection, recorded."""

    def __init__(self) -> None:
        self.executed: list[str] = []

    def get_reset_query(self) -> str:
        return "SELECT pg_advisory_unlock_all(); UNLISTEN *; RESET ALL;"

    async def execute(self, query: str, *args: Any) -> str:
        self.executed.append(query)
        return "SELECT 1"

    async def reset(self) -> None:  # asyncpg's, without a transaction or listeners to drop
        await self.execute(self.get_reset_query())


class _Tracking(_Recording, SessionTrackingConnection):
    """A SessionTrackingConnection without a socket: `execute` records instead of sending."""

    def __init__(self) -> None:  # asyncpg's __init__ wants a live protocol
        _Recording.__init__(self)
        # As a closed connection: asyncpg's __del__ asks is_closed(), which reads these.
        self._aborted, self._protocol = True, None

    async def execute(self, query: str, *args: Any) -> str:
        self._note(query)
        return await _Recording.execute(self, query, *args)


async def test_an_untouched_connection_is_given_back_without_a_round_trip() -> None:
    conn = _Tracking()
    await conn.execute("BEGIN;")
    await conn.execute("UPDATE t SET a = 1")
    await conn.execute("COMMIT;")
    conn.executed.clear()
    await reset_if_touched(conn)  # type: ignore[arg-type]
    assert conn.executed == []


async def test_a_touched_connection_is_reset_once_and_then_clean_again() -> None:
    conn = _Tracking()
    await conn.execute("SELECT pg_advisory_lock(1)")
    conn.executed.clear()
    await reset_if_touched(conn)  # type: ignore[arg-type]
    assert conn.executed == [conn.get_reset_query()]
    assert not conn.session_touched  # the reset query itself does not count
    conn.executed.clear()
    await reset_if_touched(conn)  # type: ignore[arg-type]
    assert conn.executed == []


async def test_a_connection_that_does_not_track_is_always_reset() -> None:
    conn = _Recording()
    await reset_if_touched(conn)  # type: ignore[arg-type]
    assert conn.executed == [conn.get_reset_query()]
