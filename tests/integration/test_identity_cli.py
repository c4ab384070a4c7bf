"""`loket tenants` and `loket keys` against a real PostgreSQL, and the keys they make verified
as a service verifies them: valid, unknown, revoked and expired keys, each with its reason."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import asyncpg
from typer.testing import CliRunner, Result

from loket.cli import keys_cmd, tenants_cmd
from loket.contracts.values import utc_now
from loket.infra.identity.key_verifier import KeyVerifier, Refusal
from loket.infra.identity.principal import Principal
from loket.infra.identity.roles import Role
from loket.infra.identity.tenants import SHIPPED_TENANTS_FILE

SHIPPED = SHIPPED_TENANTS_FILE


async def invoke(app, database_url: str, *args: str) -> Result:  # type: ignore[no-untyped-def]
    # The CLI runs its own event loop (asyncio.run): give it a thread, away from the test's loop.
    env = {"COLUMNS": "250", "LOKET_DATABASE_URL": database_url}
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def test_tenants_import_show_and_refusals(database_url: str, tmp_path: Path) -> None:
    imported = await invoke(tenants_cmd.app, database_url, "import", str(SHIPPED))
    assert imported.exit_code == 0, imported.output
    again = await invoke(tenants_cmd.app, database_url, "import", str(SHIPPED))
    assert "nothing changed" in again.output
    shown = await invoke(tenants_cmd.app, database_url, "show")
    assert "12025" in shown.output and "0207500123 / mechelen-loket" in shown.output
    wrong = tmp_path / "tenants.yaml"
    wrong.write_text(SHIPPED.read_text().replace("languages: [nl]", "languages: [nl, fr]")
                     .replace('"0207.350.168"', '"0207.350.169"').replace('"85039"', '"99999"'))
    refused = await invoke(tenants_cmd.app, database_url, "validate", str(wrong))
    assert refused.exit_code == 2
    assert "exceed the legal regime of Mechelen (nl)" in refused.output
    assert "tenants.21005.ebox.enterprise_number" in refused.output
    assert "unknown municipality 99999" in refused.output


async def test_a_key_is_shown_once_verified_revoked_and_expires(database_url: str, pool: asyncpg.Pool) -> None:
    await invoke(tenants_cmd.app, database_url, "import", str(SHIPPED))
    created = await invoke(keys_cmd.app, database_url, "create", "--municipality", "12025", "--role", "backoffice",
                           "--expires", "90d", "--name", "Mechelen finance")
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    prefix = token.split("_")[1]
    assert token.startswith("lk_") and token not in str(await pool.fetch("SELECT * FROM identity.api_keys"))

    now = [utc_now()]
    verifier = KeyVerifier(lambda: pool, lambda: now[0])
    found = await verifier.authenticate(token)
    assert found == Principal("Mechelen finance", Role.BACKOFFICE, "12025", frozenset(), key_prefix=prefix)
    assert await pool.fetchval("SELECT last_used_at FROM identity.api_keys WHERE prefix = $1", prefix) is not None
    assert (await verifier.authenticate(token[:-1] + "x")).title == "Unknown API key"  # type: ignore[union-attr]

    now[0] += dt.timedelta(days=91)
    expired = await KeyVerifier(lambda: pool, lambda: now[0]).authenticate(token)
    assert isinstance(expired, Refusal) and expired.title == "API key expired"

    revoked = await invoke(keys_cmd.app, database_url, "revoke", prefix)
    assert revoked.exit_code == 0, revoked.output
    refusal = await KeyVerifier(lambda: pool, utc_now).authenticate(token)
    assert isinstance(refusal, Refusal) and refusal.title == "API key revoked"
    listed = await invoke(keys_cmd.app, database_url, "list", "--municipality", "12025")
    assert prefix in listed.output and "Back-office system" in listed.output and token not in listed.output


async def test_keys_for_unknown_municipalities_or_points_are_refused(database_url: str) -> None:
    await invoke(tenants_cmd.app, database_url, "import", str(SHIPPED))
    not_onboarded = await invoke(keys_cmd.app, database_url, "create", "--municipality", "11002", "--role", "analyst")
    assert not_onboarded.exit_code == 2 and "11002 is not onboarded" in not_onboarded.output
    no_point = await invoke(keys_cmd.app, database_url, "create", "--municipality", "12025", "--role", "staff")
    assert no_point.exit_code == 2 and "--point" in no_point.output
