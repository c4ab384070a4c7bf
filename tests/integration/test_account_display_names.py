"""Display names for the account names a record keeps: a municipality's own accounts only."""

from __future__ import annotations

from loket.infra.identity import account_repository as accounts
from loket.infra.identity.roles import Role
from tests.support.staff_harness import staff_account

MECHELEN, ETTERBEEK = "12025", "21005"


async def test_only_the_municipalitys_own_accounts_are_named(pool) -> None:  # type: ignore[no-untyped-def]
    here = await staff_account(pool)
    there = await staff_account(pool, points=(), role=Role.MUNICIPALITY_ADMIN, municipality=ETTERBEEK)
    async with pool.acquire() as conn:
        named = await accounts.display_names(conn, MECHELEN, {here, there, "test-backoffice"})
        assert named == {here: "Test staff"}
        # Another municipality's page learns nothing of Mechelen's people.
        assert await accounts.display_names(conn, ETTERBEEK, {here}) == {}
        assert await accounts.display_names(conn, MECHELEN, set()) == {}
