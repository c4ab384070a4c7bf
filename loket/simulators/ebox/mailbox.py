"""Published messages, their idempotency keys, read status and the record tests inspect."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Delivered:
    message_id: str
    idempotency_key: str
    ssin: str
    main_content_sha256: str
    published_at: float
    expiration_date: str
    digital_user: bool
    sender: str
    read_at: float | None = None  # set by the admin endpoint; the simulated reader is derived
    recipient_kind: str = "citizen"  # "enterprise": `ssin` holds a KBO/BCE number


@dataclass
class Mailbox:
    seed: int
    read_share_percent: int
    read_delay_s: float
    message_ttl_days: int
    messages: dict[str, Delivered] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    attempts: Counter[str] = field(default_factory=Counter)

    def reset(self) -> None:
        self.messages.clear()
        self.by_key.clear()
        self.attempts.clear()

    def note_attempt(self, idempotency_key: str) -> str | None:
        """Count the attempt; return the messageId already published under this key, if any."""
        self.attempts[idempotency_key] += 1
        return self.by_key.get(idempotency_key)

    def publish(self, key: str, ssin: str, main_content: bytes, digital: bool, sender: str,
                recipient_kind: str = "citizen") -> Delivered:
        now = time.time()
        expires = dt.datetime.fromtimestamp(now, dt.UTC) + dt.timedelta(days=self.message_ttl_days)
        message = Delivered(
            message_id=str(uuid.uuid4()),
            idempotency_key=key,
            ssin=ssin,
            main_content_sha256=hashlib.sha256(main_content).hexdigest(),
            published_at=now,
            expiration_date=expires.replace(microsecond=0).isoformat(),
            digital_user=digital,
            sender=sender,
            recipient_kind=recipient_kind,
        )
        self.messages[message.message_id] = message
        self.by_key[key] = message.message_id
        return message

    def mark_read(self, message_id: str) -> bool:
        message = self.messages.get(message_id)
        if message is None:
            return False
        message.read_at = message.read_at or time.time()
        return True

    def is_read(self, message: Delivered) -> bool:
        if message.read_at is not None:
            return True
        # A citizen without an eBox never opens anything; the others, a seeded share, later.
        if not message.digital_user or time.time() < message.published_at + self.read_delay_s:
            return False
        roll = hashlib.sha256(f"{self.seed}:read:{message.message_id}".encode()).digest()[0]
        return roll * 100 // 256 < self.read_share_percent

    def status(self, message: Delivered) -> dict[str, object]:
        # MessageStatus of the reference registry.
        return {
            "messageId": message.message_id,
            "eboxId": {"eboxType": message.recipient_kind, "eboxIdValue": message.ssin},
            "expirationDate": message.expiration_date,
            "readStatus": self.is_read(message),
            "visible": True,
        }

    def received(self) -> dict[str, object]:
        return {
            "messages": [
                {
                    "messageId": m.message_id,
                    "idempotencyKey": m.idempotency_key,
                    "ssin": m.ssin,
                    "recipientKind": m.recipient_kind,
                    "mainContentSha256": m.main_content_sha256,
                    "digitalUser": m.digital_user,
                    "sender": m.sender,
                }
                for m in self.messages.values()
            ],
            "acceptedByIdempotencyKey": Counter(m.idempotency_key for m in self.messages.values()),
            "acceptedBySender": Counter(m.sender for m in self.messages.values()),
            "attemptsByIdempotencyKey": dict(self.attempts),
        }
