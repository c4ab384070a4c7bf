"""`loket up`: the whole platform on this machine, supervised until Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from loket.devstack.catalog import SERVICE_NAMES, service_settings
from loket.devstack.ebox_wiring import ebox_wiring
from loket.devstack.migrate import migrate_all
from loket.devstack.notify_wiring import notify_wiring
from loket.devstack.runtime_file import write_runtime_file
from loket.devstack.service_credentials import (
    role_passwords,
    service_env,
    write_backoffice_credentials,
)
from loket.devstack.stack import (
    CONTACT_KEY_SECRET_FILE,
    REPORTING_PSEUDONYM_SECRET_FILE,
    ensure_admin_token,
    ensure_secret_file,
    running_stack,
)
from loket.devstack.supervisor import Child, Server, Supervisor, child_env, service_argv
from loket.infra.embedded import EmbeddedNats, EmbeddedPostgres
from loket.infra.embedded.ports import free_port, preferred_port
from loket.infra.settings import LoketSettings


def operator_console() -> Console:
    # Written to a file or a service manager's journal, rich would assume 80 columns and cut the
    # table's URLs short ("http://127.0.0.1:8…"); there a line may be as long as it needs.
    return Console(width=None if sys.stdout.isatty() else 200)


console = operator_console()


def allocate_ports(well_known: bool = True) -> dict[str, int]:
    ports: dict[str, int] = {}
    for name in SERVICE_NAMES:
        ports[name] = preferred_port(service_settings(name).port, ports.values(), well_known=well_known)
    return ports


@dataclass
class Prepared:
    ports: dict[str, int]  # each service's first replica (the one the URLs and tests use)
    logs: Path
    # The simulators and the mail sink (unless real ones are configured) first, then the services.
    children: list[Child]
    simulator_url: str | None
    sms_url: str | None = None
    mail_dir: Path | None = None
    backoffice_credentials: Path | None = None
    # Every replica's port per service: [first, second, …].
    replica_ports: dict[str, list[int]] | None = None


def prepare_services(stack, replicas: int = 1, well_known_ports: bool = True) -> Prepared:  # type: ignore[no-untyped-def]
    """Migrate and grant as the owner, pick ports, and describe the service processes (not
    started yet), each with its own database role and NATS user; `replicas` processes of each
    service (the second and later on their own ports, logging to `<name>-<n>.log`)."""
    passwords = role_passwords(stack, SERVICE_NAMES)
    report = asyncio.run(migrate_all(stack.database_url, passwords))
    managed = passwords if report.roles else None
    token = os.environ.get("LOKET_ADMIN_TOKEN") or ensure_admin_token(stack.data_dir)
    ports = allocate_ports(well_known_ports)
    logs = stack.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    env = {"LOKET_ADMIN_TOKEN": token}
    ebox = ebox_wiring(stack.data_dir, token, logs, avoid_ports=ports.values(), well_known_ports=well_known_ports)
    avoid = [*ports.values(), *([int(ebox.simulator_url.rsplit(":", 1)[1])] if ebox.simulator_url else [])]
    notify = notify_wiring(stack.data_dir, logs, ports, token, avoid_ports=avoid, well_known_ports=well_known_ports)
    secret = ensure_secret_file(stack.data_dir / REPORTING_PSEUDONYM_SECRET_FILE)
    # One for notify and booking, kept with the data it keys (a new one would orphan every opt-out).
    contact_key = {"LOKET_CONTACT_KEY_SECRET_FILE": str(ensure_secret_file(stack.data_dir / CONTACT_KEY_SECRET_FILE))}
    booking_url = f"http://127.0.0.1:{ports['booking']}"
    extra = {"ebox_bridge": {**ebox.bridge_env, "LOKET_INSERT_BOOKING_URL": booking_url},
             "notify": {**notify.notify_env, **contact_key},
             "reporting": {"LOKET_REPORTING_PSEUDONYM_SECRET_FILE": str(secret)},
             "booking": {"LOKET_BOOKING_PUBLIC_URL": booking_url, **contact_key}}
    taken = {*avoid, *([int(notify.sms_url.rsplit(":", 1)[1])] if notify.sms_url else [])}
    replica_ports = {name: [ports[name], *extra_ports(replicas - 1, taken)] for name in SERVICE_NAMES}
    children = [
        Child(name if n == 0 else f"{name}-{n + 1}", service_argv(name),
              child_env({**env, **service_env(stack, name, managed), "LOKET_PORT": str(port),
                         **extra.get(name, {})}),
              logs / (f"{name}.log" if n == 0 else f"{name}-{n + 1}.log"))
        for name in SERVICE_NAMES for n, port in enumerate(replica_ports[name])
    ]
    return Prepared(ports, logs, [*ebox.children, *notify.children, *children], ebox.simulator_url,
                    notify.sms_url, notify.mail_dir, write_backoffice_credentials(stack), replica_ports)


def extra_ports(count: int, taken: set[int]) -> list[int]:
    """`count` free ports not in `taken` (which grows with them)."""
    found = []
    while len(found) < count:
        port = free_port()
        if port not in taken:
            taken.add(port)
            found.append(port)
    return found


def up(
    replicas: int = typer.Option(1, "--replicas", min=1, max=8, envvar="LOKET_REPLICAS",
                                 help="processes of each service (they share the work: leases, consumer groups)"),
    nats_nodes: int = typer.Option(1, "--nats-nodes", envvar="LOKET_NATS_NODES",
                                   help="embedded NATS: 1 server, or a JetStream cluster of 3 or 5 nodes (streams "
                                        "keep 3 copies: one node may go down)"),
) -> None:
    """Start PostgreSQL and NATS (embedded unless LOKET_DATABASE_URL / LOKET_BUS_URL are set),
    apply migrations, and run the four services, restarting any that crash (and the embedded
    servers, should one die)."""
    if nats_nodes not in (1, 3, 5):
        raise typer.BadParameter("--nats-nodes must be 1, 3 or 5 (a cluster needs a majority to keep going)")
    settings = LoketSettings(nats_nodes=nats_nodes)
    with running_stack(settings) as stack:
        prepared = prepare_services(stack, replicas, settings.well_known_ports)
        write_runtime(stack, prepared)
        print_urls(stack, prepared)
        Supervisor(prepared.children, watched_servers(stack)).run(
            on_restart=lambda child, code: console.print(
                f"[yellow]{child.name} exited ({code}"
                f"{': ' + escape(child.exit_reason) if child.exit_reason else ''}); restarting[/]"),
            on_server=lambda name, what: console.print(
                f"[{'green' if what == 'back' else 'yellow'}]{name}: {escape(what)}[/]"),
        )
    console.print("stopped")


def watched_servers(stack) -> list[Server]:  # type: ignore[no-untyped-def]
    """The embedded servers this `loket up` started and restarts when they die: PostgreSQL and a
    single NATS (a NATS cluster rides out one node's loss by itself; servers at a configured URL
    are someone else's to run)."""
    return [server for server in (stack.postgres, stack.nats) if isinstance(server, (EmbeddedPostgres, EmbeddedNats))]


def write_runtime(stack, prepared: Prepared) -> None:  # type: ignore[no-untyped-def]
    """Where everything runs, for operators' scripts and tests (secrets only by file path)."""
    write_runtime_file(stack.data_dir, {
        "database_address": stack.database_address, "bus_address": stack.bus_address,
        "embedded": list(stack.embedded), "ports": prepared.ports,
        "replica_ports": prepared.replica_ports or {name: [port] for name, port in prepared.ports.items()},
        "ebox_simulator_url": prepared.simulator_url, "sms_simulator_url": prepared.sms_url,
        "mail_dir": str(prepared.mail_dir) if prepared.mail_dir else None,
        "backoffice_credentials_file": str(prepared.backoffice_credentials) if prepared.backoffice_credentials
        else None,
    }, stack.database_url, stack.bus_url)


def print_urls(stack, prepared: Prepared) -> None:  # type: ignore[no-untyped-def]
    ports, logs = prepared.ports, prepared.logs
    table = Table(title="Loket is running (Ctrl-C stops it)")
    table.add_column("service")
    # A narrow terminal folds an address onto two lines rather than cutting it short.
    for heading in ("health", "metrics", "AsyncAPI (bearer token)"):
        table.add_column(heading, overflow="fold")
    for name, port in ports.items():
        for n, replica_port in enumerate((prepared.replica_ports or {}).get(name, [port])):
            base = f"http://127.0.0.1:{replica_port}"
            table.add_row(name if n == 0 else f"{name}-{n + 1}", f"{base}/health/ready", f"{base}/metrics",
                          f"{base}/docs/asyncapi")
    if prepared.simulator_url:
        table.add_row("ebox_sim", f"{prepared.simulator_url}/health/live", "-", "admin API: same token")
    if prepared.sms_url:
        table.add_row("sms_sim", f"{prepared.sms_url}/health/live", "-", "admin API: same token")
    if prepared.mail_dir:
        table.add_row("smtp_sink", f"e-mails as files in {prepared.mail_dir}", "-", "-")
    console.print(table)
    # Addresses only: the URLs with passwords are in files (runtime.json names them).
    console.print(f"database: {stack.database_address}")
    console.print(f"bus:      {stack.bus_address}")
    if prepared.backoffice_credentials:
        console.print(f"back-office credentials (may publish letters.issued.v1 only): "
                      f"{prepared.backoffice_credentials}")
    console.print(f"data:     {stack.data_dir}  (admin token in {stack.data_dir / 'admin-token'})")
    console.print(f"logs:     {logs}")
