"""The `letters` table and its `letter_history`: every statement on them, reads included, is here.

Invariants:
- State names come from `domain.states` only. They are written into the SQL as literals built
  from the constants, never as parameters: a literal keeps the partial indexes' predicates
  (`ebox_state IN ('pending', 'publishing')`, …) provable for every plan, generic ones included.
- Every history row passes `check_allowed` (the state machine's table) and is written in the
  transaction that makes its transition.
- Work claims (eBox publishing, read polling) move the claimed rows' due time to the lease's
  end; outcomes are written only where that lease still holds, and the writers return those
  letters, so the caller emits events for them alone.
- A letter is queued for print only while it has no paper state: never a second paper copy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import asyncpg

from loket.infra.retention.policy import RetentionDays, past_retention, purged_rows
from services.ebox_bridge.domain import states
from services.ebox_bridge.domain.delivery import EboxChange
from services.ebox_bridge.domain.facts import FACT_COLUMNS
from services.ebox_bridge.domain.intake import NewLetter
from services.ebox_bridge.domain.reading import ReadChange
from services.ebox_bridge.domain.transitions import Transition, check_allowed


def _literal(*names: str) -> str:
    return ", ".join("'" + name.replace("'", "''") + "'" for name in names)


_EBOX_WORK = _literal(states.PENDING, states.PUBLISHING)
_PUBLISHING = _literal(states.PUBLISHING)
_DELIVERED = _literal(states.DELIVERED)
_QUEUED = _literal(states.QUEUED_FOR_PRINT)
_IN_BATCH = _literal(states.IN_BATCH)
_PAPER_FAILED = _literal(states.FAILED)
_OPEN_PAPER = _literal(states.QUEUED_FOR_PRINT, states.IN_BATCH, states.PRINTED)
_OPEN_EBOX = _literal(states.PENDING, states.PUBLISHING, states.DELIVERED)
_FACTS = ", ".join(f"l.{c}" for c in FACT_COLUMNS)

# Queues the letter for print with `c.paper_reason` (from an unnest `c`) if it has no paper yet.
_QUEUE_PAPER = f"""
    paper_state = CASE WHEN c.paper_reason IS NOT NULL AND l.paper_state IS NULL
                       THEN {_QUEUED} ELSE l.paper_state END,
    paper_reason = CASE WHEN c.paper_reason IS NOT NULL AND l.paper_state IS NULL
                        THEN c.paper_reason ELSE l.paper_reason END,
    paper_queued_at = CASE WHEN c.paper_reason IS NOT NULL AND l.paper_state IS NULL
                           THEN clock_timestamp() ELSE l.paper_queued_at END"""


# --- history -------------------------------------------------------------------------------

_HISTORY_COLUMNS = ("letter_id", "channel", "from_state", "to_state", "reason")


async def record_history(conn: asyncpg.Connection, schema: str, transitions: Sequence[Transition]) -> None:
    if not transitions:
        return
    check_allowed(transitions)
    # COPY: a batch of letters makes several rows each, and COPY is the cheapest way in.
    await conn.copy_records_to_table(
        "letter_history", schema_name=schema, columns=_HISTORY_COLUMNS,
        records=[(t.letter_id, t.channel, t.from_state, t.to_state, t.reason) for t in transitions],
    )


# --- intake --------------------------------------------------------------------------------

_NEW_FIELDS = [f.name for f in dataclasses.fields(NewLetter)]
_ADDRESS_AT = _NEW_FIELDS.index("postal_address")
_CONTACT_AT = _NEW_FIELDS.index("contact")


async def fingerprints(conn: asyncpg.Connection, schema: str, letter_ids: list[UUID]) -> dict[UUID, str]:
    """letter_id → content_sha256 of the letters already admitted."""
    rows = await conn.fetch(
        f"SELECT letter_id, content_sha256 FROM {schema}.letters WHERE letter_id = ANY($1::uuid[])",
        letter_ids,
    )
    return {r["letter_id"]: r["content_sha256"] for r in rows}


async def insert_admitted(conn: asyncpg.Connection, schema: str, letters: Sequence[NewLetter]) -> None:
    if not letters:
        return
    records = []
    for letter in letters:
        row = [getattr(letter, name) for name in _NEW_FIELDS]
        row[_ADDRESS_AT] = json.dumps(letter.postal_address) if letter.postal_address else None
        row[_CONTACT_AT] = json.dumps(letter.contact) if letter.contact else None
        # Received and routed in one transaction: "received" exists only in the history.
        records.append((*row, states.ROUTED))
    # COPY: the cheapest way to write a broker batch of letters (PDFs included).
    await conn.copy_records_to_table(
        "letters", schema_name=schema, columns=(*_NEW_FIELDS, "state"), records=records
    )


# --- eBox publishing -----------------------------------------------------------------------

_CLAIMED_FOR_PUBLISHING = (
    "l.letter_id, due.was, l.routing, l.ebox_attempts, l.ebox_fallback_at, l.escalate_after_days, "
    "l.ssin, l.recipient_kind, l.subject, l.registered, l.message_type_id, l.paper_state, "
    "l.sender_enterprise_number, l.sender_application_id, "
    + ", ".join(f"l.{c}" for c in FACT_COLUMNS if c != "letter_id")
)


async def claim_for_publishing(
    conn: asyncpg.Connection, schema: str, limit: int, now: dt.datetime, lease_until: dt.datetime
) -> list[asyncpg.Record]:
    """Due letters → publishing, leased until `lease_until` (also their next due time, so a
    dead worker's letters are claimed again then). `was` is the state each one came from."""
    return await conn.fetch(
        f"""WITH due AS MATERIALIZED (  -- claimed once, never rescanned
                SELECT letter_id, ebox_state AS was FROM {schema}.letters
                WHERE ebox_state IN ({_EBOX_WORK}) AND ebox_due_at <= $2
                ORDER BY ebox_due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
            UPDATE {schema}.letters l
               SET ebox_state = {_PUBLISHING}, ebox_due_at = $3, ebox_lease_until = $3,
                   ebox_attempts = l.ebox_attempts + 1, updated_at = clock_timestamp()
              FROM due WHERE l.letter_id = due.letter_id
            RETURNING {_CLAIMED_FOR_PUBLISHING}""",
        limit, now, lease_until,
    )


async def pdfs(conn: asyncpg.Connection, schema: str, letter_ids: list[UUID]) -> dict[UUID, bytes]:
    rows = await conn.fetch(
        f"SELECT letter_id, pdf FROM {schema}.letters WHERE letter_id = ANY($1::uuid[])", letter_ids
    )
    return {r["letter_id"]: r["pdf"] for r in rows}


async def apply_ebox_changes(
    conn: asyncpg.Connection, schema: str, changes: Sequence[EboxChange], lease_until: dt.datetime
) -> set[UUID]:
    """Write the outcomes of a claim; return the letters still under that lease."""
    if not changes:
        return set()
    rows = await conn.fetch(
        f"""UPDATE {schema}.letters l SET
                ebox_state = c.state, ebox_due_at = c.due_at, ebox_lease_until = NULL,
                ebox_last_error = coalesce(c.last_error, l.ebox_last_error),
                ebox_message_id = coalesce(c.message_id, l.ebox_message_id),
                delivered_at = coalesce(c.delivered_at, l.delivered_at),
                next_read_poll_at = c.next_poll, escalate_at = c.escalate_at,
                {_QUEUE_PAPER},
                updated_at = clock_timestamp()
            FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[],
                        $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::text[])
                 AS c(letter_id, state, due_at, last_error, message_id, delivered_at, next_poll,
                      escalate_at, paper_reason)
            WHERE l.letter_id = c.letter_id AND l.ebox_state = {_PUBLISHING}
              AND l.ebox_lease_until = $10
            RETURNING l.letter_id""",
        *_columns(changes, "letter_id", "ebox_state", "due_at", "last_error", "message_id", "delivered_at",
                  "next_read_poll_at", "escalate_at", "paper_reason"),
        lease_until,
    )
    return {r["letter_id"] for r in rows}



def _columns(changes: Sequence[Any], *fields: str) -> list[list[Any]]:
    """One array per field, in the order of the `unnest(...)` that turns them back into rows."""
    return [[getattr(change, field) for change in changes] for field in fields]


# --- read status ---------------------------------------------------------------------------


async def claim_for_read_poll(
    conn: asyncpg.Connection, schema: str, limit: int, now: dt.datetime, lease_until: dt.datetime
) -> list[asyncpg.Record]:
    """Delivered letters due for a poll; their next poll moves to `lease_until`, which is the
    lease: only the poller holding it records an answer, and a dead poller's letters are due
    again when it ends."""
    return await conn.fetch(
        f"""WITH due AS MATERIALIZED (  -- claimed once, never rescanned
                SELECT letter_id FROM {schema}.letters
                WHERE ebox_state = {_DELIVERED} AND next_read_poll_at <= $1
                ORDER BY next_read_poll_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            UPDATE {schema}.letters l SET next_read_poll_at = $3
              FROM due WHERE l.letter_id = due.letter_id
            RETURNING {_FACTS}, l.ebox_message_id, l.ssin, l.recipient_kind, l.delivered_at, l.escalate_at,
                      l.paper_state""",
        now, limit, lease_until,
    )


async def apply_read_changes(
    conn: asyncpg.Connection, schema: str, changes: Sequence[ReadChange], lease_until: dt.datetime
) -> set[UUID]:
    """Write the outcomes of a poll; return the letters still under that lease. A letter only
    polled again keeps its `updated_at`: nothing about it changed."""
    if not changes:
        return set()
    rows = await conn.fetch(
        f"""UPDATE {schema}.letters l SET
                ebox_state = c.state, next_read_poll_at = c.next_poll,
                read_at = coalesce(c.read_at, l.read_at),
                {_QUEUE_PAPER},
                updated_at = CASE WHEN c.state = l.ebox_state THEN l.updated_at ELSE clock_timestamp() END
            FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[])
                 AS c(letter_id, state, next_poll, read_at, paper_reason)
            WHERE l.letter_id = c.letter_id AND l.ebox_state = {_DELIVERED}
              AND l.next_read_poll_at = $6
            RETURNING l.letter_id""",
        *_columns(changes, "letter_id", "ebox_state", "next_poll_at", "read_at", "paper_reason"),
        lease_until,
    )
    return {r["letter_id"] for r in rows}


# --- paper ---------------------------------------------------------------------------------


async def move_queued_into_batch(
    conn: asyncpg.Connection, schema: str, batch_id: str, cutoff_at: dt.datetime
) -> list[asyncpg.Record]:
    """Every letter queued for print up to `cutoff_at` → in the batch; their ids and pages, and
    what the campaign's insert decision needs (held in memory only for that decision)."""
    return await conn.fetch(
        f"""UPDATE {schema}.letters SET paper_state = {_IN_BATCH}, batch_id = $1,
                   updated_at = clock_timestamp()
            WHERE paper_state = {_QUEUED} AND paper_queued_at <= $2
            RETURNING letter_id, pages, municipality, department, routing, recipient_kind, ssin, postal_address""",
        batch_id, cutoff_at,
    )


async def letters_of_batch(conn: asyncpg.Connection, schema: str, batch_id: str) -> list[asyncpg.Record]:
    """What a batch's print files are made of: its letters, except those quarantined from it."""
    return await conn.fetch(
        f"""SELECT {', '.join(FACT_COLUMNS)}, postal_address, pdf, paper_reason
            FROM {schema}.letters WHERE batch_id = $1 AND paper_state IS DISTINCT FROM {_PAPER_FAILED}""",
        batch_id,
    )


async def quarantine_from_batch(
    conn: asyncpg.Connection, schema: str, batch_id: str, letter_ids: list[UUID]
) -> list[asyncpg.Record]:
    """Letters of the batch that cannot be printed → paper failed; the batch goes out without
    them. Returns the facts of those still in the batch (a repeat changes nothing)."""
    return await conn.fetch(
        f"""UPDATE {schema}.letters SET paper_state = {_PAPER_FAILED}, updated_at = clock_timestamp()
            WHERE batch_id = $1 AND paper_state = {_IN_BATCH} AND letter_id = ANY($2::uuid[])
            RETURNING {', '.join(FACT_COLUMNS)}""",
        batch_id, letter_ids,
    )


async def lock_for_confirmation(
    conn: asyncpg.Connection, schema: str, letter_ids: list[UUID]
) -> dict[UUID, asyncpg.Record]:
    """The facts, paper state and batch of the letters a print-house answer names, locked for
    the caller's transaction."""
    rows = await conn.fetch(
        f"SELECT {', '.join(FACT_COLUMNS)}, paper_state, batch_id FROM {schema}.letters "
        "WHERE letter_id = ANY($1::uuid[]) FOR UPDATE",
        letter_ids,
    )
    return {r["letter_id"]: r for r in rows}


async def set_paper_states(conn: asyncpg.Connection, schema: str, paper_states: Mapping[UUID, str]) -> None:
    await conn.execute(
        f"UPDATE {schema}.letters l SET paper_state = c.state, updated_at = clock_timestamp() "
        "FROM unnest($1::uuid[], $2::text[]) AS c(letter_id, state) WHERE l.letter_id = c.letter_id",
        list(paper_states), list(paper_states.values()),
    )


# --- sweeping ------------------------------------------------------------------------------

_AGE_BUCKET = (
    "CASE WHEN age < interval '1 hour' THEN '<1h' WHEN age < interval '1 day' THEN '1h-1d' "
    "WHEN age < interval '7 days' THEN '1d-7d' ELSE '>7d' END"
)
# Paper waits for the daily cut-off, so it counts as stuck only a day later than eBox work.
_PAPER_GRACE = "interval '1 day'"


async def redrive_ebox_work_without_due_time(conn: asyncpg.Connection, schema: str, now: dt.datetime) -> int:
    """eBox work that lost its due time is made due now; returns how many letters."""
    status = await conn.execute(
        f"UPDATE {schema}.letters SET ebox_due_at = $1 "
        f"WHERE ebox_state IN ({_EBOX_WORK}) AND ebox_due_at IS NULL", now,
    )
    return int(status.split()[-1])


async def open_letters_by_age(
    conn: asyncpg.Connection, schema: str, now: dt.datetime, stuck_after: dt.timedelta
) -> list[asyncpg.Record]:
    """(channel, state, age bucket) → n, and how many of them are older than `stuck_after`
    (a day more on paper), for the letters not yet in a terminal state."""
    return await conn.fetch(
        f"""SELECT channel, state, {_AGE_BUCKET} AS bucket, count(*) AS n,
                   count(*) FILTER (WHERE age > $2 + CASE WHEN channel = 'paper' THEN {_PAPER_GRACE}
                                                         ELSE interval '0' END) AS stuck
            FROM (SELECT 'ebox' AS channel, ebox_state AS state, $1::timestamptz - received_at AS age
                    FROM {schema}.letters
                   WHERE ebox_state IN ({_OPEN_EBOX})
                  UNION ALL
                  SELECT 'paper', paper_state, $1::timestamptz - received_at
                    FROM {schema}.letters
                   WHERE paper_state IN ({_OPEN_PAPER})) AS open
            GROUP BY 1, 2, 3""",
        now, stuck_after,
    )


async def stuck_in_batches_without_files(
    conn: asyncpg.Connection, schema: str, now: dt.datetime, stuck_after: dt.timedelta, limit: int = 10
) -> tuple[int, list[str]]:
    """Letters in a batch closed longer than `stuck_after` ago whose files were never written
    (composing or writing keeps failing): how many, and the ids of those batches."""
    rows = await conn.fetch(
        f"""SELECT b.batch_id, count(*) AS n
            FROM {schema}.print_batches b JOIN {schema}.letters l ON l.batch_id = b.batch_id
            WHERE b.files_written_at IS NULL AND b.closed_at < $1::timestamptz - $2::interval
              AND l.paper_state = {_IN_BATCH}
            GROUP BY b.batch_id ORDER BY min(b.cutoff_at)""",
        now, stuck_after,
    )
    return sum(r["n"] for r in rows), [r["batch_id"] for r in rows[:limit]]


async def stuck_examples(
    conn: asyncpg.Connection, schema: str, now: dt.datetime, stuck_after: dt.timedelta, limit: int = 10
) -> list[UUID]:
    """The oldest letters stuck in a state the bridge itself should have moved on from."""
    rows = await conn.fetch(
        f"""SELECT letter_id FROM {schema}.letters
            WHERE (ebox_state IN ({_EBOX_WORK}) AND received_at < $1::timestamptz - $2::interval)
               OR (paper_state = {_QUEUED}
                   AND received_at < $1::timestamptz - $2::interval - {_PAPER_GRACE})
            ORDER BY received_at LIMIT $3""",
        now, stuck_after, limit,
    )
    return [r["letter_id"] for r in rows]


# --- the letters API -----------------------------------------------------------------------

_VIEW = ("letter_id, municipality, department, document_type, state, routing, ebox_state, paper_state, "
         "paper_reason, ebox_message_id, ebox_last_error, batch_id, received_at, delivered_at, read_at, updated_at")


async def letter_view(conn: asyncpg.Connection, schema: str, letter_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {_VIEW} FROM {schema}.letters WHERE letter_id = $1", letter_id)


async def history_of(conn: asyncpg.Connection, schema: str, letter_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT channel, from_state, to_state, reason, at FROM {schema}.letter_history "
        "WHERE letter_id = $1 ORDER BY id", letter_id,
    )


async def letter_views(conn: asyncpg.Connection, schema: str, letter_ids: list[UUID],
                       municipality: str | None) -> list[asyncpg.Record]:
    """These letters (of `municipality`; None: of any), newest first."""
    return await conn.fetch(
        f"""SELECT {_VIEW} FROM {schema}.letters
            WHERE letter_id = ANY($1::uuid[]) AND ($2::text IS NULL OR municipality = $2)
            ORDER BY received_at DESC, letter_id DESC""",
        letter_ids, municipality,
    )


async def letters_of_recipient(conn: asyncpg.Connection, schema: str, ssin: str, municipality: str | None,
                               limit: int) -> list[asyncpg.Record]:
    """The letters to one citizen (of `municipality`; None: of any), newest first. The number
    is a parameter only: it is never part of a statement's text, a log line or an answer."""
    return await conn.fetch(
        f"""SELECT {_VIEW} FROM {schema}.letters
            WHERE ssin = $1 AND ssin <> '' AND ($2::text IS NULL OR municipality = $2)
            ORDER BY received_at DESC, letter_id DESC LIMIT $3""",
        ssin, municipality, limit,
    )


async def returned_of_batch(conn: asyncpg.Connection, schema: str, batch_id: str,
                            municipality: str | None) -> list[asyncpg.Record]:
    """The batch's returned letters (of `municipality`; None: of any) with when and why the print
    house reported the return."""
    return await conn.fetch(
        f"""SELECT l.letter_id, l.municipality, h.at AS returned_at, h.reason
            FROM {schema}.letters l
            LEFT JOIN LATERAL (SELECT at, reason FROM {schema}.letter_history
                               WHERE letter_id = l.letter_id AND channel = 'paper'
                                 AND to_state = {_literal(states.RETURNED)}
                               ORDER BY id DESC LIMIT 1) h ON true
            WHERE l.batch_id = $1 AND l.paper_state = {_literal(states.RETURNED)}
              AND ($2::text IS NULL OR l.municipality = $2)
            ORDER BY h.at DESC NULLS LAST, l.letter_id""",
        batch_id, municipality,
    )


async def page_of_letters(
    conn: asyncpg.Connection, schema: str, municipality: str, *, since: dt.datetime | None,
    after: tuple[dt.datetime, UUID] | None, only: list[UUID] | None, limit: int,
) -> list[asyncpg.Record]:
    """A municipality's letters, newest first, after the cursor position `after`."""
    return await conn.fetch(
        f"""SELECT {_VIEW} FROM {schema}.letters
            WHERE municipality = $1
              AND ($2::timestamptz IS NULL OR received_at >= $2)
              AND ($3::timestamptz IS NULL OR (received_at, letter_id) < ($3, $4::uuid))
              AND ($5::uuid[] IS NULL OR letter_id = ANY($5::uuid[]))
            ORDER BY received_at DESC, letter_id DESC LIMIT $6""",
        municipality, since, after[0] if after else None, after[1] if after else None, only, limit,
    )


async def lock_for_cancel(conn: asyncpg.Connection, schema: str, letter_id: UUID) -> asyncpg.Record | None:
    """The letter's states, locked for the caller's transaction: a worker claiming it waits (or
    skips it), so the cancel decides on the states as they stay."""
    return await conn.fetchrow(
        f"SELECT {', '.join(FACT_COLUMNS)}, state, ebox_state, paper_state FROM {schema}.letters "
        "WHERE letter_id = $1 FOR UPDATE", letter_id,
    )


async def cancel(conn: asyncpg.Connection, schema: str, transitions: Sequence[Transition]) -> None:
    """Apply a cancellation (`domain.cancellation`) of one letter and record its history."""
    check_allowed(transitions)
    by_channel = {t.channel: t.to_state for t in transitions}
    letter_id = transitions[0].letter_id
    await conn.execute(
        f"""UPDATE {schema}.letters SET state = $2,
                   ebox_state = coalesce($3, ebox_state), ebox_due_at = CASE WHEN $3::text IS NULL
                                                                   THEN ebox_due_at END,
                   paper_state = coalesce($4, paper_state), updated_at = clock_timestamp()
            WHERE letter_id = $1""",
        letter_id, by_channel["letter"], by_channel.get("ebox"), by_channel.get("paper"),
    )
    await record_history(conn, schema, transitions)


async def municipalities_of(conn: asyncpg.Connection, schema: str, letter_ids: list[UUID]) -> dict[UUID, str]:
    """letter_id → municipality (status events name the letter, not always its municipality)."""
    rows = await conn.fetch(
        f"SELECT letter_id, municipality FROM {schema}.letters WHERE letter_id = ANY($1::uuid[])", letter_ids,
    )
    return {r["letter_id"]: r["municipality"] for r in rows}


def _settled(ebox_param: int) -> str:
    """A letter is settled when nothing will read its personal data again: each channel it uses
    has ended (or it is in the eBox and the read poller is done with it). The terminal states
    (`_settled_args()`) are bound at `$ebox_param` and the parameter after it."""
    return f"""l.state <> 'received'
    AND (l.ebox_state IS NULL OR l.ebox_state = ANY(${ebox_param}::text[])
         OR (l.ebox_state = 'delivered_to_ebox' AND l.next_read_poll_at IS NULL))
    AND (l.paper_state IS NULL OR l.paper_state = ANY(${ebox_param + 1}::text[]))"""


def _settled_args() -> tuple[list[str], list[str]]:
    return sorted(states.EBOX_TERMINAL), sorted(states.PAPER_TERMINAL)


async def erase_settled_pdfs(conn: asyncpg.Connection, schema: str, now: dt.datetime, days: RetentionDays) -> int:
    """Drop the PDF of letters settled more than their municipality's `letter_pdf_days` ago (its
    digest stays, so a copy the sender still holds can be matched)."""
    return await purged_rows(
        conn,
        f"""UPDATE {schema}.letters l SET pdf = ''::bytea
            WHERE octet_length(l.pdf) > 0 AND {_settled(5)}
              AND {past_retention("l.updated_at", "l.municipality")}""",
        now, days, *_settled_args())


async def erase_settled_recipients(conn: asyncpg.Connection, schema: str, now: dt.datetime,
                                   days: RetentionDays) -> int:
    """Blank the national number, postal address and contact of letters settled more than their
    municipality's `postal_address_days` ago: the letter's history stays, not whose it was."""
    return await purged_rows(
        conn,
        f"""UPDATE {schema}.letters l SET ssin = '', postal_address = NULL, contact = NULL
            WHERE l.ssin <> '' AND {_settled(5)}
              AND {past_retention("l.updated_at", "l.municipality")}""",
        now, days, *_settled_args())


async def ids_of_citizen(conn: asyncpg.Connection, schema: str, ssin: str) -> list[UUID]:
    return [r["letter_id"] for r in await conn.fetch(f"SELECT letter_id FROM {schema}.letters WHERE ssin = $1", ssin)]


async def count_of_citizen(conn: asyncpg.Connection, schema: str, ssin: str) -> int:
    """Letters that still hold this national number (after an erasure: those in flight then)."""
    return int(await conn.fetchval(f"SELECT count(*) FROM {schema}.letters WHERE ssin = $1", ssin))


async def of_citizen(conn: asyncpg.Connection, schema: str, ssin: str) -> list[dict[str, Any]]:
    """Everything the bridge keeps about one citizen's letters (without the PDF's bytes), with
    each letter's history: what `loket privacy export` hands the citizen."""
    rows = await conn.fetch(
        f"""SELECT letter_id, municipality, department, document_type, language, subject, issued_at, routing,
                   state, ebox_state, paper_state, delivered_at, read_at, batch_id, postal_address, contact,
                   registered, important, pages, pdf_sha256, octet_length(pdf) AS pdf_bytes
            FROM {schema}.letters WHERE ssin = $1 ORDER BY issued_at""", ssin)
    history = await conn.fetch(
        f"""SELECT h.letter_id, h.at, h.channel, h.from_state, h.to_state, h.reason FROM {schema}.letter_history h
            JOIN {schema}.letters l USING (letter_id) WHERE l.ssin = $1 ORDER BY h.at""", ssin)
    by_letter: dict[UUID, list[dict[str, Any]]] = {}
    for h in history:
        by_letter.setdefault(h["letter_id"], []).append({k: h[k] for k in ("at", "channel", "from_state", "to_state",
                                                                            "reason")})
    return [{**dict(r), "history": by_letter.get(r["letter_id"], [])} for r in rows]


async def erase_citizen(conn: asyncpg.Connection, schema: str, ssin: str,
                        erasure_id: UUID) -> tuple[list[tuple[UUID, str]], int]:
    """An erasure request: the citizen's settled letters lose their PDF, number, address and
    contact now; ((letter id, municipality) of each erased, how many still in flight). Every
    letter of the citizen is marked with the request: those in flight keep what delivering them
    needs and are erased the moment they settle (`erase_settled_of_requests`)."""
    rows = await conn.fetch(
        f"""UPDATE {schema}.letters l SET pdf = ''::bytea, ssin = '', postal_address = NULL, contact = NULL,
                   erasure_id = $4
            WHERE l.ssin = $1 AND {_settled(2)} RETURNING letter_id, municipality""",
        ssin, *_settled_args(), erasure_id)
    status = await conn.execute(f"UPDATE {schema}.letters SET erasure_id = $2 WHERE ssin = $1", ssin, erasure_id)
    return [(r["letter_id"], r["municipality"]) for r in rows], int(status.split()[-1])


async def erase_settled_of_requests(conn: asyncpg.Connection, schema: str,
                                    limit: int) -> list[tuple[UUID, str, UUID]]:
    """Letters that were in flight at an erasure request and have settled since lose their PDF,
    number, address and contact; ((letter id, municipality, erasure id) of each). Rows another
    replica is erasing are skipped, so each letter is erased (and announced) once."""
    rows = await conn.fetch(
        f"""UPDATE {schema}.letters SET pdf = ''::bytea, ssin = '', postal_address = NULL, contact = NULL
            WHERE letter_id IN (SELECT l.letter_id FROM {schema}.letters l
                                WHERE l.erasure_id IS NOT NULL AND l.ssin <> '' AND {_settled(1)}
                                ORDER BY l.letter_id LIMIT $3 FOR UPDATE SKIP LOCKED)
            RETURNING letter_id, municipality, erasure_id""",
        *_settled_args(), limit)
    return [(r["letter_id"], r["municipality"], r["erasure_id"]) for r in rows]


async def ids_of_erasure(conn: asyncpg.Connection, schema: str, erasure_id: UUID) -> list[UUID]:
    """The letters an erasure request covered, found after their number is gone."""
    return [r["letter_id"] for r in await conn.fetch(
        f"SELECT letter_id FROM {schema}.letters WHERE erasure_id = $1 ORDER BY letter_id", erasure_id)]


async def returned_to_check(conn: asyncpg.Connection, schema: str, municipality: str | None,
                            limit: int) -> list[asyncpg.Record]:
    """Returned letters whose address nobody has checked yet (of `municipality`; None: of any),
    oldest return first, with when and why bpost returned them."""
    return await conn.fetch(
        f"""SELECT l.letter_id, l.municipality, l.department, l.batch_id, h.at AS returned_at, h.reason
            FROM {schema}.letters l
            LEFT JOIN LATERAL (SELECT at, reason FROM {schema}.letter_history
                               WHERE letter_id = l.letter_id AND channel = 'paper'
                                 AND to_state = {_literal(states.RETURNED)}
                               ORDER BY id DESC LIMIT 1) h ON true
            WHERE l.paper_state = {_literal(states.RETURNED)} AND l.address_checked_at IS NULL
              AND ($1::text IS NULL OR l.municipality = $1)
            ORDER BY h.at NULLS FIRST, l.letter_id LIMIT $2""",
        municipality, limit,
    )


async def mark_address_checked(conn: asyncpg.Connection, schema: str, letter_id: UUID, municipality: str | None,
                               by: str, at: dt.datetime) -> bool:
    """Done, once; False when the letter is unknown, not returned, another municipality's or done."""
    status = await conn.execute(
        f"""UPDATE {schema}.letters SET address_checked_at = $4, address_checked_by = $3
            WHERE letter_id = $1 AND paper_state = {_literal(states.RETURNED)} AND address_checked_at IS NULL
              AND ($2::text IS NULL OR municipality = $2)""",
        letter_id, municipality, by[:200], at,
    )
    return status.endswith(" 1")
