"""`loket keys`: API keys for systems (back-offices, print houses, kiosks), one municipality each."""

from __future__ import annotations

import datetime as dt
import re

import typer
from rich.console import Console

from loket.cli.database_target import DATABASE_URL_HELP
from loket.cli.identity_db import fail, run_on_identity
from loket.cli.tables import print_table
from loket.contracts.values import utc_now
from loket.infra.identity import api_keys, repository
from loket.infra.identity.roles import LABELS, POINT_ROLES, Role
from loket.infra.identity.tenant_store import tenant

app = typer.Typer(help="API keys for systems: create (shown once), list, revoke.", no_args_is_help=True)
console = Console()
DB = typer.Option(None, "--database-url", help=DATABASE_URL_HELP)
_DURATION = re.compile(r"^(\d+)([dh])$")


def parse_duration(text: str) -> dt.timedelta:
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise typer.BadParameter("give a duration such as 90d or 12h", param_hint="--expires")
    amount, unit = int(match.group(1)), match.group(2)
    return dt.timedelta(days=amount) if unit == "d" else dt.timedelta(hours=amount)


@app.command("create")
def create(
    municipality: str = typer.Option(None, "--municipality", help="REFNIS code; not for --role operator."),
    role: Role = typer.Option(..., "--role", help="What the key may do."),
    point: list[str] = typer.Option([], "--point", help="Assistance point(s), for point roles (repeat)."),
    expires: str = typer.Option("365d", "--expires", help="Lifetime, e.g. 90d or 12h."),
    name: str = typer.Option(None, "--name", help="Whose key this is (default: role and municipality)."),
    database_url: str = DB,
) -> None:
    """Create a key and print it as the last line: it is shown this once and stored hashed."""
    lifetime = parse_duration(expires)
    if role is Role.OPERATOR and municipality:
        fail("an operator key acts for every municipality: leave out --municipality")
    if role is not Role.OPERATOR and not municipality:
        fail(f"a {role} key acts for one municipality: pass --municipality REFNIS")
    if role in POINT_ROLES and not point:
        fail(f"a {role} key works at assistance points: pass --point ID (repeat for several)")
    key = api_keys.new_key()
    label = name or f"{LABELS[role]} {municipality or 'platform'}"

    async def store(conn):  # type: ignore[no-untyped-def]
        if municipality and await tenant(conn, municipality) is None:
            fail(f"municipality {municipality} is not onboarded: add it to deploy/tenants.yaml and "
                 "run `loket tenants import`")
        await repository.insert_key(conn, key.prefix, key.secret_sha256, label, municipality, role.value,
                                    list(point), "cli", utc_now() + lifetime)

    run_on_identity(database_url, store)
    console.print(f"key {key.prefix} for {label}, {LABELS[role].lower()}, expires in {expires}; "
                  "store it now, it is not shown again:", soft_wrap=True)
    print(key.token)


@app.command("list")
def list_(municipality: str = typer.Option(None, "--municipality", help="Only this municipality's keys."),
          database_url: str = DB) -> None:
    """Every key (never its secret): prefix, owner, role, scope, expiry, revocation, last use."""
    keys = run_on_identity(database_url, lambda conn: repository.list_keys(conn, municipality))
    print_table(console, "API keys", ("prefix", "name", "role", "municipality", "points", "expires", "revoked",
                                      "last used"),
                ((k.prefix, k.name, LABELS[Role(k.role)], k.municipality or "all", ", ".join(k.points) or "-",
                  _when(k.expires_at), _when(k.revoked_at), _when(k.last_used_at)) for k in keys),
                "no keys yet: `loket keys create …`")


@app.command("revoke")
def revoke(prefix: str = typer.Argument(..., help="The key's prefix (from `loket keys list`)."),
           database_url: str = DB) -> None:
    """Revoke a key: every process of every service refuses it at once."""
    if not run_on_identity(database_url, lambda conn: repository.revoke_key(conn, prefix, utc_now())):
        fail(f"no active key has the prefix {prefix}")
    console.print(f"key {prefix} revoked")


def _when(at: dt.datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "-"
