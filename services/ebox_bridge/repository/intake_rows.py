"""Rows written when a letter is admitted."""

from __future__ import annotations

import dataclasses
import json
from uuid import UUID

import asyncpg

from services.ebox_bridge.domain.intake import NewLetter
from services.ebox_bridge.domain.states import ROUTED

_FIELDS = [f.name for f in dataclasses.fields(NewLetter)]
COLUMNS = (*_FIELDS, "state")


async def known_fingerprints(
    conn: asyncpg.Connection, schema: str, letter_ids: list[UUID]
) -> dict[UUID, str]:
    rows = await conn.fetch(
        f"SELECT letter_id, content_sha256 FROM {schema}.letters WHERE letter_id = ANY($1::uuid[])",
        letter_ids,
    )
    return {r["letter_id"]: r["content_sha256"] for r in rows}


async def insert(conn: asyncpg.Connection, schema: str, letters: list[NewLetter]) -> None:
    if not letters:
        return
    records = []
    for letter in letters:
        row = [getattr(letter, name) for name in _FIELDS]
        row[_ADDRESS_AT] = json.dumps(letter.postal_address) if letter.postal_address else None
        row[_CONTACT_AT] = json.dumps(letter.contact) if letter.contact else None
        # Received and routed in one transaction: "received" exists only in the history.
        records.append((*row, ROUTED))
    # COPY: the cheapest way to write a broker batch of letters (PDFs included).
    await conn.copy_records_to_table("letters", schema_name=schema, columns=COLUMNS, records=records)


_ADDRESS_AT = _FIELDS.index("postal_address")
_CONTACT_AT = _FIELDS.index("contact")

