"""`loket accounts`: accounts of people who sign in to the pages (counter staff, managers,
administrators, analysts). Passwords are typed at a prompt or read from a file, never passed as
an argument (arguments end up in shell history and `ps`)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from loket.cli.database_target import DATABASE_URL_HELP
from loket.cli.identity_db import fail, run_on_identity
from loket.cli.tables import print_table
from loket.contracts.values import utc_now
from loket.infra.identity import account_admin
from loket.infra.identity.accounts import LANGUAGES, AccountRefused
from loket.infra.identity.roles import LABELS, Role

app = typer.Typer(help="Accounts of people: create, list, disable, reset a password.", no_args_is_help=True)
console = Console()
DB = typer.Option(None, "--database-url", help=DATABASE_URL_HELP)
PASSWORD_FILE = typer.Option(None, "--password-file", exists=True, dir_okay=False,
                             help="Read the password from this file's first line (for scripts).")


def read_password(password_file: Path | None, prompt: str) -> str:
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=True)


@app.command("create")
def create(
    username: str = typer.Option(..., "--username", help="How the person signs in (lowercase)."),
    role: Role = typer.Option(..., "--role", help="What the person may do."),
    municipality: str = typer.Option(None, "--municipality", help="REFNIS code; not for --role operator."),
    point: list[str] = typer.Option([], "--point", help="Assistance point(s), for point roles (repeat)."),
    language: str = typer.Option("nl", "--language", help=f"Language of the pages: {', '.join(LANGUAGES)}."),
    name: str = typer.Option(None, "--name", help="Display name (default: the username)."),
    with_totp: bool = typer.Option(False, "--totp", help="Ask a code from an authenticator app at sign-in."),
    password_file: Path = PASSWORD_FILE,
    database_url: str = DB,
) -> None:
    """Create an account; with --totp its authenticator key is printed this once."""
    request = account_admin.AccountRequest(username, name, municipality, role, tuple(point), language, with_totp)
    password = read_password(password_file, "Password (at least 12 characters)")
    try:
        created = run_on_identity(database_url, lambda conn: account_admin.create_account(conn, request, password))
    except AccountRefused as exc:
        fail(str(exc))
    console.print(f"account {created.username} created: {LABELS[role].lower()}"
                  + (f" of {municipality}" if municipality else ""))
    if created.totp_uri:
        console.print("Add this key to the person's authenticator app now; it is not shown again:", soft_wrap=True)
        print(f"key: {created.totp_secret}")
        print(created.totp_uri)


@app.command("list")
def list_(municipality: str = typer.Option(None, "--municipality", help="Only this municipality's accounts."),
          database_url: str = DB) -> None:
    """Every account (never a password or key): role, scope, language, second factor, state."""
    found = run_on_identity(database_url, lambda conn: account_admin.accounts(conn, municipality))
    now = utc_now()
    print_table(console, "Accounts", ("username", "name", "role", "municipality", "points", "language", "code",
                                      "state"),
                ((a.username, a.display_name, LABELS[a.role], a.municipality or "all", ", ".join(a.points) or "-",
                  a.language, "yes" if a.totp_secret else "no", _state(a, now)) for a in found),
                "no accounts yet: `loket accounts create …`")


def _state(account, now):  # type: ignore[no-untyped-def]
    if account.disabled_at:
        return "disabled"
    if account.locked_at(now):
        return f"locked until {account.locked_until:%H:%M}"
    return "must change password" if account.must_change_password else "active"


@app.command("disable")
def disable(username: str = typer.Argument(..., help="The account's username."), database_url: str = DB) -> None:
    """Disable an account: it can no longer sign in, and its open sessions end now."""
    try:
        run_on_identity(database_url, lambda conn: account_admin.disable_account(conn, username, utc_now()))
    except AccountRefused as exc:
        fail(str(exc))
    console.print(f"account {username} disabled; its sessions have ended")


@app.command("reset-password")
def reset_password(username: str = typer.Argument(..., help="The account's username."),
                   password_file: Path = PASSWORD_FILE, database_url: str = DB) -> None:
    """Set a new password, which the person must change at their next sign-in."""
    password = read_password(password_file, "New password (at least 12 characters)")
    try:
        run_on_identity(database_url, lambda conn: account_admin.reset_password(conn, username, password, utc_now()))
    except AccountRefused as exc:
        fail(str(exc))
    console.print(f"password of {username} reset; they choose their own at the next sign-in")
