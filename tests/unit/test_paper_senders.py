"""The sender block on a paper letter comes from the municipality's tenant entry; a municipality
the tenant file does not list keeps the rollout policy's block."""

from __future__ import annotations

from pathlib import Path

from loket.infra.identity.tenants import read_tenant_file
from services.ebox_bridge.paper_senders import PaperSenders
from services.ebox_bridge.policy import RolloutPolicy, parse_policy_yaml
from services.ebox_bridge.settings import DEFAULT_TENANTS_FILE
from tests.support.fake_letters import FixedPolicy, FixedTenants

POLICY = Path(__file__).parents[1] / "support" / "test_policy.yaml"


async def test_the_tenant_block_wins_and_the_policy_covers_the_rest() -> None:
    policy = RolloutPolicy(parse_policy_yaml(POLICY.read_text(), str(POLICY)), version=1)
    only_etterbeek = [t for t in read_tenant_file(DEFAULT_TENANTS_FILE) if t.municipality == "21005"]
    block = await PaperSenders(FixedTenants(only_etterbeek), FixedPolicy(policy)).current(None)
    assert block("21005").name == "Commune d'Etterbeek / Gemeente Etterbeek"  # tenants.yaml
    assert block("12025").name == "Stad Mechelen"  # no tenant entry here: the policy's block
    assert block("12025").return_lines is None  # the test policy names none
    everyone = await PaperSenders(FixedTenants(), FixedPolicy(policy)).current(None)
    assert everyone("12025").return_lines == ("Stad Mechelen - Postbeheer", "Grote Markt 21", "2800 Mechelen")
