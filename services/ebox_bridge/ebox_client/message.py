"""The multipart publish request: the `messageToPublish` JSON part plus the PDF part."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

LANGUAGES = frozenset({"fr", "nl", "de"})
MAX_SUBJECT = 400
MAIN_PART = "mainContent"


def sha256_base64url(content: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()


@dataclass(frozen=True)
class SenderIdentity:
    """Who publishes: an enterprise (KBO/BCE number) and its application id at the eBox."""

    enterprise_number: str
    application_id: str


RECIPIENT_KINDS = frozenset({"citizen", "enterprise"})


@dataclass(frozen=True)
class Letter:
    ssin: str  # the recipient's identifier: an enterprise number when recipient_kind says so
    subject: str
    language: str
    pdf: bytes
    message_type_id: str
    registered: bool = False
    business_data: Mapping[str, Sequence[str]] | None = None
    recipient_kind: str = "citizen"

    def __post_init__(self) -> None:
        # Checked here so a programming error fails before it costs an HTTP round trip.
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {sorted(LANGUAGES)}")
        if not self.subject.strip() or len(self.subject) > MAX_SUBJECT:
            raise ValueError(f"subject must be 1 to {MAX_SUBJECT} characters")
        if self.recipient_kind not in RECIPIENT_KINDS:
            raise ValueError(f"recipient_kind must be one of {sorted(RECIPIENT_KINDS)}")


def message_to_publish(
    letter: Letter, enterprise_number: str, sender_application_id: str
) -> dict[str, Any]:
    # The registry rejects nulls, so optional fields are added only when they carry a value.
    doc: dict[str, Any] = {
        "recipient": recipient(letter),
        "sender": {"eboxType": "enterprise", "enterpriseNumber": enterprise_number},
        "subject": {letter.language: letter.subject},
        "messageTypeId": letter.message_type_id,
        "senderApplicationId": sender_application_id,
        "attachments": [
            {
                "httpPartName": MAIN_PART,
                "isMainContent": True,
                "digest": {"digestMethod": "sha_256", "digestValue": sha256_base64url(letter.pdf)},
            }
        ],
    }
    if letter.registered:
        doc["isRegisteredMail"] = True
    if letter.business_data:
        doc["businessDataList"] = [
            {"key": key, "values": list(values)} for key, values in letter.business_data.items()
        ]
    return doc


def recipient(letter: Letter) -> dict[str, str]:
    """The messageToPublish recipient: a citizen by SSIN (as DESIGN.md's v3 publish), an
    enterprise as the reference's EboxId `{eboxType: enterprise, eboxIdValue}` (KBO/BCE)."""
    if letter.recipient_kind == "enterprise":
        return {"eboxType": "enterprise", "eboxIdValue": letter.ssin}
    return {"eboxType": "citizen", "ssin": letter.ssin}


def publish_form(doc: dict[str, Any], pdf: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("messageToPublish", json.dumps(doc), content_type="application/json")
    form.add_field(MAIN_PART, pdf, filename="letter.pdf", content_type="application/pdf")
    return form
