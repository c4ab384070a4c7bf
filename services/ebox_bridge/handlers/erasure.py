"""`CitizenErasureRequested` → the bridge erases what it holds under the national number: the
settled letters' PDF, number, address and contact, the cached eBox status, and the keyed
digest that ties the campaign's insert decisions to them. A letter still
in flight keeps them until it is delivered or posted (the request does not stop a legal
obligation half-way); the retention job purges it after settlement like any other letter (not
sooner: the request is not remembered). Logged by count, never by number."""

from __future__ import annotations

import logging

from loket.contracts.citizens import CitizenErasureRequested
from loket.contracts.values import utc_now
from loket.infra.bus.handler_context import HandlerContext
from services.ebox_bridge import status_events
from services.ebox_bridge.campaign import repository as campaign
from services.ebox_bridge.repository import ebox_status_cache, letters

log = logging.getLogger(__name__)


class ErasureHandler:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def __call__(self, event: CitizenErasureRequested, ctx: HandlerContext) -> None:
        number = str(event.payload.national_number)
        erased, in_flight = await letters.erase_citizen(ctx.conn, self.schema, number)
        await ebox_status_cache.forget(ctx.conn, self.schema, number)
        await campaign.forget_recipient(ctx.conn, self.schema, number)
        # Said per letter, so notify erases the contact details of its messages about them
        # (it keeps them by letter, not by national number).
        now = utc_now()
        await ctx.emit(*(status_events.recipient_erased(letter_id, municipality, event, now)
                         for letter_id, municipality in erased))
        log.info("erasure %s: %d letters erased, %d still in flight (purged by retention once settled)",
                 event.payload.erasure_id, len(erased), in_flight)
