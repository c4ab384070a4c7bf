"""In-memory stand-ins for the bridge's letter store and policy, so the intake handler can be
unit-tested on `tests/support/fakes.py`'s `deliver` without PostgreSQL.

`FakeLetterStore` keeps what `LetterStore` would write and holds it to the same rules: a letter
id is admitted once (the table's primary key), and every history row must be a transition of
the state machine (`check_allowed`, the repository's guard).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from loket.infra.identity.tenants import Tenant, read_tenant_file
from services.ebox_bridge.domain.intake import NewLetter
from services.ebox_bridge.domain.transitions import Transition, check_allowed
from services.ebox_bridge.policy import RolloutPolicy
from services.ebox_bridge.settings import DEFAULT_TENANTS_FILE as SHIPPED_TENANTS


class FakeLetterStore:
    def __init__(self) -> None:
        self.letters: dict[UUID, NewLetter] = {}
        self.history: list[Transition] = []

    async def fingerprints(self, conn: Any, letter_ids: list[UUID]) -> dict[UUID, str]:
        return {i: self.letters[i].content_sha256 for i in letter_ids if i in self.letters}

    async def admit(self, conn: Any, admitted: Sequence[NewLetter], history: Sequence[Transition]) -> None:
        taken = [letter.letter_id for letter in admitted if letter.letter_id in self.letters]
        assert not taken, f"duplicate key: letters {taken} exist already"
        check_allowed(history)
        self.letters.update({letter.letter_id: letter for letter in admitted})
        self.history.extend(history)

    def history_of(self, letter_id: UUID) -> list[tuple[str, str | None, str, str | None]]:
        return [(t.channel, t.from_state, t.to_state, t.reason) for t in self.history if t.letter_id == letter_id]


class FixedPolicy:
    """The `PolicySource` of a unit test: one policy, never reloaded."""

    def __init__(self, policy: RolloutPolicy) -> None:
        self.policy = policy

    async def current(self, conn: Any) -> RolloutPolicy:
        return self.policy


class FixedTenants:
    """The `TenantSource` of a unit test: the shipped tenant file, or the tenants given."""

    def __init__(self, tenants: Sequence[Tenant] | None = None) -> None:
        found = tenants if tenants is not None else read_tenant_file(SHIPPED_TENANTS)
        self.tenants = {t.municipality: t for t in found}

    async def current(self, conn: Any) -> Mapping[str, Tenant]:
        return self.tenants
