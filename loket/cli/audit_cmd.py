"""`loket audit`: who read or changed personal data, when, which object, from where."""

from __future__ import annotations

import datetime as dt

import typer
from rich.console import Console
from rich.table import Table

from loket.cli.database_target import DATABASE_URL_HELP
from loket.cli.identity_db import fail, run_on_identity
from loket.infra.identity import audit


def audit_trail(
    since: str = typer.Option("7d", "--since", help="How far back: 7d, 12h, or a date (2026-12-01)."),
    who: str = typer.Option(None, "--who", help="Only this principal (its name)."),
    municipality: str = typer.Option(None, "--municipality", help="Only this municipality (REFNIS)."),
    object_id: str = typer.Option(None, "--object", help="Only this object (appointment, visit, loan, letter id)."),
    limit: int = typer.Option(200, "--limit", min=1, max=100_000),
    database_url: str = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
) -> None:
    """The audit trail of personal data, newest first (it holds object ids, never the data)."""
    start = _since(since)
    rows = run_on_identity(database_url, lambda conn: audit.search(conn, start, who, municipality, object_id, limit))
    console = Console()
    if not rows:
        console.print(f"nothing recorded since {start:%Y-%m-%d %H:%M} UTC")
        return
    table = Table(title=f"Audit trail since {start:%Y-%m-%d %H:%M} UTC")
    for column in ("when (UTC)", "who", "role", "municipality", "action", "object", "from", "service"):
        table.add_column(column)
    for r in rows:
        who_text = r["principal"] + (f" (key {r['key_prefix']})" if r["key_prefix"] else "")
        table.add_row(f"{r['at']:%Y-%m-%d %H:%M:%S}", who_text, r["role"], r["municipality"] or "all", r["action"],
                      f"{r['object_type']} {r['object_id']}", r["client_address"] or "-", r["service"])
    console.print(table)


def _since(text: str) -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    if text[:-1].isdigit() and text[-1] in "dh":
        amount = int(text[:-1])
        return now - (dt.timedelta(days=amount) if text[-1] == "d" else dt.timedelta(hours=amount))
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
    except ValueError:
        fail(f"--since {text!r}: give 7d, 12h or a date such as 2026-12-01")
