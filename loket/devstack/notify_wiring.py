"""The SMS provider and mail server for `loket up` / `loket demo`: the operator's when
LOKET_SMS_URL / LOKET_SMTP_HOST are set, otherwise the SMS simulator and an SMTP sink, started
as separate processes with secrets made for this run."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from loket.devstack.supervisor import Child, child_env
from loket.infra.embedded.ports import preferred_port

SMS_SIM_PORT, SMTP_SINK_PORT = 8111, 8025


@dataclass
class NotifyWiring:
    notify_env: dict[str, str] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)
    sms_url: str | None = None
    mail_dir: Path | None = None


def notify_wiring(data_dir: Path, logs: Path, ports: dict[str, int], admin_token: str,
                  avoid_ports: Collection[int] = (), well_known_ports: bool = True) -> NotifyWiring:
    wiring = NotifyWiring(notify_env={"LOKET_BOOKING_URL": f"http://127.0.0.1:{ports['booking']}/public/book"})
    taken = set(avoid_ports)
    if not os.environ.get("LOKET_SMS_URL"):
        port = preferred_port(SMS_SIM_PORT, taken, well_known=well_known_ports)
        taken.add(port)
        key, receipts = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        wiring.sms_url = f"http://127.0.0.1:{port}"
        wiring.children.append(Child(
            "sms_sim", [sys.executable, "-m", "loket.cli", "sms-sim", "--port", str(port),
                        "--receipts-url", f"http://127.0.0.1:{ports['notify']}/receipts/sms"],
            child_env({"LOKET_SMS_SIM_API_KEY": key, "LOKET_SMS_SIM_RECEIPTS_TOKEN": receipts,
                       "LOKET_SMS_SIM_ADMIN_TOKEN": admin_token}), logs / "sms_sim.log"))
        wiring.notify_env |= {"LOKET_SMS_URL": wiring.sms_url, "LOKET_SMS_API_KEY": key,
                              "LOKET_SMS_RECEIPTS_TOKEN": receipts}
    if not os.environ.get("LOKET_SMTP_HOST"):
        port = preferred_port(SMTP_SINK_PORT, taken, well_known=well_known_ports)
        wiring.mail_dir = data_dir / "mail"
        wiring.children.append(Child(
            "smtp_sink", [sys.executable, "-m", "loket.cli", "smtp-sink", "--port", str(port),
                          "--dir", str(wiring.mail_dir)], child_env({}), logs / "smtp_sink.log"))
        wiring.notify_env |= {"LOKET_SMTP_HOST": "127.0.0.1", "LOKET_SMTP_PORT": str(port)}
    return wiring
