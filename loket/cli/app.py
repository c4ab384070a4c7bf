"""The `loket` typer app. Each sub-command lives in its own module beside this one and is imported
only when it runs (or shows its own help): importing every command's module (and with them the
services, the benchmarks and both bus clients) took 1.8 s before any command could start;
`loket dlq list` or `loket kafka status` now import what they use, and `loket --help` lists the
commands from their summaries here (SUMMARIES) without importing any."""

from __future__ import annotations

from typing import Any

import typer

from loket.cli.lazy_group import Commands, lazy_group, load

# name → (module, attribute): a typer app (a group of commands) or a command's function. The
# order is the order of `loket --help`.
COMMANDS: Commands = {
    "demo": ("loket.cli.demo", "demo"),
    "up": ("loket.devstack.up", "up"),
    "serve": ("loket.cli.serve", "serve"),
    "migrate": ("loket.cli.migrate", "migrate"),
    "seed": ("loket.cli.seed_cmd", "seed"),
    "ebox-sim": ("loket.cli.ebox_sim_cmd", "ebox_sim"),
    "ebox-keys": ("loket.cli.ebox_sim_cmd", "ebox_keys"),
    "sms-sim": ("loket.cli.sms_sim_cmd", "sms_sim"),
    "smtp-sink": ("loket.cli.sms_sim_cmd", "smtp_sink"),
    "asyncapi": ("loket.cli.asyncapi_cmd", "asyncapi"),
    "audit": ("loket.cli.audit_cmd", "audit_trail"),
    "contracts": ("loket.cli.contracts_cmd", "app"),
    "dlq": ("loket.cli.dlq", "app"),
    "bench": ("loket.cli.bench_group", "app"),
    "print": ("loket.cli.print_cmd", "app"),
    "privacy": ("loket.cli.privacy_cmd", "app"),
    "policy": ("loket.cli.policy_cmd", "app"),
    "reporting": ("loket.cli.reporting_cmd", "app"),
    "kafka": ("loket.cli.kafka_cmd", "app"),
    "tenants": ("loket.cli.tenants_cmd", "app"),
    "keys": ("loket.cli.keys_cmd", "app"),
    "accounts": ("loket.cli.accounts_cmd", "app"),
}


# What `loket --help` says of each command, written here so that listing them imports none of
# their modules (that took 2 s); tests/unit/test_cli_lazy_commands.py checks each against its
# command's own summary.
SUMMARIES: dict[str, str] = {
    "demo": (
        "Start everything on the embedded default and play a municipality's week through it: "
        "appointments and walk-ins at assistance points, a waitlist, device loans, an eBox "
        "activation at a counter, thousands of letters with a short eBox outage in the middle, "
        "and the SMS and e-mails citizens get; then summarise and show where to look."
    ),
    "up": (
        "Start PostgreSQL and NATS (embedded unless LOKET_DATABASE_URL / LOKET_BUS_URL are "
        "set), apply migrations, and run the four services, restarting any that crash (and the "
        "embedded servers, should one die)."
    ),
    "serve": "Run one Loket service: its bus consumers, outbox relay and HTTP endpoints.",
    "migrate": (
        "Create or update every schema, then the service roles and their grants (idempotent, "
        "safe to run concurrently). Run it as the owner role; the services then connect with "
        "their own."
    ),
    "seed": (
        "Validate and load assistance points, helpers and shifts (idempotent: unchanged rows "
        "are left alone)."
    ),
    "ebox-sim": "Serve the eBox simulator on loopback; settings from LOKET_EBOX_SIM_* variables.",
    "ebox-keys": (
        "Make a self-signed client key pair for the simulator (kept if it exists already)."
    ),
    "sms-sim": (
        "Serve the SMS provider simulator on loopback; settings from LOKET_SMS_SIM_* variables."
    ),
    "smtp-sink": (
        "Accept every e-mail on loopback and keep it as a file (for demos; never in "
        "production)."
    ),
    "asyncapi": "Write the AsyncAPI 3 document (Kafka wiring) to docs/asyncapi.json.",
    "audit": (
        "The audit trail of personal data, newest first (it holds object ids, never the data)."
    ),
    "contracts": "Event contracts: JSON-schema snapshots.",
    "dlq": "Dead-letter queues: list, show and replay.",
    "bench": "Benchmarks on this machine, each against a raw baseline run alongside.",
    "print": "Paper letters: print batches and the print house's confirmations.",
    "privacy": "Personal data of one citizen: what Loket holds (subject access).",
    "policy": "The ebox_bridge rollout policy: which letters go to the eBox, which on paper.",
    "reporting": "The reporting read side: projections for the KPIs.",
    "kafka": (
        "A real three-node Apache Kafka cluster (KRaft, broker+controller per node) on "
        "127.0.0.1, for development and the `kafka`-marked tests. Needs `java` (17+) and, the "
        "first time, `mvn`; no Docker."
    ),
    "tenants": "Onboarded municipalities (tenants): show, import and validate.",
    "keys": "API keys for systems: create (shown once), list, revoke.",
    "accounts": "Accounts of people: create, list, disable, reset a password.",
}


def load_command(name: str) -> Any:
    """The click command (or group) `name` stands for, its module imported now."""
    return load(*COMMANDS[name], name)


app = typer.Typer(
    name="loket",
    cls=lazy_group(COMMANDS, SUMMARIES),
    help="Loket: municipal digital inclusion on an event bus (booking, notify, ebox_bridge, reporting).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    """Makes `loket` a group of commands (they are listed by lazy_group, not registered here)."""
