"""`loket tenants`: the onboarded municipalities (eBox sender, paper sender, SMS sender,
languages, retention), validated from `deploy/tenants.yaml` and kept in PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from loket.cli.database_target import DATABASE_URL_HELP
from loket.cli.identity_db import fail, run_on_identity
from loket.infra.identity.tenant_store import all_tenants, import_tenants
from loket.infra.identity.tenants import SHIPPED_TENANTS_FILE, TenantFileError, read_tenant_file

DEFAULT_FILE = SHIPPED_TENANTS_FILE
app = typer.Typer(help="Onboarded municipalities (tenants): show, import and validate.", no_args_is_help=True)
console = Console()
DB = typer.Option(None, "--database-url", help=DATABASE_URL_HELP)
FILE = typer.Argument(DEFAULT_FILE, help="Tenant file (YAML).", exists=True, dir_okay=False)


@app.command("validate")
def validate(path: Path = FILE) -> None:
    """Check a tenant file without touching the database (exit code 2 and every problem if wrong)."""
    try:
        tenants = read_tenant_file(path)
    except TenantFileError as exc:
        fail(f"{path}: {exc}")
    console.print(f"{path}: {len(tenants)} municipalities, all valid")


@app.command("import")
def import_(path: Path = FILE, database_url: str = DB) -> None:
    """Validate a tenant file and store it (unchanged municipalities are left alone)."""
    try:
        tenants = read_tenant_file(path)
    except TenantFileError as exc:
        fail(f"{path}: {exc}")
    changed = run_on_identity(database_url, lambda conn: import_tenants(conn, tenants))
    console.print(f"{len(tenants)} municipalities in {path.name}; "
                  + (f"changed: {', '.join(changed)}" if changed else "nothing changed"))


@app.command("show")
def show(database_url: str = DB) -> None:
    """The onboarded municipalities as stored."""
    tenants = run_on_identity(database_url, all_tenants)
    if not tenants:
        console.print("no municipality is onboarded yet: run `loket tenants import`")
        return
    table = Table(title="Onboarded municipalities")
    for column in ("REFNIS", "municipality", "eBox sender (KBO / application)", "SMS sender", "languages",
                   "letter PDFs kept"):
        table.add_column(column)
    for t in tenants:
        table.add_row(t.municipality, t.name, f"{t.ebox.enterprise_number} / {t.ebox.sender_application_id}",
                      t.sms_sender, ", ".join(t.languages), f"{t.retention.letter_pdf_days} days")
    console.print(table)
