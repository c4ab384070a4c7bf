"""notify's OpenAPI 3.1 document (served at `/docs/openapi.json`): the SMS provider's delivery
receipts and the opt-outs. notify's handlers are plain Starlette routes, so they are described
here, once; `tests/integration/test_notify_openapi.py` fails when a route is served without an
entry here, and schemathesis checks the answers against it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from loket.infra.http.openapi_document import Answer, Operation, bearer_scheme, openapi_document
from services.notify.opt_outs import RECORDERS, OptedOut, OptOutRequest

TITLE = "Loket notify API"
RECEIPT_TOKEN_HEADER = "X-Receipt-Token"
# Paths served for people, not clients (the shared sign-in pages): left out of the document.
PAGES: tuple[str, ...] = ()


class SmsReceipt(BaseModel):
    """A delivery receipt, as the SMS provider posts it for a message it accepted."""

    id: str = Field(min_length=1, max_length=255,
                    description="The provider's id of the message (answered when it was sent)")
    status: Literal["delivered", "permanent-failure", "temporary-failure"]
    reason: str | None = Field(default=None, description="Why it failed, in the provider's words")


class ReceiptAnswer(BaseModel):
    status: str = Field(description="The receipt's status; for an ignored receipt the message's own (final) status")
    held: bool | None = Field(default=None, description="true: the send it answers is not recorded yet; "
                                                        "it is applied when it is")
    ignored: bool | None = Field(default=None, description="true: the message was final already (or not an "
                                                           "SMS); nothing changed, a retry is harmless")


OPERATIONS = (
    Operation(
        "POST", "/receipts/sms", "sms_receipt", "A delivery receipt from the SMS provider", "receipts",
        security=("receiptToken",), body=SmsReceipt,
        description="Posted by the SMS provider with the shared secret in X-Receipt-Token "
                    "(LOKET_SMS_RECEIPTS_TOKEN), not by Loket users.",
        answers=(Answer(200, "Applied, or ignored for a message already final", ReceiptAnswer),
                 Answer(202, "Held until the send it answers is recorded", ReceiptAnswer)),
        errors={400: "The body is not JSON {id, status, reason?}", 401: "Missing or wrong X-Receipt-Token",
                413: "Body too large", 422: "Unknown status"}),
    Operation(
        "POST", "/opt-outs", "opt_out", "Record that a citizen wants no more messages", "opt-outs",
        body=OptOutRequest,
        description=f"Roles: {', '.join(sorted(RECORDERS))} (and the operator). Only a hash of the "
                    "number or address is kept; it holds for every municipality.",
        answers=(Answer(201, "Recorded (again: recording twice is harmless)", OptedOut),),
        errors={400: "The body is not JSON", 401: "Missing or invalid token", 403: "Role not allowed",
                413: "Body too large", 422: "Neither a valid phone number nor a valid e-mail address"}),
)


def notify_openapi() -> dict[str, Any]:
    return openapi_document(
        TITLE,
        "Multilingual SMS and e-mail notifications: delivery receipts from the SMS provider and citizens' "
        "opt-outs. Errors are RFC 9457 problem details. Not described here: the shared sign-in pages "
        "(/signin…, for people), /health/*, /metrics, /docs/asyncapi (the events notify consumes and "
        "publishes) and this document.",
        OPERATIONS,
        {"bearer": bearer_scheme("A configured token or an API key (`loket keys create`) of a volunteer, staff, "
                                 "point manager, municipality administrator, back-office system or the operator"),
         "receiptToken": {"type": "apiKey", "in": "header", "name": RECEIPT_TOKEN_HEADER,
                          "description": "The secret shared with the SMS provider (LOKET_SMS_RECEIPTS_TOKEN)"}},
    )
