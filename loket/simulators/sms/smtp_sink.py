"""An SMTP sink (aiosmtpd) for `loket up` / `loket demo`: accepts every message and keeps it as
a .eml file, so a newcomer can read what citizens would receive."""

from __future__ import annotations

import hashlib
from email import message_from_bytes
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import Envelope


class MaildirSink:
    """aiosmtpd handler: one file per message, named after its Message-ID (a resend of the
    same message overwrites its file, and is counted in `duplicates`)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.received = 0
        self.duplicates = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd API)
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        message_id = message_from_bytes(content).get("Message-ID", "") or hashlib.sha256(content).hexdigest()
        path = self.directory / f"{hashlib.sha256(message_id.encode()).hexdigest()[:24]}.eml"
        self.received += 1
        if path.exists():
            self.duplicates += 1
        path.write_bytes(content)
        return "250 Message accepted for delivery"
