"""The message registry: publish (v3, multipart + Idempotency-Key) and the status search."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from loket.simulators.ebox.errors import EboxError, invalid_input
from loket.simulators.ebox.message_to_publish import validate
from loket.simulators.ebox.multipart_body import parse_parts
from loket.simulators.ebox.state import SimState

NO_DIGITAL_USER = "The recipient has never activated an eBox; the message is kept nevertheless"


async def publish(request: Request) -> JSONResponse:
    sim: SimState = request.app.state.sim
    sim.tokens.require(request.headers.get("authorization"), sim.settings.publish_scope)
    await sim.faults.before()
    key = request.headers.get("idempotency-key", "").strip()
    if not key:
        raise invalid_input("the Idempotency-Key header is required")
    body = await request.body()
    # A repeat is refused before validation, whatever it carries: the key already made a message.
    original = sim.mailbox.note_attempt(key)
    if original is not None:
        raise EboxError(
            409,
            "ALREADY_PUBLISHED",
            "a message was already published with this Idempotency-Key",
            messageId=original,
        )
    parts = parse_parts(request.headers.get("content-type", ""), body)
    publication = validate(parts, sim.settings.authorised_senders())
    digital = sim.recipients(publication.recipient_kind).is_digital(publication.ssin)
    message = sim.mailbox.publish(key, publication.ssin, publication.main_content, digital, publication.sender,
                                  publication.recipient_kind)
    await sim.faults.after_publish()
    answer: dict[str, object] = {
        "messageId": message.message_id,
        "expirationDate": message.expiration_date,
    }
    if not digital:
        answer |= {"code": "NO_DIGITAL_USER", "message": NO_DIGITAL_USER}
    return JSONResponse(answer, status_code=201)


async def search_status(request: Request) -> JSONResponse:
    """MessagesStatusRequest `[{messageId, eboxId}]` → MessagesStatusList (201, as the reference)."""
    sim: SimState = request.app.state.sim
    sim.tokens.require(request.headers.get("authorization"), sim.settings.publish_scope)
    await sim.faults.before()
    try:
        wanted = json.loads(await request.body())
    except ValueError as exc:
        raise invalid_input("the body must be JSON") from exc
    if not isinstance(wanted, list) or not wanted or len(wanted) > sim.settings.max_lookup_batch:
        raise invalid_input(f"send 1 to {sim.settings.max_lookup_batch} messageId/eboxId pairs")
    found = []
    for item in wanted:
        if not isinstance(item, dict) or not isinstance(item.get("messageId"), str):
            raise invalid_input("every item needs a messageId")
        message = sim.mailbox.messages.get(item["messageId"])
        if message is not None:
            found.append(sim.mailbox.status(message))
    if not found:
        raise EboxError(404, "MESSAGE_NOT_FOUND", "none of the messages is known")
    return JSONResponse(found, status_code=201)


routes = [
    Route("/messageRegistry/v3/ebox/messages", publish, methods=["POST"]),
    Route("/messageRegistry/v3/searchMessageStatus", search_status, methods=["POST"]),
]
