"""Validation of the `messageToPublish` JSON part against the attachment parts it names."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from loket.simulators.ebox.citizens import require_ssin
from loket.simulators.ebox.enterprises import require_enterprise_number
from loket.simulators.ebox.errors import EboxError, invalid_input

ENTERPRISE_NUMBER = re.compile(r"^[01][0-9]{9}$")
LANGUAGES = frozenset({"fr", "nl", "de"})
MAX_SUBJECT = 400


@dataclass(frozen=True)
class Publication:
    ssin: str  # the recipient's id: an enterprise (KBO/BCE) number when recipient_kind says so
    main_content: bytes
    sender: str  # the enterprise number it was published under
    recipient_kind: str = "citizen"


def _reject_nulls(value: Any, path: str) -> None:
    # The registry rejects explicit nulls: a client must omit an absent optional field.
    if value is None:
        raise invalid_input(f"{path} must be omitted rather than null")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nulls(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_nulls(item, f"{path}[{index}]")


def _object(doc: dict[str, Any], name: str) -> dict[str, Any]:
    value = doc.get(name)
    if not isinstance(value, dict):
        raise invalid_input(f"{name} is required and must be an object")
    return value


def _text(doc: dict[str, Any], name: str) -> str:
    value = doc.get(name)
    if not isinstance(value, str) or not value.strip():
        raise invalid_input(f"{name} is required and must be a non-empty string")
    return value


def _subject(doc: dict[str, Any]) -> None:
    subject = _object(doc, "subject")
    if len(subject) != 1 or not set(subject) <= LANGUAGES:
        raise invalid_input("subject must hold exactly one of fr, nl, de")
    (text,) = subject.values()
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_SUBJECT:
        raise invalid_input(f"subject must be a non-empty string of at most {MAX_SUBJECT} chars")


def _recipient(doc: dict[str, Any]) -> tuple[str, str]:
    """→ (kind, id). A citizen as `{eboxType: citizen, ssin}` (the v3 publish); an enterprise as
    the reference's EboxId `{eboxType: enterprise, eboxIdValue}` with its KBO/BCE number."""
    recipient = _object(doc, "recipient")
    if recipient.get("eboxType") == "citizen":
        return "citizen", require_ssin(recipient.get("ssin"))
    if recipient.get("eboxType") == "enterprise":
        return "enterprise", require_enterprise_number(recipient.get("eboxIdValue"))
    raise invalid_input("recipient.eboxType must be citizen or enterprise")


def _sender(doc: dict[str, Any], authorised: frozenset[str]) -> str:
    sender = _object(doc, "sender")
    number = sender.get("enterpriseNumber")
    if sender.get("eboxType") != "enterprise" or not isinstance(number, str):
        raise invalid_input("sender must be {eboxType: enterprise, enterpriseNumber}")
    if not ENTERPRISE_NUMBER.match(number):
        raise invalid_input("sender.enterpriseNumber must be 10 digits")
    if number not in authorised:
        raise EboxError(400, "INVALID_SENDER", "the sender is not authorised for this client")
    return number


def _digest_matches(digest: Any, content: bytes) -> bool:
    if not isinstance(digest, dict) or digest.get("digestMethod") != "sha_256":
        raise invalid_input("digest must be {digestMethod: sha_256, digestValue}")
    value = digest.get("digestValue")
    if not isinstance(value, str):
        raise invalid_input("digest.digestValue must be a base64url string")
    expected = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
    return value.rstrip("=") == expected


def _main_content(doc: dict[str, Any], parts: dict[str, bytes]) -> bytes:
    attachments = doc.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        raise invalid_input("attachments must be a non-empty list")
    mains: list[bytes] = []
    for index, item in enumerate(attachments):
        name = item.get("httpPartName") if isinstance(item, dict) else None
        if not isinstance(name, str) or name == "messageToPublish" or name not in parts:
            raise invalid_input(f"attachments[{index}].httpPartName names no part")
        if not isinstance(item.get("isMainContent"), bool):
            raise invalid_input(f"attachments[{index}].isMainContent must be a boolean")
        if not _digest_matches(item.get("digest"), parts[name]):
            raise EboxError(400, "DIGEST_DO_NOT_MATCH", f"digest of part {name} does not match")
        if item["isMainContent"]:
            mains.append(parts[name])
    if len(mains) != 1:
        raise invalid_input("exactly one attachment must be the main content")
    return mains[0]


def _optional_fields(doc: dict[str, Any]) -> None:
    if "isRegisteredMail" in doc and not isinstance(doc["isRegisteredMail"], bool):
        raise invalid_input("isRegisteredMail must be a boolean")
    if doc.get("isRegisteredMail"):
        # The reference: registered mail through eBox is only possible for the EPOST service.
        raise EboxError(400, "NOT_IMPLEMENTED", "registered mail is not available to this sender")
    items = doc.get("businessDataList", [])
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("key"), str) and isinstance(i.get("values"), list)
        for i in items
    ):
        raise invalid_input("businessDataList items need a key and a list of values")


def validate(parts: dict[str, bytes], authorised_senders: frozenset[str]) -> Publication:
    raw = parts.get("messageToPublish")
    if raw is None:
        raise invalid_input("the messageToPublish part is required")
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise invalid_input("messageToPublish is not valid JSON") from exc
    if not isinstance(doc, dict):
        raise invalid_input("messageToPublish must be a JSON object")
    _reject_nulls(doc, "messageToPublish")
    kind, recipient = _recipient(doc)
    sender = _sender(doc, authorised_senders)
    _subject(doc)
    _text(doc, "messageTypeId")
    _text(doc, "senderApplicationId")
    _optional_fields(doc)
    return Publication(ssin=recipient, main_content=_main_content(doc, parts), sender=sender, recipient_kind=kind)
