"""`loket up`: the whole platform on this machine, supervised until Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from rich.console import Console
from rich.table import Table

from services.catalog import SERVICE_NAMES, service_settings
from services.commands.migrate import migrate_all
from services.commands.stack import ensure_admin_token, running_stack
from services.infra.embedded.ports import free_port, port_is_free
from services.infra.supervisor import Child, Supervisor, child_env, service_argv

console = Console()


def allocate_ports() -> dict[str, int]:
    ports = {}
    for name in SERVICE_NAMES:
        default = service_settings(name).port
        ports[name] = default if port_is_free(default) else free_port()
    return ports


def prepare_services(stack) -> tuple[dict[str, int], Path, list[Child]]:  # type: ignore[no-untyped-def]
    """Migrate, pick ports, and describe the four service processes (not started yet)."""
    asyncio.run(migrate_all(stack.database_url))
    token = os.environ.get("LOKET_ADMIN_TOKEN") or ensure_admin_token(stack.data_dir)
    ports = allocate_ports()
    logs = stack.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    env = {"LOKET_DATABASE_URL": stack.database_url, "LOKET_BUS_URL": stack.bus_url,
           "LOKET_ADMIN_TOKEN": token}
    children = [
        Child(name, service_argv(name), child_env({**env, "LOKET_PORT": str(ports[name])}),
              logs / f"{name}.log")
        for name in SERVICE_NAMES
    ]
    return ports, logs, children


def up() -> None:
    """Start PostgreSQL and NATS (embedded unless LOKET_DATABASE_URL / LOKET_BUS_URL are set),
    apply migrations, and run the four services, restarting any that crash."""
    with running_stack() as stack:
        ports, logs, children = prepare_services(stack)
        write_runtime_file(stack, ports)
        print_urls(stack, ports, logs)
        Supervisor(children).run(
            on_restart=lambda child, code: console.print(f"[yellow]{child.name} exited ({code}); restarting[/]")
        )
    console.print("stopped")


def write_runtime_file(stack, ports: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    """Where everything runs, for operators' scripts and tests (no secrets in it)."""
    (stack.data_dir / "runtime.json").write_text(json.dumps(
        {"database_url": stack.database_url, "bus_url": stack.bus_url, "ports": ports,
         "supervisor_pid": os.getpid()}, indent=2))


def print_urls(stack, ports: dict[str, int], logs) -> None:  # type: ignore[no-untyped-def]
    table = Table(title="Loket is running (Ctrl-C stops it)")
    table.add_column("service")
    table.add_column("health")
    table.add_column("metrics")
    table.add_column("AsyncAPI (bearer token)")
    for name, port in ports.items():
        base = f"http://127.0.0.1:{port}"
        table.add_row(name, f"{base}/health/ready", f"{base}/metrics", f"{base}/docs/asyncapi")
    console.print(table)
    console.print(f"database: {stack.database_url}")
    console.print(f"bus:      {stack.bus_url}")
    console.print(f"data:     {stack.data_dir}  (admin token in {stack.data_dir / 'admin-token'})")
    console.print(f"logs:     {logs}")
