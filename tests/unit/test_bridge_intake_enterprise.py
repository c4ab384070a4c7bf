"""Letters to companies at intake (issue 18): an enterprise recipient is admitted with its
KBO/BCE number and its kind, routed like any letter, and published as the eBox's enterprise
recipient type; citizen letters keep their fingerprint whichever recipient field named them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from loket.contracts.letter_status import LetterQueuedForPrint
from loket.contracts.letters import LetterIssued
from services.ebox_bridge.domain import states
from services.ebox_bridge.domain.intake import LetterConflict, Sender, admit, content_sha256
from services.ebox_bridge.ebox_client.message import Letter, message_to_publish
from services.ebox_bridge.handlers.intake import LetterIntake
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.policy import RolloutPolicy, parse_policy_yaml
from services.ebox_bridge.settings import EboxBridgeSettings
from tests.support.fake_letters import FakeLetterStore, FixedPolicy, FixedTenants
from tests.support.fakes import FakeInbox, FakeOutbox, deliver
from tests.support.letters import COMPANY_ADDRESS, company_letter, letter_issued, letter_pdf

POLICY = Path(__file__).parents[1] / "support" / "test_policy.yaml"
NOW = dt.datetime(2026, 3, 27, 9, 0, tzinfo=dt.UTC)
NN = "85073003328"
KBO = "0406798006"
MECHELEN = Sender("0207500123", "mechelen-loket")


@pytest.fixture(scope="module")
def policy() -> RolloutPolicy:
    return RolloutPolicy(parse_policy_yaml(POLICY.read_text(), str(POLICY)), version=1)


def admitted(policy: RolloutPolicy, event: LetterIssued):  # type: ignore[no-untyped-def]
    return admit(event, policy, letter_pdf(), 2, NOW, sender=MECHELEN, max_ebox_wait=dt.timedelta(hours=72),
                 timezone="Europe/Brussels")


def test_an_enterprise_letter_is_admitted_with_its_number_and_kind(policy: RolloutPolicy) -> None:
    letter = admitted(policy, company_letter("BE 0406.798.006"))  # finance/invoice: ebox_first
    assert (letter.recipient_kind, letter.ssin) == ("enterprise", KBO)
    assert (letter.routing, letter.ebox_state, letter.paper_state) == ("ebox_first", states.PENDING, None)
    # The company's own address is what paper will use.
    assert letter.postal_address is not None and letter.postal_address["name"] == COMPANY_ADDRESS["name"]


def test_a_citizen_letter_is_admitted_as_a_citizen_either_way(policy: RolloutPolicy) -> None:
    old = admitted(policy, letter_issued(NN))
    new = admitted(policy, letter_issued("", recipient_national_number=None,
                                         recipient={"kind": "citizen", "identifier": NN}))
    assert (old.recipient_kind, old.ssin) == (new.recipient_kind, new.ssin) == ("citizen", NN)


def test_a_citizen_letters_fingerprint_does_not_depend_on_the_recipient_field() -> None:
    old = letter_issued(NN)
    new = old.model_copy(update={"payload": type(old.payload).model_validate(
        {**old.payload.model_dump(exclude={"recipient_national_number"}),
         "recipient": {"kind": "citizen", "identifier": NN}})})
    assert new.payload.recipient_national_number == NN
    assert content_sha256(old) == content_sha256(new)
    company = company_letter(KBO, letter_id=old.payload.letter_id)
    assert content_sha256(company) != content_sha256(old)


def test_the_publish_names_an_enterprise_with_the_enterprise_recipient_type() -> None:
    pdf = letter_pdf()
    enterprise = message_to_publish(Letter(KBO, "Uw factuur", "nl", pdf, "invoice", recipient_kind="enterprise"),
                                    "0207500123", "mechelen-loket")
    assert enterprise["recipient"] == {"eboxType": "enterprise", "eboxIdValue": KBO}
    citizen = message_to_publish(Letter(NN, "Uw factuur", "nl", pdf, "invoice"), "0207500123", "mechelen-loket")
    assert citizen["recipient"] == {"eboxType": "citizen", "ssin": NN}
    with pytest.raises(ValueError, match="recipient_kind"):
        Letter(KBO, "Uw factuur", "nl", pdf, "invoice", recipient_kind="association")


class Bridge:
    def __init__(self, policy: RolloutPolicy) -> None:
        self.store, self.outbox, self.inbox = FakeLetterStore(), FakeOutbox(), FakeInbox()
        intake = LetterIntake(self.store, FixedPolicy(policy), FixedTenants(), EboxBridgeSettings(policy_file=POLICY),
                              BridgeMetrics(CollectorRegistry()), lambda: NOW)
        self.handlers = {LetterIssued: intake}

    async def deliver(self, *events: LetterIssued) -> int:
        return await deliver(self.handlers, events, outbox=self.outbox, inbox=self.inbox)


async def test_the_intake_handler_takes_an_enterprise_letter(policy: RolloutPolicy) -> None:
    bridge = Bridge(policy)
    digital = company_letter(KBO)
    paper = company_letter("0428759497", department="housing", document_type="permit")  # paper_only
    assert await bridge.deliver(digital, paper) == 2
    first, second = (bridge.store.letters[e.payload.letter_id] for e in (digital, paper))
    assert (first.recipient_kind, first.ssin, first.ebox_state) == ("enterprise", KBO, states.PENDING)
    assert (second.recipient_kind, second.paper_state, second.paper_reason) == (
        "enterprise", states.QUEUED_FOR_PRINT, "policy_paper_only")
    [queued] = bridge.outbox.of_type(LetterQueuedForPrint)
    assert queued.payload.letter_id == paper.payload.letter_id
    # The same letter id for another company is another letter: refused for good.
    with pytest.raises(LetterConflict):
        await bridge.deliver(company_letter("0428759497", letter_id=digital.payload.letter_id))
