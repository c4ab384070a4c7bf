"""Reading letters for their sender: one letter with its history, or a page of them.

Only letters of the principal's municipality are ever found; another's is "unknown" (404),
the same answer as an id that does not exist.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import ValidationError

from loket.infra.identity.principal import Location, Principal
from services.ebox_bridge.api import repository as api_letters
from services.ebox_bridge.api.letter_status import public_status
from services.ebox_bridge.api.models import (
    Channels,
    EboxChannel,
    HistoryEntry,
    LetterPage,
    LetterView,
    ListQuery,
    PaperChannel,
)
from services.ebox_bridge.api.problems import FieldError, field_errors, invalid, not_found
from services.ebox_bridge.repository import letters

# A status filter is applied to the rows read; a page reads at most this many before it
# answers with what it found and a cursor to go on.
_MAX_SCANNED = 2000


class LetterReading:
    def __init__(self, schema: str, pool: Callable[[], asyncpg.Pool]) -> None:
        self.schema, self.pool = schema, pool

    async def one(self, principal: Principal, letter_id: UUID) -> LetterView:
        async with self.pool().acquire() as conn:
            row = await letters.letter_view(conn, self.schema, letter_id)
            taken = (await api_letters.known_letters(conn, self.schema, [letter_id])).get(letter_id)
            if row is None:
                if taken is None or not principal.reaches(Location(taken["municipality"])):
                    raise not_found("letter", letter_id)
                # Accepted over HTTP, not yet admitted by intake.
                return LetterView(letter_id=letter_id, municipality=taken["municipality"], status="accepted",
                                  sender_reference=taken["sender_reference"], received_at=taken["accepted_at"])
            if not principal.reaches(Location(row["municipality"])):
                raise not_found("letter", letter_id)
            history = await letters.history_of(conn, self.schema, letter_id)
        view = _view(row, taken["sender_reference"] if taken else None)
        view.history = [HistoryEntry(**dict(h)) for h in history]
        return view

    async def page(self, principal: Principal, municipality: str, query: ListQuery) -> LetterPage:
        after = _position(query.cursor) if query.cursor else None
        found: list[LetterView] = []
        scanned = 0
        async with self.pool().acquire() as conn:
            only = None
            if query.sender_reference is not None:
                only = await api_letters.letters_with_reference(conn, self.schema, municipality, query.sender_reference)
            while len(found) < query.limit and scanned < _MAX_SCANNED:
                rows = await letters.page_of_letters(conn, self.schema, municipality, since=query.since, after=after,
                                                     only=only, limit=query.limit)
                scanned += len(rows)
                references = await api_letters.known_letters(conn, self.schema, [r["letter_id"] for r in rows])
                for row in rows:
                    after = (row["received_at"], row["letter_id"])
                    taken = references.get(row["letter_id"])
                    view = _view(row, taken["sender_reference"] if taken else None)
                    if query.status is None or view.status == query.status:
                        found.append(view)
                        if len(found) == query.limit:
                            break
                if len(rows) < query.limit:
                    after = None  # nothing more to read
                    break
        return LetterPage(letters=found, next_cursor=_cursor(after) if after else None)

    async def with_reference(self, principal: Principal, sender_reference: str, limit: int = 50) -> list[LetterView]:
        """The letters (admitted by intake) a sender gave this reference, within the principal's
        municipality (the operator's: any), newest first."""
        async with self.pool().acquire() as conn:
            ids = await api_letters.letters_with_reference(conn, self.schema, principal.municipality,
                                                           sender_reference)
            rows = await letters.letter_views(conn, self.schema, ids[:limit], principal.municipality)
            return await self._views(conn, principal, rows)

    async def of_recipient(self, principal: Principal, ssin: str, limit: int = 50) -> list[LetterView]:
        """The letters to one citizen within the principal's municipality (the operator's: any)."""
        async with self.pool().acquire() as conn:
            rows = await letters.letters_of_recipient(conn, self.schema, ssin, principal.municipality, limit)
            return await self._views(conn, principal, rows)

    async def _views(self, conn: asyncpg.Connection, principal: Principal,
                     rows: list[asyncpg.Record]) -> list[LetterView]:
        references = await api_letters.known_letters(conn, self.schema, [r["letter_id"] for r in rows])
        return [_view(r, references[r["letter_id"]]["sender_reference"] if r["letter_id"] in references else None)
                for r in rows if principal.reaches(Location(r["municipality"]))]


def _view(row: asyncpg.Record, sender_reference: str | None) -> LetterView:
    ebox = paper = None
    if row["ebox_state"] is not None:
        ebox = EboxChannel(state=row["ebox_state"], message_id=row["ebox_message_id"],
                           delivered_at=row["delivered_at"], read_at=row["read_at"], last_error=row["ebox_last_error"])
    if row["paper_state"] is not None:
        paper = PaperChannel(state=row["paper_state"], reason=row["paper_reason"], print_batch=row["batch_id"])
    return LetterView(
        letter_id=row["letter_id"], municipality=row["municipality"], department=row["department"],
        document_type=row["document_type"],
        status=public_status(row["state"], row["ebox_state"], row["paper_state"]),  # type: ignore[arg-type]
        sender_reference=sender_reference, routing=row["routing"], received_at=row["received_at"],
        updated_at=row["updated_at"], ebox_message_id=row["ebox_message_id"], print_batch=row["batch_id"],
        channels=Channels(ebox=ebox, paper=paper),
    )


def _cursor(after: tuple[dt.datetime, UUID]) -> str:
    raw = json.dumps([after[0].isoformat(), str(after[1])]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _position(cursor: str) -> tuple[dt.datetime, UUID]:
    try:
        at, letter_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return dt.datetime.fromisoformat(at), UUID(letter_id)
    except (ValueError, TypeError, binascii.Error):
        raise invalid([FieldError(pointer="/query/cursor", detail="not a cursor this API gave out")],
                      "Invalid query") from None


def query_of(params: Any) -> ListQuery:
    try:
        return ListQuery.model_validate(dict(params))
    except ValidationError as exc:
        raise invalid(field_errors(exc, ("query",)), "Invalid query") from None
