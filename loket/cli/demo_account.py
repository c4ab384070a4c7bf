"""The demo's person: Mechelen's municipality administrator, so a browser can open the KPI
dashboard and the key page (pages for people take a sign-in, not a bearer token). The password
is made once and kept in the data directory (0600), never printed."""

from __future__ import annotations

import secrets
from pathlib import Path

import asyncpg

from loket.infra.identity import account_admin
from loket.infra.identity.accounts import AccountRefused
from loket.infra.identity.roles import Role
from loket.infra.identity.tenant_store import import_tenants
from loket.infra.identity.tenants import SHIPPED_TENANTS_FILE, read_tenant_file

USERNAME = "demo-admin"
TENANTS = SHIPPED_TENANTS_FILE


async def ensure_demo_account(database_url: str, data_dir: Path) -> Path:
    """The file holding the demo account's password (made with the account on the first demo)."""
    password_file = data_dir / "demo-admin-password"
    conn = await asyncpg.connect(database_url)
    try:
        await import_tenants(conn, read_tenant_file(TENANTS))
        if not password_file.exists():
            password = secrets.token_urlsafe(12)
            request = account_admin.AccountRequest(USERNAME, "Demo administrator", "12025", Role.MUNICIPALITY_ADMIN,
                                                   (), "nl", False)
            try:
                await account_admin.create_account(conn, request, password)
            except (AccountRefused, asyncpg.UniqueViolationError):  # an earlier demo made it; its file is gone
                return password_file
            password_file.touch(mode=0o600)
            password_file.write_text(password)
    finally:
        await conn.close()
    return password_file
