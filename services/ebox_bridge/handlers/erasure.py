"""`CitizenErasureRequested` → the bridge erases what it holds under the national number: the
settled letters' PDF, number, address and contact, the cached eBox status, and the keyed
digest that ties the campaign's insert decisions to them. A letter still in flight keeps them
until it is delivered or posted (the request does not stop a legal obligation half-way); it is
marked with the request and erased the moment it settles (`deferred_erasure.py`). Logged by
count, never by number."""

from __future__ import annotations

import logging

from loket.contracts.citizens import CitizenErasureRequested
from loket.contracts.values import utc_now
from loket.infra.bus.handler_context import HandlerContext
from services.ebox_bridge import status_events
from services.ebox_bridge.campaign import repository as campaign
from services.ebox_bridge.domain.erasure_cause import ErasureCause
from services.ebox_bridge.repository import ebox_status_cache, erasure_requests, letters

log = logging.getLogger(__name__)


class ErasureHandler:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def __call__(self, event: CitizenErasureRequested, ctx: HandlerContext) -> None:
        number = str(event.payload.national_number)
        erasure_id, cause = event.payload.erasure_id, ErasureCause.of(event)
        await erasure_requests.remember(ctx.conn, self.schema, erasure_id, cause, event.payload.requested_at)
        erased, in_flight = await letters.erase_citizen(ctx.conn, self.schema, number, erasure_id)
        await ebox_status_cache.forget(ctx.conn, self.schema, number)
        await campaign.forget_recipient(ctx.conn, self.schema, number)
        # Said per letter, so notify erases the contact details of its messages about them
        # (it keeps them by letter, not by national number).
        now = utc_now()
        await ctx.emit(*(status_events.recipient_erased(letter_id, municipality, erasure_id, cause, now)
                         for letter_id, municipality in erased))
        log.info("erasure %s: %d letters erased, %d still in flight (erased once they settle)",
                 erasure_id, len(erased), in_flight)
