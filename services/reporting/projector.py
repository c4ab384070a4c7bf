"""Events → read-model rows. One upsert per event type, run with executemany over a broker
batch; each upsert writes only the facts its event knows, so any order and any number of
repeats give the same rows.

Each upsert is described as data (`Upsert`: table, key, columns, and per column a `Rule` for
merging a new value into an existing row); the SQL is generated from that description, and the
in-memory fake of the tests (`tests/support/fake_projections.py`) applies the same rules in
Python. Handlers write through a store: `SqlProjections` binds the SQL to a schema once.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol
from uuid import UUID

import asyncpg

from loket.contracts import Event
from loket.contracts.citizens import CitizenErasureRequested
from services.reporting.pseudonyms import Pseudonymizer

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Rule:
    """How a column of an existing row takes a new value on conflict. `sql` is formatted with the
    table `{t}` and the column `{c}`; `kind` and `version` tell the fake what the SQL does."""

    kind: str  # "keep" | "latest" | "greatest" | "versioned"
    sql: str
    version: str | None = None  # for "versioned": the column whose greater value wins


# Columns set from context every event of an aggregate may carry: keep the first known value.
KEEP = Rule("keep", "coalesce({t}.{c}, EXCLUDED.{c})")
# The event's own facts: the value carried by the event wins (NULL included).
LATEST = Rule("latest", "EXCLUDED.{c}")
GREATEST = Rule("greatest", "greatest({t}.{c}, EXCLUDED.{c})")


def newest_by(version: str) -> Rule:
    """The value written with the greater `version` wins (a tie or an unknown version: the new one)."""
    return Rule("versioned", f"CASE WHEN {{t}}.{version} > EXCLUDED.{version} THEN {{t}}.{{c}} ELSE EXCLUDED.{{c}} END",
                version)


@dataclass(frozen=True)
class Upsert:
    table: str
    key: str
    columns: list[str]
    assign: dict[str, Rule] = field(default_factory=dict)  # columns not named here: KEEP

    def rule(self, column: str) -> Rule:
        return self.assign.get(column, KEEP)

    @property
    def sql(self) -> str:
        """The statement, with `{schema}` left to fill in."""
        params = ", ".join(f"${i + 1}" for i in range(len(self.columns)))
        sets = ", ".join(f"{c} = {self.rule(c).sql.format(t=self.table, c=c)}" for c in self.columns if c != self.key)
        return (f"INSERT INTO {{schema}}.{self.table} ({', '.join(self.columns)}) VALUES ({params}) "
                f"ON CONFLICT ({self.key}) DO UPDATE SET {sets}")


class Statement(NamedTuple):
    sql: str  # with `{schema}` to fill in
    row: Callable[[Any, Pseudonymizer], Row]
    upsert: Upsert


def _on(table: str, key: str, columns: list[str], assign: dict[str, Rule],
        row: Callable[[Any, Pseudonymizer], Row]) -> Statement:
    upsert = Upsert(table, key, columns, assign)
    return Statement(upsert.sql, row, upsert)


VISIT = ["visit_id", "point_id", "municipality", "point_kind"]
APPT = ["appointment_id", "point_id", "municipality"]
LETTER = ["letter_id", "municipality", "department", "document_type"]
NOTE = ["notification_id", "kind", "channel", "trigger_aggregate_id"]
LOAN = ["loan_id", "point_id", "municipality"]
WORKSHOP = ["registration_id", "workshop_id", "point_id", "municipality", "starts_at"]
STARTS = {"starts_at": newest_by("starts_version"), "starts_version": GREATEST}
# A letter's citizen as issued (0) or replaced at the citizen's erasure request (1): the replaced one wins.
ISSUED, ERASED = 0, 1
CITIZEN = {"citizen": newest_by("citizen_version"), "citizen_version": GREATEST}


def erased_pseudonym(erasure_id: UUID) -> str:
    """What stands in for an erased citizen's pseudonym: derived from the request's random id
    alone, so it links to no number; the same for all their rows, so counts of distinct
    citizens and the joins between letters and activations stay as they were."""
    return hashlib.sha256(b"loket-erased:" + erasure_id.bytes).hexdigest()[:32]


def _workshop(event: Any) -> Row:
    p = event.payload
    return p.registration_id, p.workshop_id, p.point_id, p.municipality, p.starts_at


def _latest(*columns: str) -> dict[str, Rule]:
    return dict.fromkeys(columns, LATEST)


# event type → (SQL, row builder, upsert)
STATEMENTS: dict[str, Statement] = {
    "VisitStarted": _on(
        "visits", "visit_id", [*VISIT, "language", "walk_in", "started_at", "waited_seconds", "appointment_id"],
        _latest("started_at", "waited_seconds", "walk_in"),
        lambda e, _: (e.payload.visit_id, e.payload.point_id, e.payload.municipality, e.payload.point_kind,
                      e.payload.language, e.payload.ticket_id is not None, e.payload.started_at,
                      e.payload.waited_seconds, e.payload.appointment_id)),
    "VisitEnded": _on(
        "visits", "visit_id", [*VISIT, "language", "ended_at", "topic", "outcome", "duration_seconds",
                               "pages_printed", "pages_over_quota"],
        _latest("language", "ended_at", "topic", "outcome", "duration_seconds", "pages_printed", "pages_over_quota"),
        lambda e, _: (e.payload.visit_id, e.payload.point_id, e.payload.municipality, e.payload.point_kind,
                      e.payload.language, e.payload.ended_at, e.payload.topic, e.payload.outcome,
                      e.payload.duration_seconds, e.payload.pages_printed, e.payload.pages_over_quota)),
    "AppointmentBooked": _on(
        "appointments", "appointment_id", [*APPT, "point_kind", "service", "language", "booked_via", "booked_at",
                                           "lead_time_seconds", "starts_at", "starts_version", "campaign"],
        {**_latest("booked_at", "lead_time_seconds", "booked_via"), **STARTS},
        lambda e, _: (e.payload.appointment_id, e.payload.point_id, e.payload.municipality, e.payload.point_kind,
                      e.payload.service, e.payload.language, e.payload.booked_via, e.occurred_at,
                      e.payload.lead_time_seconds, e.payload.starts_at, e.occurred_at, e.payload.campaign)),
    "AppointmentRescheduled": _on(
        "appointments", "appointment_id", [*APPT, "starts_at", "starts_version"], STARTS,
        lambda e, _: (e.payload.appointment_id, e.payload.point_id, e.payload.municipality, e.payload.starts_at,
                      e.occurred_at)),
    "AppointmentCancelled": _on(
        "appointments", "appointment_id", [*APPT, "cancelled_at", "cancel_reason"],
        _latest("cancelled_at", "cancel_reason"),
        lambda e, _: (e.payload.appointment_id, e.payload.point_id, e.payload.municipality, e.occurred_at,
                      e.payload.reason)),
    "AppointmentAttended": _on(
        "appointments", "appointment_id", [*APPT, "attended_at"], _latest("attended_at"),
        lambda e, _: (e.payload.appointment_id, e.payload.point_id, e.payload.municipality, e.payload.attended_at)),
    "AppointmentNoShow": _on(
        "appointments", "appointment_id", [*APPT, "no_show_at"], _latest("no_show_at"),
        lambda e, _: (e.payload.appointment_id, e.payload.point_id, e.payload.municipality, e.occurred_at)),
    "NotificationSent": _on(
        "notifications", "notification_id", [*NOTE, "municipality", "sent_at"], _latest("sent_at"),
        lambda e, _: (e.payload.notification_id, e.payload.kind, e.payload.channel, e.payload.trigger_aggregate_id,
                      e.payload.municipality, e.payload.sent_at)),
    "NotificationDelivered": _on(
        "notifications", "notification_id", [*NOTE, "delivered_at"], _latest("delivered_at"),
        lambda e, _: (e.payload.notification_id, e.payload.kind, e.payload.channel, e.payload.trigger_aggregate_id,
                      e.payload.delivered_at)),
    "NotificationFailed": _on(
        "notifications", "notification_id", [*NOTE, "failed_status", "failed_at"],
        _latest("failed_status", "failed_at"),
        lambda e, _: (e.payload.notification_id, e.payload.kind, e.payload.channel, e.payload.trigger_aggregate_id,
                      e.payload.status, e.payload.failed_at)),
    "LetterIssued": _on(
        "letters", "letter_id", [*LETTER, "language", "important", "citizen", "citizen_version", "issued_at",
                                 "registered"],
        {**_latest("language", "important", "issued_at", "registered"), **CITIZEN},
        lambda e, p: (e.payload.letter_id, e.payload.municipality, e.payload.department, e.payload.document_type,
                      # A company's letter counts as a letter, but belongs to no citizen: no pseudonym.
                      e.payload.language, e.payload.important,
                      p(e.payload.recipient_national_number if e.payload.addressee.kind == "citizen" else None),
                      ISSUED, e.occurred_at, e.payload.registered)),
    # The bridge erased whose letter this was: so does reporting, in any order with LetterIssued.
    "LetterRecipientErased": _on(
        "letters", "letter_id", ["letter_id", "municipality", "citizen", "citizen_version"], CITIZEN,
        lambda e, _: (e.payload.letter_id, e.payload.municipality, erased_pseudonym(e.payload.erasure_id), ERASED)),
    "LetterDeliveredToEbox": _on(
        "letters", "letter_id", [*LETTER, "ebox_delivered_at"], _latest("ebox_delivered_at"),
        lambda e, _: (e.payload.letter_id, e.payload.municipality, e.payload.department, e.payload.document_type,
                      e.payload.delivered_at)),
    "LetterRead": _on(
        "letters", "letter_id", ["letter_id", "read_at"], _latest("read_at"),
        lambda e, _: (e.payload.letter_id, e.payload.read_at)),
    "LetterUnreadEscalated": _on(
        "letters", "letter_id", [*LETTER, "escalated_at"], _latest("escalated_at"),
        lambda e, _: (e.payload.letter_id, e.payload.municipality, e.payload.department, e.payload.document_type,
                      e.occurred_at)),
    "LetterQueuedForPrint": _on(
        "letters", "letter_id", [*LETTER, "queued_at", "print_reason", "postage_class", "pages"],
        _latest("queued_at", "print_reason", "postage_class", "pages"),
        lambda e, _: (e.payload.letter_id, e.payload.municipality, e.payload.department, e.payload.document_type,
                      e.occurred_at, e.payload.reason, e.payload.postage_class, e.payload.pages)),
    "LetterPrinted": _on(
        "letters", "letter_id", ["letter_id", "printed_at"], _latest("printed_at"),
        lambda e, _: (e.payload.letter_id, e.occurred_at)),
    "LetterPosted": _on(
        "letters", "letter_id", ["letter_id", "posted_at"], _latest("posted_at"),
        lambda e, _: (e.payload.letter_id, e.payload.posted_at)),
    "LetterReturned": _on(
        "letters", "letter_id", ["letter_id", "returned_at"], _latest("returned_at"),
        lambda e, _: (e.payload.letter_id, e.occurred_at)),
    "LetterFailed": _on(
        "letters", "letter_id", [*LETTER, "failed_channel", "failed_code"], _latest("failed_channel", "failed_code"),
        lambda e, _: (e.payload.letter_id, e.payload.municipality, e.payload.department, e.payload.document_type,
                      e.payload.channel, e.payload.code)),
    # Sent by the letters API when a sender withdraws a letter in time; only its own facts here.
    "LetterCancelled": _on(
        "letters", "letter_id", [*LETTER, "cancelled_at"], _latest("cancelled_at"),
        lambda e, _: (e.payload.letter_id, e.payload.municipality, e.payload.department, e.payload.document_type,
                      e.occurred_at)),
    "LetterInsertDecided": _on(
        "paper_inserts", "letter_id", ["letter_id", "municipality", "department", "campaign", "arm", "decided_at"],
        _latest("arm", "decided_at"),
        lambda e, _: (e.payload.letter_id, e.payload.municipality, e.payload.department, e.payload.campaign,
                      e.payload.arm, e.payload.decided_at)),
    "CampaignLinkVisited": _on(
        "campaign_visits", "visit_id", ["visit_id", "municipality", "campaign", "point_id", "visited_at"], {},
        lambda e, _: (e.payload.visit_id, e.payload.municipality, e.payload.campaign, e.payload.point_id,
                      e.payload.visited_at)),
    "EboxActivationAssisted": _on(
        "activations", "activation_id", ["activation_id", "citizen", "point_id", "municipality", "activated_at",
                                         "visit_id"],
        _latest("citizen", "activated_at"),
        lambda e, p: (e.payload.activation_id, p(str(e.payload.national_number) if e.payload.national_number else None),
                      e.payload.point_id, e.payload.municipality, e.payload.activated_at, e.payload.visit_id)),
    "DeviceLent": _on(
        "loans", "loan_id", [*LOAN, "device_kind", "lent_at", "due_at"], _latest("device_kind", "lent_at", "due_at"),
        lambda e, _: (e.payload.loan_id, e.payload.point_id, e.payload.municipality, e.payload.device_kind,
                      e.occurred_at, e.payload.due_at)),
    "DeviceReturned": _on(
        "loans", "loan_id", [*LOAN, "returned_at", "condition"], _latest("returned_at", "condition"),
        lambda e, _: (e.payload.loan_id, e.payload.point_id, e.payload.municipality, e.payload.returned_at,
                      e.payload.condition)),
    "DeviceLoanRenewed": _on(
        "loans", "loan_id", [*LOAN, "device_kind", "renewals"], {"renewals": GREATEST},
        lambda e, _: (e.payload.loan_id, e.payload.point_id, e.payload.municipality, e.payload.device_kind,
                      e.payload.renewals)),
    # One row per offer (an entry is offered again when a device offered to it went elsewhere).
    "DeviceAvailable": _on(
        "device_offers", "offer_id", ["offer_id", "entry_id", "point_id", "municipality", "device_kind", "offered_at"],
        {}, lambda e, _: (e.event_id, e.payload.entry_id, e.payload.point_id, e.payload.municipality,
                          e.payload.device_kind, e.occurred_at)),
    "DeviceLoanOverdue": _on(
        "loans", "loan_id", [*LOAN, "overdue_days"], {"overdue_days": GREATEST},
        lambda e, _: (e.payload.loan_id, e.payload.point_id, e.payload.municipality, e.payload.days_overdue)),
    # Workshops: every event carries the registration's workshop, point and start, so any one of
    # them places the row; each then sets its own fact.
    "WorkshopRegistered": _on(
        "workshop_registrations", "registration_id", [*WORKSHOP, "registered_at", "waiting"],
        _latest("registered_at", "waiting"),
        lambda e, _: (*_workshop(e), e.occurred_at, e.payload.waiting)),
    "WorkshopPlaceOffered": _on(
        "workshop_registrations", "registration_id", [*WORKSHOP, "placed_from_line_at"],
        _latest("placed_from_line_at"), lambda e, _: (*_workshop(e), e.occurred_at)),
    "WorkshopRegistrationCancelled": _on(
        "workshop_registrations", "registration_id", [*WORKSHOP, "cancelled_at"], _latest("cancelled_at"),
        lambda e, _: (*_workshop(e), e.occurred_at)),
    "WorkshopAttended": _on(
        "workshop_registrations", "registration_id", [*WORKSHOP, "attended_at"], _latest("attended_at"),
        lambda e, _: (*_workshop(e), e.payload.attended_at)),
}
# Not an upsert: the erasure request replaces the citizen's pseudonym wherever it is (`erase_citizen`).
PROJECTED = frozenset(STATEMENTS) | {"CitizenErasureRequested"}


class ProjectionStore(Protocol):
    """Where the projector writes: one call per event type and broker batch, rows in broker order."""

    async def upsert(self, conn: Any, event_type: str, rows: list[Row]) -> None: ...

    async def erase_citizen(self, conn: Any, pseudonym: str, replacement: str) -> None: ...


class SqlProjections:
    """The read models in PostgreSQL: each event type's upsert bound to `schema` once, run with
    executemany in the consumer's transaction (`conn`)."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self._sql = {event_type: s.sql.format(schema=schema) for event_type, s in STATEMENTS.items()}

    async def upsert(self, conn: asyncpg.Connection, event_type: str, rows: list[Row]) -> None:
        await conn.executemany(self._sql[event_type], rows)

    async def erase_citizen(self, conn: asyncpg.Connection, pseudonym: str, replacement: str) -> None:
        await conn.execute(f"UPDATE {self.schema}.activations SET citizen = $2 WHERE citizen = $1",
                           pseudonym, replacement)
        await conn.execute(f"UPDATE {self.schema}.letters SET citizen = $2, citizen_version = {ERASED} "
                           "WHERE citizen = $1", pseudonym, replacement)


