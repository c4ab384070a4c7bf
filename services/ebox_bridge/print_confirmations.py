"""The print house's answer (printed / posted / returned per letter) → paper states and events.

All or nothing: a file with any problem changes nothing, and says what to fix. Re-ingesting the
same file is harmless: a letter already in the confirmed state is skipped, so no event twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import asyncpg

from loket.contracts import Event
from loket.infra.db.outbox import Outbox
from services.ebox_bridge.domain import states
from services.ebox_bridge.paper import PrintConfirmation
from services.ebox_bridge.repository import history
from services.ebox_bridge.repository.history import Transition
from services.ebox_bridge.status_events import FACT_COLUMNS, LetterFacts

# Later states a letter may already be in when an earlier confirmation arrives (re-sent files).
_ALREADY = {
    states.PRINTED: {states.PRINTED, states.POSTED, states.RETURNED},
    states.POSTED: {states.POSTED, states.RETURNED},
    states.RETURNED: {states.RETURNED},
}


@dataclass
class ConfirmResult:
    applied: Counter[str] = field(default_factory=Counter)
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


async def apply_confirmations(
    conn: asyncpg.Connection, schema: str, confirmations: list[PrintConfirmation], now: dt.datetime
) -> ConfirmResult:
    """Apply in the caller's transaction; on problems the caller must roll back."""
    result = ConfirmResult()
    rows = {
        r["letter_id"]: r
        for r in await conn.fetch(
            f"SELECT {FACT_COLUMNS}, paper_state, batch_id FROM {schema}.letters "
            "WHERE letter_id = ANY($1::uuid[]) FOR UPDATE",
            list({c.letter_id for c in confirmations}),
        )
    }
    current = {letter_id: row["paper_state"] for letter_id, row in rows.items()}
    transitions: list[Transition] = []
    events: list[Event] = []
    for n, conf in enumerate(confirmations, start=1):
        row = rows.get(conf.letter_id)
        if row is None:
            result.problems.append(f"entry {n}: letter {conf.letter_id} is unknown to the bridge")
            continue
        if conf.batch_id is not None and conf.batch_id != row["batch_id"]:
            result.problems.append(f"entry {n}: letter {conf.letter_id} is in batch {row['batch_id']}, not {conf.batch_id}")
            continue
        state = current[conf.letter_id]
        if state in _ALREADY[conf.status]:
            result.skipped += 1
            continue
        if state not in states.PAPER_CONFIRMATION_FROM[conf.status]:
            result.problems.append(f"entry {n}: letter {conf.letter_id} is {state or 'not on paper'}; it cannot become {conf.status}")
            continue
        facts = LetterFacts.from_row(row)
        events.append(_event(facts, row["batch_id"], conf, now))
        transitions.append(Transition(conf.letter_id, "paper", state, conf.status, conf.reason))
        current[conf.letter_id] = conf.status
        result.applied[conf.status] += 1
    if result.problems:
        return result
    await conn.execute(
        f"UPDATE {schema}.letters l SET paper_state = c.state, updated_at = clock_timestamp() "
        "FROM unnest($1::uuid[], $2::text[]) AS c(letter_id, state) WHERE l.letter_id = c.letter_id",
        list(current), list(current.values()),
    )
    await history.record(conn, schema, transitions)
    await Outbox(schema).append(conn, *events)
    return result


def _event(facts: LetterFacts, batch_id: str, conf: PrintConfirmation, now: dt.datetime) -> Event:
    if conf.status == states.PRINTED:
        return facts.printed(batch_id)
    if conf.status == states.POSTED:
        return facts.posted(batch_id, conf.at or now)
    return facts.returned(batch_id, conf.reason or "returned by bpost")
