"""Taking letters over HTTP: every intake check now, then the same `LetterIssued` through the
outbox that a back-office on the bus would publish. One pipeline, whatever the way in.

The checks are the intake's own (`LetterIntake.admit_one`: contract, policy, tenant, language
regime, PDF, letter rules), run on the letter as intake will see it; a refusal here is one that
intake would have dead-lettered. What intake cannot know yet (the letter id re-used for other
content while the first is still in flight) is checked against the API's own record too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import ValidationError

from loket.contracts.event_ids import new_event_id
from loket.contracts.letters import LetterIssued, LetterIssuedPayload
from loket.infra.db.outbox import Outbox
from loket.infra.identity.principal import Principal
from loket.infra.identity.roles import Role
from services.ebox_bridge.api import repository as api_letters
from services.ebox_bridge.api.problems import ApiProblem, FieldError, field_errors, invalid
from services.ebox_bridge.domain.intake import IntakeRejected, content_sha256
from services.ebox_bridge.domain.letter_rules import LetterRulesBroken
from services.ebox_bridge.handlers.intake import LetterIntake, TenantSource
from services.ebox_bridge.policy_holder import PolicySource
from services.ebox_bridge.repository import letters

PRODUCER = "ebox_bridge.api"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Outcome:
    """One letter's answer: 202 with its id, or a problem."""

    status: int
    letter_id: UUID | None = None
    problem: ApiProblem | None = None


