"""`loket sms-sim` (the SMS provider simulator) and `loket smtp-sink` (a mail sink)."""

from __future__ import annotations

import time
from pathlib import Path

import typer
import uvicorn

from loket.simulators.sms.app import create_app
from loket.simulators.sms.settings import SmsSimSettings
from loket.simulators.sms.smtp_sink import MaildirSink

SHUTDOWN_GRACE_S = 2


def sms_sim(
    port: int = typer.Option(None, help="HTTP port (default LOKET_SMS_SIM_PORT or 8111)"),
    receipts_url: str = typer.Option(None, help="where to POST delivery receipts (notify's /receipts/sms)"),
) -> None:
    """Serve the SMS provider simulator on loopback; settings from LOKET_SMS_SIM_* variables.

    Numbers ending in 0000 get a permanent-failure receipt, 1111 a temporary-failure; faults
    (latency, 503, 429) are set with POST /admin/faults."""
    overrides: dict[str, object] = {}
    if port:
        overrides["port"] = port
    if receipts_url:
        overrides["receipts_url"] = receipts_url
    settings = SmsSimSettings(**overrides)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False,
                # A request the fault settings made hang (a server that never answers) must not keep a
                # stopping simulator alive: `loket up` waited 15 s for it, then killed it.
                timeout_graceful_shutdown=SHUTDOWN_GRACE_S)


def smtp_sink(
    host: str = typer.Option("127.0.0.1", help="address to listen on (0.0.0.0 in a container)"),
    port: int = typer.Option(8025, help="SMTP port"),
    directory: Path = typer.Option(Path("mail"), "--dir", help="where each message is kept as a .eml file"),
) -> None:
    """Accept every e-mail on loopback and keep it as a file (for demos; never in production)."""
    from aiosmtpd.controller import Controller

    sink = MaildirSink(directory)
    controller = Controller(sink, hostname=host, port=port)
    controller.start()
    typer.echo(f"SMTP sink on {host}:{port}, messages in {directory}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
