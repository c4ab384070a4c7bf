"""`CitizenErasureRequested` → the bridge erases what it holds under the national number: the
settled letters' PDF, number, address and contact, and the cached eBox status. A letter still
in flight keeps them until it is delivered or posted (the request does not stop a legal
obligation half-way); the retention job purges it after settlement like any other letter (not
sooner: the request is not remembered). Logged by count, never by number."""

from __future__ import annotations

import logging

from loket.contracts.citizens import CitizenErasureRequested
from loket.infra.bus.handler_context import HandlerContext
from services.ebox_bridge.repository import ebox_status_cache, letters

log = logging.getLogger(__name__)


class ErasureHandler:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def __call__(self, event: CitizenErasureRequested, ctx: HandlerContext) -> None:
        number = str(event.payload.national_number)
        erased, in_flight = await letters.erase_citizen(ctx.conn, self.schema, number)
        await ebox_status_cache.forget(ctx.conn, self.schema, number)
        log.info("erasure %s: %d letters erased, %d still in flight (purged by retention once settled)",
                 event.payload.erasure_id, erased, in_flight)
