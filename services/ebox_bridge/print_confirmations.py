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
from services.ebox_bridge import status_events
from services.ebox_bridge.domain import states
from services.ebox_bridge.domain.facts import LetterFacts
from services.ebox_bridge.domain.transitions import Transition
from services.ebox_bridge.paper import PrintConfirmation
from services.ebox_bridge.repository import letters

# Later states a letter may already be in when an earlier confirmation arrives (re-sent files).
_ALREADY = {
    states.PRINTED: {states.PRINTED, states.POSTED, states.RETURNED},
    states.POSTED: {states.POSTED, states.RETURNED},
    states.RETURNED: {states.RETURNED},
}


@dataclass(frozen=True)
class ConfirmProblem:
    entry: int  # 1-based position in the confirmations given
    detail: str

    def __str__(self) -> str:
        return f"entry {self.entry}: {self.detail}"


@dataclass
class ConfirmResult:
    applied: Counter[str] = field(default_factory=Counter)
    skipped: int = 0
    problems: list[ConfirmProblem] = field(default_factory=list)


async def apply_confirmations(
    conn: asyncpg.Connection, schema: str, outbox: Outbox, confirmations: list[PrintConfirmation],
    now: dt.datetime, *, batch_id: str | None = None,
) -> ConfirmResult:
    """Apply in the caller's transaction, events into `outbox`; on problems the caller must roll back.

    `batch_id`: the answer is about that batch only (a print house over HTTP): any other letter is
    "not in the batch", whether it exists or where it is being none of the caller's business."""
    result = ConfirmResult()
    rows = await letters.lock_for_confirmation(conn, schema, list({c.letter_id for c in confirmations}))
    current = {letter_id: row["paper_state"] for letter_id, row in rows.items()}
    transitions: list[Transition] = []
    events: list[Event] = []
    for n, conf in enumerate(confirmations, start=1):
        row = rows.get(conf.letter_id)
        if batch_id is not None and conf.batch_id not in (None, batch_id):
            result.problems.append(ConfirmProblem(n, f"batch_id {conf.batch_id!r} is not this batch ({batch_id})"))
            continue
        if batch_id is not None and (row is None or row["batch_id"] != batch_id):
            result.problems.append(ConfirmProblem(n, f"letter {conf.letter_id} is not in batch {batch_id}"))
            continue
        if row is None:
            result.problems.append(ConfirmProblem(n, f"letter {conf.letter_id} is unknown to the bridge"))
            continue
        if conf.batch_id is not None and conf.batch_id != row["batch_id"]:
            result.problems.append(ConfirmProblem(
                n, f"letter {conf.letter_id} is in batch {row['batch_id']}, not {conf.batch_id}"))
            continue
        state = current[conf.letter_id]
        if state in _ALREADY[conf.status]:
            result.skipped += 1
            continue
        if state not in states.PAPER_CONFIRMATION_FROM[conf.status]:
            result.problems.append(ConfirmProblem(
                n, f"letter {conf.letter_id} is {state or 'not on paper'}; it cannot become {conf.status}"))
            continue
        facts = LetterFacts.from_row(row)
        events.append(_event(facts, row["batch_id"], conf, now))
        transitions.append(Transition(conf.letter_id, "paper", state, conf.status, conf.reason))
        current[conf.letter_id] = conf.status
        result.applied[conf.status] += 1
    if result.problems:
        return result
    await letters.set_paper_states(conn, schema, current)
    await letters.record_history(conn, schema, transitions)
    await outbox.append(conn, *events)
    return result


def _event(facts: LetterFacts, batch_id: str, conf: PrintConfirmation, now: dt.datetime) -> Event:
    if conf.status == states.PRINTED:
        return status_events.printed(facts, batch_id)
    if conf.status == states.POSTED:
        return status_events.posted(facts, batch_id, conf.at or now)
    return status_events.returned(facts, batch_id, conf.reason or "returned by bpost")
