"""The letters repository as an object bound to its schema: what handlers write through.

A handler receives it in its constructor, so a unit test can give it the in-memory fake
(`tests/support/fake_letters.py`) instead; the SQL itself stays in `repository/letters.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from services.ebox_bridge.domain.intake import NewLetter
from services.ebox_bridge.domain.transitions import Transition
from services.ebox_bridge.repository import letters


class LetterStore:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def fingerprints(self, conn: asyncpg.Connection, letter_ids: list[UUID]) -> dict[UUID, str]:
        """letter_id → content_sha256 of the letters already admitted."""
        return await letters.fingerprints(conn, self.schema, letter_ids)

    async def admit(
        self, conn: asyncpg.Connection, admitted: Sequence[NewLetter], history: Sequence[Transition]
    ) -> None:
        """New letters and their first transitions, in the caller's transaction."""
        await letters.insert_admitted(conn, self.schema, admitted)
        await letters.record_history(conn, self.schema, history)
