"""`loket accounts` against a real PostgreSQL: create (password from a file, the TOTP key shown
once), list, disable, reset a password, and the refusals with their reasons."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg

from loket.cli import accounts_cmd, tenants_cmd
from tests.integration.test_identity_cli import SHIPPED, invoke


async def test_create_list_disable_and_reset(database_url: str, pool: asyncpg.Pool, tmp_path: Path) -> None:
    await invoke(tenants_cmd.app, database_url, "import", str(SHIPPED))
    secret_file = tmp_path / "password"
    secret_file.write_text("de fiets staat aan het stadhuis\n")
    username = f"an-{uuid.uuid4().hex[:6]}"
    created = await invoke(accounts_cmd.app, database_url, "create", "--username", username, "--municipality",
                           "12025", "--role", "staff", "--point", "mechelen-stadhuis", "--language", "fr",
                           "--name", "An Peeters", "--totp", "--password-file", str(secret_file))
    assert created.exit_code == 0, created.output
    assert f"otpauth://totp/Loket:{username}?secret=" in created.output and "not shown again" in created.output
    assert "de fiets staat" not in created.output
    row = await pool.fetchrow("SELECT * FROM identity.accounts WHERE username = $1", username)
    assert row["password_hash"].startswith("$argon2id$") and row["language"] == "fr" and row["totp_secret"]

    listed = await invoke(accounts_cmd.app, database_url, "list", "--municipality", "12025")
    assert username in listed.output and "Counter staff" in listed.output and "active" in listed.output
    assert row["totp_secret"] not in listed.output and "$argon2" not in listed.output

    secret_file.write_text("een nieuw wachtwoord van de beheerder")
    reset = await invoke(accounts_cmd.app, database_url, "reset-password", username, "--password-file",
                         str(secret_file))
    assert reset.exit_code == 0, reset.output
    assert await pool.fetchval("SELECT must_change_password FROM identity.accounts WHERE username = $1", username)

    disabled = await invoke(accounts_cmd.app, database_url, "disable", username)
    assert disabled.exit_code == 0 and "disabled" in disabled.output
    listed = await invoke(accounts_cmd.app, database_url, "list")
    assert "disabled" in listed.output


async def test_refusals_say_why(database_url: str, tmp_path: Path) -> None:
    await invoke(tenants_cmd.app, database_url, "import", str(SHIPPED))
    weak, good = tmp_path / "weak", tmp_path / "good"
    weak.write_text("wachtwoord123")
    good.write_text("de fiets staat aan het stadhuis")
    username = f"jan-{uuid.uuid4().hex[:6]}"
    base = ["create", "--username", username, "--role", "analyst"]

    refused = await invoke(accounts_cmd.app, database_url, *base, "--municipality", "12025", "--password-file", str(weak))
    assert refused.exit_code == 2 and "among the most used ones" in refused.output
    refused = await invoke(accounts_cmd.app, database_url, *base, "--municipality", "11002", "--password-file", str(good))
    assert refused.exit_code == 2 and "11002 is not onboarded" in refused.output
    refused = await invoke(accounts_cmd.app, database_url, *base, "--password-file", str(good))
    assert refused.exit_code == 2 and "--municipality" in refused.output
    refused = await invoke(accounts_cmd.app, database_url, "create", "--username", username, "--role", "staff",
                           "--municipality", "12025", "--password-file", str(good))
    assert refused.exit_code == 2 and "--point" in refused.output
    refused = await invoke(accounts_cmd.app, database_url, "create", "--username", username, "--role", "print_house",
                           "--municipality", "12025", "--password-file", str(good))
    assert refused.exit_code == 2 and "loket keys create" in refused.output

    ok = await invoke(accounts_cmd.app, database_url, *base, "--municipality", "12025", "--password-file", str(good))
    assert ok.exit_code == 0, ok.output
    taken = await invoke(accounts_cmd.app, database_url, *base, "--municipality", "12025", "--password-file", str(good))
    assert taken.exit_code == 2 and "is taken" in taken.output
    unknown = await invoke(accounts_cmd.app, database_url, "disable", "nobody-by-that-name")
    assert unknown.exit_code == 2 and "no account has the username" in unknown.output