def rows_of(events: list[Event], pseudonymize: Pseudonymizer) -> dict[str, list[Row]]:
    """Rows per event type, in the order the types first appear; events not projected are skipped.
    National numbers leave here only as pseudonyms."""
    rows: dict[str, list[Row]] = defaultdict(list)
    for event in events:
        statement = STATEMENTS.get(event.event_type)
        if statement is not None:
            rows[event.event_type].append(statement.row(event, pseudonymize))
    return rows


async def project_into(store: ProjectionStore, conn: Any, events: list[Event], pseudonymize: Pseudonymizer) -> int:
    """Writes a batch of events through `store`; returns how many rows were upserted. An erasure
    request splits the batch: what came before it is projected first, so it is erased too."""
    written, before = 0, []
    for event in events:
        if isinstance(event, CitizenErasureRequested):
            written += await _upsert_all(store, conn, before, pseudonymize)
            before = []
            pseudonym = pseudonymize(str(event.payload.national_number))
            assert pseudonym is not None
            await store.erase_citizen(conn, pseudonym, erased_pseudonym(event.payload.erasure_id))
        else:
            before.append(event)
    return written + await _upsert_all(store, conn, before, pseudonymize)


async def _upsert_all(store: ProjectionStore, conn: Any, events: list[Event], pseudonymize: Pseudonymizer) -> int:
    rows = rows_of(events, pseudonymize)
    for event_type, batch in rows.items():
        await store.upsert(conn, event_type, batch)
    return sum(len(b) for b in rows.values())


async def project(conn: asyncpg.Connection, schema: str, events: list[Event], pseudonymize: Pseudonymizer) -> int:
    """`project_into` the PostgreSQL read models of `schema` (rebuilds and tests)."""
    return await project_into(SqlProjections(schema), conn, events, pseudonymize)
