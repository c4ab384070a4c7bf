"""How a staff page names whoever a record keeps by account name (who lent a device, who helped
at a counter): records keep the account name, stable for the audit; colleagues read each other's
names."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import asyncpg

from loket.infra.identity import account_repository as accounts


async def names_of_people(conn: asyncpg.Connection, municipality: str,
                          account_names: Iterable[str | None]) -> Callable[[str | None], str]:
    """A namer for these account names: the display name of each of the municipality's own
    accounts; any other name as kept (an API key's, an account since removed); "" for nobody."""
    known = await accounts.display_names(conn, municipality, {name for name in account_names if name})
    return lambda name: known.get(name, name) if name else ""
