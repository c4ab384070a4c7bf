"""What the letters API takes and answers, as pydantic models (they also make the OpenAPI
document). A letter's fields are the `LetterIssued` contract's own: the API validates a request
with the contract itself, so the two ways in accept exactly the same letters."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from loket.contracts.letters import LetterIssuedPayload
from loket.contracts.values import RefnisCode
from services.ebox_bridge.api.letter_status import PublicStatus
from services.ebox_bridge.api.problems import Problem

MAX_BATCH = 1000


# A one-page A4 PDF, for the documented example (and the API fuzzer's first valid letter).
EXAMPLE_PDF_BASE64 = (
    "JVBERi0xLjMKJenr8b8KMSAwIG9iago8PAovQ291bnQgMQovS2lkcyBbMyAwIFJdCi9NZWRpYUJveCBbMCAwIDU5NS4yOCA4"
    "NDEuODldCi9UeXBlIC9QYWdlcwo+PgplbmRvYmoKMiAwIG9iago8PAovT3BlbkFjdGlvbiBbMyAwIFIgL0ZpdEggbnVsbF0K"
    "L1BhZ2VMYXlvdXQgL09uZUNvbHVtbgovUGFnZXMgMSAwIFIKL1R5cGUgL0NhdGFsb2cKPj4KZW5kb2JqCjMgMCBvYmoKPDwK"
    "L0NvbnRlbnRzIDQgMCBSCi9QYXJlbnQgMSAwIFIKL1Jlc291cmNlcyA2IDAgUgovVHlwZSAvUGFnZQo+PgplbmRvYmoKNCAw"
    "IG9iago8PAovRmlsdGVyIC9GbGF0ZURlY29kZQovTGVuZ3RoIDcxCj4+CnN0cmVhbQp4nDNS8OIy0DM1VyjncgpR0HczVDA0"
    "0jMwUAhJU3ANAQkZG+oZWiiYW5rqmZsrhKQoaITl5xclpabmpGgqhGSBFAEA6KsPugplbmRzdHJlYW0KZW5kb2JqCjUgMCBv"
    "YmoKPDwKL0Jhc2VGb250IC9IZWx2ZXRpY2EKL0VuY29kaW5nIC9XaW5BbnNpRW5jb2RpbmcKL1N1YnR5cGUgL1R5cGUxCi9U"
    "eXBlIC9Gb250Cj4+CmVuZG9iago2IDAgb2JqCjw8Ci9Gb250IDw8L0YxIDUgMCBSPj4KL1Byb2NTZXQgWy9QREYgL1RleHQg"
    "L0ltYWdlQiAvSW1hZ2VDIC9JbWFnZUldCj4+CmVuZG9iago3IDAgb2JqCjw8Ci9DcmVhdGlvbkRhdGUgKEQ6MjAyNjAxMDEw"
    "MDAwMDBaKQo+PgplbmRvYmoKeHJlZgowIDgKMDAwMDAwMDAwMCA2NTUzNSBmIAowMDAwMDAwMDE1IDAwMDAwIG4gCjAwMDAw"
    "MDAxMDIgMDAwMDAgbiAKMDAwMDAwMDIwNSAwMDAwMCBuIAowMDAwMDAwMjg1IDAwMDAwIG4gCjAwMDAwMDA0MjcgMDAwMDAg"
    "biAKMDAwMDAwMDUyNCAwMDAwMCBuIAowMDAwMDAwNjExIDAwMDAwIG4gCnRyYWlsZXIKPDwKL1NpemUgOAovUm9vdCAyIDAg"
    "UgovSW5mbyA3IDAgUgovSUQgWzxDMTBDOTdGMTBFMDhCMkMyQ0QyRENFMkMxQjc5RDIxQj48QzEwQzk3RjEwRTA4QjJDMkNE"
    "MkRDRTJDMUI3OUQyMUI+XQo+PgpzdGFydHhyZWYKNjY2CiUlRU9GCg=="
)
EXAMPLE_LETTER: dict[str, Any] = {
    "department": "finance", "document_type": "invoice",
    "recipient": {"kind": "citizen", "identifier": "85073003328"},
    "language": "nl", "subject": "Uw factuur", "sender_reference": "INV-2026-0001",
    "postal_address": {"name": "Jan Peeters", "street": "Grote Markt", "number": "21", "postcode": "2800",
                       "municipality": "Mechelen"},
    "pdf_base64": EXAMPLE_PDF_BASE64,
}


class LetterRequest(LetterIssuedPayload):
    """A letter to send. `letter_id` is chosen by Loket when left out; `municipality` is your
    API key's."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_LETTER]})  # type: ignore[list-item]

    letter_id: UUID | None = Field(default=None, description="Your id for the letter; Loket makes one if absent.")  # type: ignore[assignment]
    municipality: RefnisCode | None = Field(default=None, description="Defaults to your API key's municipality.")  # type: ignore[assignment]


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    letters: list[LetterRequest] = Field(min_length=1, max_length=MAX_BATCH)


class LetterAccepted(BaseModel):
    letter_id: UUID
    status: PublicStatus = "accepted"
    status_url: str


class BatchItemResult(BaseModel):
    index: int
    status: int = Field(description="202 accepted, or the status a single POST would have answered.")
    letter_id: UUID | None = None
    status_url: str | None = None
    problem: Problem | None = None


class BatchResult(BaseModel):
    accepted: int
    refused: int
    results: list[BatchItemResult]


class HistoryEntry(BaseModel):
    channel: str
    from_state: str | None
    to_state: str
    reason: str | None
    at: dt.datetime


class EboxChannel(BaseModel):
    state: str
    message_id: str | None = None
    delivered_at: dt.datetime | None = None
    read_at: dt.datetime | None = None
    last_error: str | None = None


class PaperChannel(BaseModel):
    state: str
    reason: str | None = None
    print_batch: str | None = None


class Channels(BaseModel):
    ebox: EboxChannel | None = None
    paper: PaperChannel | None = None


class LetterView(BaseModel):
    letter_id: UUID
    municipality: str
    # The sender's own slugs, as it sent them; null while the letter is only accepted.
    department: str | None = Field(default=None, examples=["finance"])
    document_type: str | None = Field(default=None, examples=["tax_assessment"])
    status: PublicStatus
    sender_reference: str | None = None
    routing: str | None = None
    received_at: dt.datetime
    updated_at: dt.datetime | None = None
    ebox_message_id: str | None = None
    print_batch: str | None = None
    channels: Channels = Channels()
    history: list[HistoryEntry] = []


class LetterPage(BaseModel):
    letters: list[LetterView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sender_reference: str | None = Field(default=None, min_length=1, max_length=128)
    status: PublicStatus | None = None
    since: dt.datetime | None = Field(default=None, description="Only letters received at or after this instant.")
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=200)


def dump(model: BaseModel) -> Any:
    return model.model_dump(mode="json", exclude_none=False)
