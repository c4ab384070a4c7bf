"""Reset a pooled connection only when a statement may have left session state behind.

asyncpg resets every connection it takes back into the pool with one more round trip
(`pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`). Nearly every transaction the
services run leaves nothing behind to reset, yet paid that round trip: about 90 µs of client
and server CPU on loopback, a fifth of a 50-event writer transaction's five round trips
(BEGIN, state change, outbox append, COMMIT, reset) and one of the relay's and consumer's four
or five per batch.

`SessionTrackingConnection` marks itself when it runs a statement whose text could leave state
that outlives its transaction: a session-level advisory lock, LISTEN, SET or RESET at the start
of a statement, `set_config`, PREPARE, DECLARE, a temporary table. The test is on the text and
errs one way only: a false match (a column named `listen`) costs a reset, never skips one.
`reset_if_touched` then runs asyncpg's own `reset()` for those connections only. What asyncpg
does on every release anyway still happens: an open transaction is rolled back and the Python
listener callbacks are dropped (`Connection._reset`, before the pool's `reset`).
"""

from __future__ import annotations

import re
from typing import Any

import asyncpg

_LEAVES_SESSION_STATE = re.compile(
    r"pg_(?:try_)?advisory_lock|set_config|\b(?:un)?listen\b|\bdeclare\b|\bprepare\b|\bdeallocate\b"
    r"|\bdiscard\b|\btemp(?:orary)?\b|(?:^|;)\s*(?:set|reset)\b",
    re.IGNORECASE,
)
# The verdicts per statement text: the services run a few hundred distinct statements, each many
# times; a process that builds texts without end stops remembering new ones here.
_VERDICTS_KEPT = 4096
_verdicts: dict[str, bool] = {}


def leaves_session_state(query: str) -> bool:
    verdict = _verdicts.get(query)
    if verdict is None:
        verdict = _LEAVES_SESSION_STATE.search(query) is not None
        if len(_verdicts) < _VERDICTS_KEPT:
            _verdicts[query] = verdict
    return verdict


class SessionTrackingConnection(asyncpg.Connection):  # type: ignore[misc]
    """An asyncpg connection that knows whether it may hold session state (see the module)."""

    __slots__ = ("_session_touched",)

    def _note(self, query: str) -> None:
        if leaves_session_state(query):
            self._session_touched = True

    @property
    def session_touched(self) -> bool:
        return getattr(self, "_session_touched", False)

    def forget_session_state(self) -> None:
        self._session_touched = False

    async def execute(self, query: str, *args: Any, **kwargs: Any) -> str:
        self._note(query)
        return await super().execute(query, *args, **kwargs)

    async def executemany(self, command: str, args: Any, **kwargs: Any) -> None:
        self._note(command)
        return await super().executemany(command, args, **kwargs)

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> list[Any]:
        self._note(query)
        return await super().fetch(query, *args, **kwargs)

    async def fetchval(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self._note(query)
        return await super().fetchval(query, *args, **kwargs)

    async def fetchrow(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self._note(query)
        return await super().fetchrow(query, *args, **kwargs)

    async def fetchmany(self, query: str, args: Any, **kwargs: Any) -> list[Any]:
        self._note(query)
        return await super().fetchmany(query, args, **kwargs)

    async def prepare(self, query: str, **kwargs: Any) -> Any:
        self._note(query)
        return await super().prepare(query, **kwargs)

    def cursor(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self._note(query)
        return super().cursor(query, *args, **kwargs)

    async def copy_from_query(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self._note(query)
        return await super().copy_from_query(query, *args, **kwargs)


async def reset_if_touched(conn: asyncpg.Connection) -> None:
    """The pool's `reset`: asyncpg's own `reset()` for a connection that may hold session state
    (or does not track it), nothing for the others."""
    tracking = isinstance(conn, SessionTrackingConnection)
    if tracking and not conn.session_touched:
        return
    await conn.reset()
    if tracking:  # after the reset: its own query (UNLISTEN, RESET) marks the connection again
        conn.forget_session_state()
