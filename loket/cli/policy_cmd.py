"""`loket policy`: inspect and change the ebox_bridge rollout policy (docs/architecture.md, "The letter state machine").

Every change is a new version in the database; the running bridge picks it up within
`policy_refresh_s`. Mistakes exit with code 2 and the precise message (the path of the key in
the YAML, or the unknown municipality / department), never a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import asyncpg
import typer
import yaml
from rich.console import Console
from rich.table import Table

from loket.cli.database_target import DATABASE_URL_HELP, resolve_database_url
from loket.contracts.reference.language_regime import municipality_name
from loket.infra.db.schema import migrate_service_schema
from services import ebox_bridge
from services.ebox_bridge.policy import (
    PolicyDocument,
    PolicyError,
    PolicyLookupError,
    RolloutPolicy,
    UnknownMunicipality,
    parse_policy_yaml,
)
from services.ebox_bridge.policy.repository import import_document, load_current, set_rule

app = typer.Typer(help="The ebox_bridge rollout policy: which letters go to the eBox, which on paper.", no_args_is_help=True)
console = Console()
DB = typer.Option(None, "--database-url", help=DATABASE_URL_HELP)
# Tests point the commands at a throw-away schema; operators have no reason to.
SCHEMA = typer.Option("ebox_bridge", "--schema", hidden=True)
T = TypeVar("T")
# The bridge's migrations, as `services.ebox_bridge.app.service_spec().migrations` names them;
# taken from the package rather than the app so that an operator command does not import the
# whole service (handlers, PDF and eBox stacks) just to find a directory.
MIGRATIONS = Path(ebox_bridge.__file__).parent / "migrations"


class Channel(StrEnum):
    ebox_first = "ebox_first"
    paper_only = "paper_only"
    both = "both"
    ebox_only = "ebox_only"


class Postage(StrEnum):
    non_prior = "non_prior"
    prior = "prior"


class Format(StrEnum):
    table = "table"
    yaml = "yaml"


def _fail(message: str, code: int = 2) -> NoReturn:
    # Plain text on stderr, unwrapped: the messages carry YAML paths an operator greps for.
    Console(stderr=True, soft_wrap=True).print(message, markup=False, highlight=False)
    raise typer.Exit(code)


def _run(url: str | None, schema: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    async def main() -> T:
        conn = await asyncpg.connect(resolve_database_url(url))
        try:
            await migrate_service_schema(conn, schema, MIGRATIONS)
            return await work(conn)
        finally:
            await conn.close()

    try:
        return asyncio.run(main())
    except (PolicyError, PolicyLookupError, UnknownMunicipality) as exc:
        _fail(str(exc))
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        _fail(f"database unreachable or refused the change: {exc}", code=1)


def _read(file: Path) -> PolicyDocument:
    try:
        return parse_policy_yaml(file.read_text(encoding="utf-8"), str(file))
    except (PolicyError, PolicyLookupError, UnknownMunicipality) as exc:
        _fail(str(exc))
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{file}: cannot read: {exc}")


def _rule_table(policy: RolloutPolicy, municipality: str | None, title: str) -> Table:
    table = Table(title=title)
    for header in ("municipality", "name", "department", "document type", "channel", "registered",
                   "postage", "escalate after", "lead time", "languages"):
        table.add_column(header)
    for code, dept, doc, rule in policy.rules():
        if municipality is not None and code != municipality:
            continue
        table.add_row(
            code, municipality_name(code), dept, doc, rule.channel, "yes" if rule.registered else "no",
            rule.postage_class,
            f"{rule.escalate_unread_after_days} d" if rule.escalate_unread_after_days else "-",
            f"{rule.print_lead_time_days} d", ", ".join(sorted(policy.allowed_languages(code))),
        )
    return table


@app.command("show")
def show(
    municipality: str = typer.Option(None, "--municipality", "-m", help="REFNIS code, e.g. 12025"),
    output: Format = typer.Option(Format.table, "--format", help="table, or the YAML document"),
    database_url: str = DB,
    schema: str = SCHEMA,
) -> None:
    """The policy in force, one line per document type, with the inherited values resolved."""
    policy = _run(database_url, schema, lambda conn: load_current(conn, schema))
    if policy is None:
        _fail("no rollout policy in the database yet: run `loket policy import deploy/policy/rollout.yaml`", code=1)
    if municipality is not None:
        try:
            policy.sender(municipality)  # raises for unknown / not onboarded municipalities
        except (PolicyLookupError, UnknownMunicipality) as exc:
            _fail(str(exc))
    if output is Format.yaml:
        data = policy.document.data()
        if municipality is not None:
            data["municipalities"] = {municipality: data["municipalities"][municipality]}
        typer.echo(f"# rollout policy version {policy.version}, sha256 {policy.fingerprint}")
        typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)
        return
    console.print(_rule_table(policy, municipality, f"rollout policy v{policy.version} · sha256 {policy.fingerprint[:16]}"))


@app.command("set")
def set_(
    municipality: str = typer.Argument(..., help="REFNIS code of an onboarded municipality"),
    department: str = typer.Argument(...),
    document_type: str = typer.Argument(...),
    channel: Channel = typer.Option(None, help="ebox_first | paper_only | both | ebox_only"),
    registered: bool = typer.Option(None, "--registered/--no-registered", help="registered mail"),
    postage_class: Postage = typer.Option(None, help="non_prior | prior (registered mail has its own class)"),
    escalate_unread_after_days: int = typer.Option(None, help="send paper when an important letter stays unread"),
    no_escalation: bool = typer.Option(False, "--no-escalation", help="never escalate this document type"),
    print_lead_time_days: int = typer.Option(None, help="days before a legal deadline to fall back to paper"),
    message_type_id: str = typer.Option(None, help="the eBox messageTypeId"),
    database_url: str = DB,
    schema: str = SCHEMA,
) -> None:
    """Change (or add) the rule of one document type; a new policy version."""
    if no_escalation and escalate_unread_after_days is not None:
        raise typer.BadParameter("give either --escalate-unread-after-days or --no-escalation", param_hint="--no-escalation")
    changes: dict[str, Any] = {
        key: value.value if isinstance(value, Enum) else value
        for key, value in {
            "channel": channel, "registered": registered, "postage_class": postage_class,
            "escalate_unread_after_days": escalate_unread_after_days,
            "print_lead_time_days": print_lead_time_days, "message_type_id": message_type_id,
        }.items()
        if value is not None
    }
    if no_escalation:
        changes["escalate_unread_after_days"] = None

    async def work(conn: asyncpg.Connection) -> tuple[int | None, RolloutPolicy]:
        before = await load_current(conn, schema)
        await set_rule(conn, schema, municipality, department, document_type, changes)
        after = await load_current(conn, schema)
        assert after is not None  # set_rule refuses to run without a policy
        return (before.version if before else None), after

    before, after = _run(database_url, schema, work)
    rule = after.resolve(municipality, department, document_type)
    what = f"version {before} → {after.version}" if before != after.version else f"unchanged (version {after.version})"
    console.print(f"{municipality}/{department}/{document_type}: {what}", markup=False)
    console.print(
        f"  channel {rule.channel}, postage {rule.postage_class}, escalate after "
        f"{rule.escalate_unread_after_days or '-'} d, lead time {rule.print_lead_time_days} d, "
        f"messageTypeId {rule.message_type_id}", markup=False,
    )


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="policy YAML, e.g. deploy/policy/rollout.yaml"),
    dry_run: bool = typer.Option(False, "--dry-run", help="only validate; the database is not touched"),
    database_url: str = DB,
    schema: str = SCHEMA,
) -> None:
    """Validate a policy file and make it the policy in force (a no-op if nothing changed)."""
    document = _read(file)
    new = RolloutPolicy(document)
    if dry_run:
        console.print(f"{file}: valid, {len(new.rules())} rules in {len(new.municipalities())} municipalities (dry run)", markup=False)
        return

    async def work(conn: asyncpg.Connection) -> tuple[RolloutPolicy | None, int]:
        before = await load_current(conn, schema)
        return before, await import_document(conn, schema, document, f"file {file.name}")

    before, version = _run(database_url, schema, work)
    if before is not None and before.version == version:
        console.print(f"{file}: identical to version {version}; nothing imported", markup=False)
        return
    console.print(f"{file}: imported as version {version}; {_diff(before, new)}", markup=False)


@app.command("validate")
def validate(file: Path = typer.Argument(..., help="policy YAML")) -> None:
    """Check a policy file without a database: every problem is listed with its path."""
    policy = RolloutPolicy(_read(file))
    console.print(f"{file}: valid, {len(policy.rules())} rules in {len(policy.municipalities())} municipalities", markup=False)


def _diff(before: RolloutPolicy | None, after: RolloutPolicy) -> str:
    old = {(m, d, t): r for m, d, t, r in before.rules()} if before else {}
    new = {(m, d, t): r for m, d, t, r in after.rules()}
    changed = sum(1 for key in old.keys() & new.keys() if old[key] != new[key])
    return (
        f"{len(old)} → {len(new)} rules ({len(new.keys() - old.keys())} added, "
        f"{len(old.keys() - new.keys())} removed, {changed} changed)"
    )

