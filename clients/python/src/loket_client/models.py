"""What the API answers, as typed dataclasses (read from its JSON; fields the API adds later
are ignored rather than refused, so an older client keeps working), and what it takes."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict

from loket_client.errors import ApiError

LetterStatus = Literal["accepted", "in_progress", "delivered_to_ebox", "read", "queued_for_print", "printed",
                       "posted", "returned", "failed", "cancelled"]
SETTLED: frozenset[str] = frozenset({"delivered_to_ebox", "read", "printed", "posted", "returned", "failed",
                                     "cancelled"})


class PostalAddress(TypedDict):
    name: str
    street: str
    number: str
    postcode: str
    municipality: str
    box: NotRequired[str]
    country: NotRequired[str]


class Recipient(TypedDict):
    """A citizen by national register or BIS number, or an enterprise by KBO/BCE number."""

    kind: Literal["citizen", "enterprise"]
    identifier: str


class LetterRequest(TypedDict, total=False):
    """A letter to send; the API's OpenAPI document (`/docs/openapi.json`) is the full reference.
    Exactly one of `recipient` and (deprecated, citizens only) `recipient_national_number`."""

    letter_id: str
    department: str
    document_type: str
    recipient: Recipient
    recipient_national_number: str
    language: str
    subject: str
    sender_reference: str
    postal_address: PostalAddress
    pdf_base64: str


def with_pdf(letter: LetterRequest | dict[str, Any], pdf: bytes) -> dict[str, Any]:
    """The letter with its PDF inline (base64), as JSON requests and batches carry it."""
    return {**letter, "pdf_base64": base64.b64encode(pdf).decode()}


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _required_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


@dataclass(frozen=True)
class LetterAccepted:
    letter_id: str
    status: str
    status_url: str

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> LetterAccepted:
        return cls(letter_id=body["letter_id"], status=body.get("status", "accepted"), status_url=body["status_url"])


@dataclass(frozen=True)
class HistoryEntry:
    channel: str
    from_state: str | None
    to_state: str
    reason: str | None
    at: dt.datetime

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> HistoryEntry:
        return cls(channel=body["channel"], from_state=body.get("from_state"), to_state=body["to_state"],
                   reason=body.get("reason"), at=_required_time(body["at"]))


@dataclass(frozen=True)
class EboxChannel:
    state: str
    message_id: str | None = None
    delivered_at: dt.datetime | None = None
    read_at: dt.datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class PaperChannel:
    state: str
    reason: str | None = None
    print_batch: str | None = None


@dataclass(frozen=True)
class LetterView:
    letter_id: str
    municipality: str
    status: LetterStatus
    received_at: dt.datetime
    sender_reference: str | None = None
    department: str | None = None  # as you sent it; None while the letter is only accepted
    document_type: str | None = None
    routing: str | None = None
    updated_at: dt.datetime | None = None
    ebox_message_id: str | None = None
    print_batch: str | None = None
    ebox: EboxChannel | None = None
    paper: PaperChannel | None = None
    history: list[HistoryEntry] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        """In a state it stays in unless something outside happens (read, returned)."""
        return self.status in SETTLED

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> LetterView:
        channels = body.get("channels") or {}
        ebox, paper = channels.get("ebox"), channels.get("paper")
        return cls(
            letter_id=body["letter_id"], municipality=body["municipality"], status=body["status"],
            received_at=_required_time(body["received_at"]), sender_reference=body.get("sender_reference"),
            department=body.get("department"), document_type=body.get("document_type"), routing=body.get("routing"),
            updated_at=_time(body.get("updated_at")), ebox_message_id=body.get("ebox_message_id"),
            print_batch=body.get("print_batch"),
            ebox=EboxChannel(state=ebox["state"], message_id=ebox.get("message_id"),
                             delivered_at=_time(ebox.get("delivered_at")), read_at=_time(ebox.get("read_at")),
                             last_error=ebox.get("last_error")) if ebox else None,
            paper=PaperChannel(state=paper["state"], reason=paper.get("reason"),
                               print_batch=paper.get("print_batch")) if paper else None,
            history=[HistoryEntry.from_json(h) for h in body.get("history") or []],
        )


@dataclass(frozen=True)
class LetterPage:
    letters: list[LetterView]
    next_cursor: str | None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> LetterPage:
        return cls(letters=[LetterView.from_json(v) for v in body["letters"]], next_cursor=body.get("next_cursor"))


@dataclass(frozen=True)
class BatchItem:
    """One letter of a batch: accepted (`letter_id`) or refused (`error`, as a single POST would raise)."""

    index: int
    status: int
    letter_id: str | None = None
    status_url: str | None = None
    error: ApiError | None = None

    @property
    def accepted(self) -> bool:
        return self.status == 202


@dataclass(frozen=True)
class BatchResult:
    accepted: int
    refused: int
    items: list[BatchItem]

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> BatchResult:
        items = [BatchItem(index=r["index"], status=r["status"], letter_id=r.get("letter_id"),
                           status_url=r.get("status_url"),
                           error=ApiError.from_answer(r["status"], r["problem"]) if r.get("problem") else None)
                 for r in body["results"]]
        return cls(accepted=body["accepted"], refused=body["refused"], items=items)


@dataclass(frozen=True)
class Webhook:
    id: str
    url: str
    event_types: list[str]
    created_at: dt.datetime
    secret: str | None = None  # only in the answer that created it: store it then

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Webhook:
        return cls(id=body["id"], url=body["url"], event_types=list(body["event_types"]), created_at=_required_time(body["created_at"]),
                   secret=body.get("secret"))


@dataclass(frozen=True)
class Delivery:
    id: str  # the webhook-id header: the same on every try
    event_id: str
    event_type: str
    letter_id: str | None
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    next_try_at: dt.datetime | None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Delivery:
        return cls(id=body["id"], event_id=body["event_id"], event_type=body["event_type"],
                   letter_id=body.get("letter_id"), state=body["state"], attempts=body["attempts"],
                   last_status=body.get("last_status"), last_error=body.get("last_error"), created_at=_required_time(body["created_at"]),
                   delivered_at=_time(body.get("delivered_at")), next_try_at=_time(body.get("next_try_at")))