def request_sha256(body: Any) -> str:
    """Fingerprint of a request body for its Idempotency-Key: the same JSON, whatever the key
    order or spacing, is the same request."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def checked_key(key: str | None) -> str | None:
    if key is not None and not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ApiProblem(400, "Invalid Idempotency-Key", f"an Idempotency-Key has 1 to {MAX_KEY_LENGTH} characters")
    return key


def acting_municipality(principal: Principal, item: Any) -> str:
    """The municipality a request acts for: the key's own (the operator's: the one named)."""
    named = item.get("municipality") if isinstance(item, dict) else None
    if principal.role is Role.OPERATOR:
        if not isinstance(named, str):
            raise invalid([FieldError(pointer="/municipality", detail="the operator must name the municipality")])
        return named
    assert principal.municipality is not None
    return principal.municipality


class LetterSubmission:
    def __init__(self, schema: str, pool: Callable[[], asyncpg.Pool], outbox: Outbox, intake: LetterIntake,
                 policies: PolicySource, tenants: TenantSource, clock: Callable[[], dt.datetime]) -> None:
        self.schema, self.pool, self.outbox, self.intake = schema, pool, outbox, intake
        self.policies, self.tenants, self.clock = policies, tenants, clock

    async def idempotent(self, municipality: str, key: str | None, body: Any,
                         answer: Callable[[asyncpg.Connection], Any]) -> tuple[int, Any]:
        """Run `answer(conn)` → (status, body) in one transaction, once per Idempotency-Key: a
        repeat of the same request gets the stored answer, another request under the key a 409.
        Refusals raise (and are not stored: a corrected request may use the key again)."""
        fingerprint = request_sha256(body)
        async with self.pool().acquire() as conn, conn.transaction():
            if key is not None:
                await api_letters.lock_key(conn, municipality, key)
                stored = await api_letters.stored_answer(conn, self.schema, municipality, key)
                if stored is not None:
                    if stored[0] != fingerprint:
                        raise ApiProblem(409, "Idempotency-Key reused",
                                         "this Idempotency-Key was used for a different request; use a new key "
                                         "for a new request")
                    return stored[1], stored[2]
            status, result = await answer(conn)
            if key is not None:
                await api_letters.store_answer(conn, self.schema, municipality, key, fingerprint, status, result)
            return status, result

    async def accept(self, conn: asyncpg.Connection, principal: Principal, items: list[Any]) -> list[Outcome]:
        """Check every letter; write the accepted ones' events to the outbox. A refused letter
        never stops the others (a batch is answered per item)."""
        policy = await self.policies.current(conn)
        tenants = await self.tenants.current(conn)
        now = self.clock()
        built: list[LetterIssued | ApiProblem] = [self._event(principal, item) for item in items]
        ids = [e.payload.letter_id for e in built if isinstance(e, LetterIssued)]
        seen = {i: r["content_sha256"] for i, r in (await api_letters.known_letters(conn, self.schema, ids)).items()}
        seen.update(await letters.fingerprints(conn, self.schema, ids))
        outcomes: list[Outcome] = []
        new: dict[int, LetterIssued] = {}  # index in the request → a letter not seen before
        for index, event in enumerate(built):
            if isinstance(event, ApiProblem):
                outcomes.append(Outcome(event.status, problem=event))
                continue
            outcome = await self._check(event, seen, policy, tenants, now)
            outcomes.append(outcome)
            if outcome.status == 202 and event.payload.letter_id not in seen:
                new[index] = event
                seen[event.payload.letter_id] = content_sha256(event)
        # The row's primary key decides between two requests racing with one letter_id: the one
        # that did not insert it sends no event, and is refused if its content differs.
        inserted = await api_letters.record_letters(conn, self.schema, [
            (e.payload.letter_id, e.payload.municipality, e.payload.sender_reference, content_sha256(e))
            for e in new.values()
        ])
        raced = {e.payload.letter_id for e in new.values()} - inserted
        if raced:
            now_known = await api_letters.known_letters(conn, self.schema, list(raced))
            for index, event in list(new.items()):
                if event.payload.letter_id in raced:
                    del new[index]
                    if now_known[event.payload.letter_id]["content_sha256"] != content_sha256(event):
                        outcomes[index] = _reused(event.payload.letter_id)
        await self.outbox.append(conn, *new.values())
        return outcomes

    def _event(self, principal: Principal, item: Any) -> LetterIssued | ApiProblem:
        if not isinstance(item, dict):
            return invalid([FieldError(pointer="", detail="a letter is a JSON object")])
        try:
            municipality = acting_municipality(principal, item)
        except ApiProblem as problem:
            return problem
        if item.get("municipality", municipality) != municipality:
            return invalid([FieldError(pointer="/municipality",
                                       detail=f"your API key sends for municipality {municipality} only")])
        data = {"letter_id": str(uuid.uuid4()), **item, "municipality": municipality}
        try:
            payload = LetterIssuedPayload.model_validate(data)
        except ValidationError as exc:
            return invalid(field_errors(exc))
        event_id = new_event_id()
        return LetterIssued(event_id=event_id, producer=PRODUCER, correlation_id=event_id, payload=payload)

    async def _check(self, event: LetterIssued, seen: Mapping[UUID, str], policy: Any, tenants: Any,
               now: dt.datetime) -> Outcome:
        letter_id = event.payload.letter_id
        if letter_id in seen:
            if seen[letter_id] == content_sha256(event):
                return Outcome(202, letter_id)  # the same letter again: the same answer
            return _reused(letter_id)
        try:
            await self.intake.admit_one(event, policy, tenants, now)
        except LetterRulesBroken as exc:
            return Outcome(422, problem=invalid([FieldError(pointer=v.pointer, detail=v.message)
                                                 for v in exc.violations]))
        except IntakeRejected as exc:
            return Outcome(422, problem=invalid([FieldError(pointer=exc.pointer or "", detail=str(exc))]))
        return Outcome(202, letter_id)


def _reused(letter_id: UUID) -> Outcome:
    return Outcome(409, problem=ApiProblem(
        409, "Letter id already used",
        f"letter_id {letter_id} was already issued with different content; use a new letter_id"))


def accepted_body(base_url: str, letter_id: UUID) -> dict[str, Any]:
    return {"letter_id": str(letter_id), "status": "accepted", "status_url": f"{base_url}/v1/letters/{letter_id}"}
