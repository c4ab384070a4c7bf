"""The intake handler on the in-memory fakes: routing, the paper event, a redelivered event and a
re-used letter id, through the consumer's own dispatch (tests/support/fakes.py). The same
behaviour on PostgreSQL is covered by tests/integration/test_bridge_routing.py and
test_bridge_bad_input.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from loket.contracts.letter_status import LetterQueuedForPrint
from loket.contracts.letters import LetterIssued
from loket.infra.errors import PermanentError
from services.ebox_bridge.domain import states
from services.ebox_bridge.domain.intake import LetterConflict
from services.ebox_bridge.handlers.intake import LetterIntake
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.policy import RolloutPolicy, parse_policy_yaml
from services.ebox_bridge.settings import EboxBridgeSettings
from tests.support.fake_letters import FakeLetterStore, FixedPolicy, FixedTenants
from tests.support.fakes import FakeInbox, FakeOutbox, deliver
from tests.support.letters import Population, letter_issued

POLICY = Path(__file__).parents[1] / "support" / "test_policy.yaml"
NOW = dt.datetime(2026, 3, 27, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def policy() -> RolloutPolicy:
    return RolloutPolicy(parse_policy_yaml(POLICY.read_text(), str(POLICY)), version=1)


class Bridge:
    """The intake handler on fakes, with what it wrote."""

    def __init__(self, policy: RolloutPolicy) -> None:
        self.store, self.outbox, self.inbox = FakeLetterStore(), FakeOutbox(), FakeInbox()
        settings = EboxBridgeSettings(policy_file=POLICY)
        self.handlers = {
            LetterIssued: LetterIntake(self.store, FixedPolicy(policy), FixedTenants(), settings, BridgeMetrics(CollectorRegistry()), lambda: NOW)
        }

    async def deliver(self, *events: LetterIssued) -> int:
        return await deliver(self.handlers, events, outbox=self.outbox, inbox=self.inbox)


@pytest.fixture
def bridge(policy: RolloutPolicy) -> Bridge:
    return Bridge(policy)


async def test_an_ebox_first_letter_is_routed_to_the_ebox_without_paper(bridge: Bridge) -> None:
    event = letter_issued(Population().take(True))  # finance/invoice: ebox_first
    await bridge.deliver(event)
    letter = bridge.store.letters[event.payload.letter_id]
    assert (letter.routing, letter.ebox_state, letter.paper_state) == ("ebox_first", states.PENDING, None)
    assert letter.ebox_due_at == NOW
    assert bridge.store.history_of(letter.letter_id) == [
        ("letter", None, states.RECEIVED, None),
        ("letter", states.RECEIVED, states.ROUTED, "policy ebox_first"),
        ("ebox", None, states.PENDING, None),
    ]
    assert bridge.outbox.events == []


async def test_a_paper_only_letter_is_queued_for_print_with_its_reason(bridge: Bridge) -> None:
    event = letter_issued(Population().take(False), department="housing", document_type="permit")
    await bridge.deliver(event)
    letter = bridge.store.letters[event.payload.letter_id]
    assert (letter.ebox_state, letter.paper_state, letter.paper_queued_at) == (None, states.QUEUED_FOR_PRINT, NOW)
    [queued] = bridge.outbox.of_type(LetterQueuedForPrint)
    assert queued.payload.letter_id == letter.letter_id
    assert queued.payload.reason == "policy_paper_only"
    assert queued.causation_id == event.event_id
    assert queued.correlation_id == (event.correlation_id or event.event_id)
    assert len(bridge.outbox.events) == 1


async def test_a_redelivered_event_changes_nothing(bridge: Bridge) -> None:
    event = letter_issued(Population().take(False), department="housing", document_type="permit")
    assert await bridge.deliver(event) == 1
    before = (dict(bridge.store.letters), list(bridge.store.history), list(bridge.outbox.events))
    assert await bridge.deliver(event) == 0  # the inbox knows the event id
    # The back-office re-issuing the same letter under a new event id is a duplicate too.
    reissued = event.model_copy(update={"event_id": letter_issued(Population().take(False)).event_id})
    assert await bridge.deliver(reissued) == 1
    assert (bridge.store.letters, bridge.store.history, bridge.outbox.events) == before


async def test_the_same_letter_id_with_other_content_is_refused_for_good(bridge: Bridge) -> None:
    event = letter_issued(Population().take(True))
    await bridge.deliver(event)
    changed = letter_issued(
        Population().take(True), letter_id=event.payload.letter_id, subject="Een andere brief",
    )
    with pytest.raises(LetterConflict, match="different content") as refused:
        await bridge.deliver(changed)
    assert isinstance(refused.value, PermanentError)  # the consumer dead-letters it, no retry
    assert bridge.store.letters[event.payload.letter_id].subject == event.payload.subject
    assert bridge.outbox.events == []


async def test_a_letter_for_a_municipality_that_is_not_onboarded_is_refused_with_that_reason(policy) -> None:  # type: ignore[no-untyped-def]
    from loket.infra.identity.tenants import read_tenant_file
    from services.ebox_bridge.domain.intake import IntakeRejected
    from services.ebox_bridge.settings import DEFAULT_TENANTS_FILE

    bridge = Bridge(policy)
    only_etterbeek = [t for t in read_tenant_file(DEFAULT_TENANTS_FILE) if t.municipality == "21005"]
    bridge.handlers[LetterIssued].tenants = FixedTenants(only_etterbeek)
    with pytest.raises(IntakeRejected, match="12025 is not onboarded as a tenant"):
        await bridge.deliver(letter_issued(Population().take(True)))
    assert bridge.store.letters == {} and bridge.outbox.events == []
