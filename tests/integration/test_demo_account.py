"""The demo's administrator account: made once with a password kept in a 0600 file, and a second
demo leaves it as it is."""

from __future__ import annotations

import stat

from loket.cli.demo_account import USERNAME, ensure_demo_account
from loket.infra.identity.schema import migrate_identity


async def test_the_demo_account_is_made_once(database_url, pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await migrate_identity(conn)
        await conn.execute("DELETE FROM identity.sessions WHERE account_id IN "
                           "(SELECT id FROM identity.accounts WHERE username = $1)", USERNAME)
        await conn.execute("DELETE FROM identity.accounts WHERE username = $1", USERNAME)
    first = await ensure_demo_account(database_url, tmp_path)
    password = first.read_text()
    assert stat.S_IMODE(first.stat().st_mode) == 0o600 and len(password) >= 12
    again = await ensure_demo_account(database_url, tmp_path)
    assert again == first and again.read_text() == password
    row = await pool.fetchrow("SELECT role, municipality FROM identity.accounts WHERE username = $1", USERNAME)
    assert (row["role"], row["municipality"]) == ("municipality_admin", "12025")
