"""A print house's answer for one batch over HTTP: the parser and the application of
`loket print confirm` (all or nothing, a re-sent answer harmless), with every problem turned
into a 422 entry whose pointer names the bad entry of the body."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import asyncpg

from loket.infra.db.outbox import Outbox
from loket.infra.identity.principal import Principal
from services.ebox_bridge.api.print_house_batches import PrintBatchReading
from services.ebox_bridge.api.print_house_models import ConfirmationResult
from services.ebox_bridge.api.problems import ApiProblem, FieldError
from services.ebox_bridge.paper.print_response import (
    STATUSES,
    PrintConfirmation,
    PrintResponseError,
    Where,
    parse_print_text,
)
from services.ebox_bridge.print_confirmations import apply_confirmations


class PrintConfirming:
    def __init__(self, schema: str, pool: Callable[[], asyncpg.Pool], outbox: Outbox, reading: PrintBatchReading,
                 clock: Callable[[], dt.datetime]) -> None:
        self.schema, self.pool, self.outbox, self.reading, self.clock = schema, pool, outbox, reading, clock

    async def confirm(self, principal: Principal, batch_id: str, text: str, as_json: bool) -> ConfirmationResult:
        # Whose batch it is first: another municipality's batch is unknown, whatever the body says.
        batch = (await self.reading.batch(principal, batch_id, "")).batch_id
        try:
            # A large answer is CPU work: off the event loop.
            confirmations = await asyncio.to_thread(parse_print_text, text, as_json)
        except PrintResponseError as exc:
            raise _invalid([FieldError(pointer=_pointer(p.where), detail=p.detail) for p in exc.problems]) from None
        async with self.pool().acquire() as conn, conn.transaction():
            result = await apply_confirmations(conn, self.schema, self.outbox, confirmations, self.clock(),
                                               batch_id=batch)
            if result.problems:
                # Raising rolls the transaction back: nothing of a bad answer is recorded.
                raise _invalid([FieldError(pointer=_pointer(_where(confirmations, p.entry)), detail=p.detail)
                                for p in result.problems])
        return ConfirmationResult(batch_id=batch, recorded={s: result.applied[s] for s in STATUSES},
                                  already_known=result.skipped)


def _where(confirmations: list[PrintConfirmation], entry: int) -> Where | None:
    return confirmations[entry - 1].where


def _pointer(where: Where | None) -> str:
    """A JSON pointer (RFC 6901) to the entry in a JSON body; for text/csv, the RFC 7111 fragment
    `row=N` of the record on line N (the header is row 1); '' for the body as a whole."""
    if where is None:
        return ""
    if where.line is not None:
        return f"row={where.line}"
    return f"/letters/{where.index}" if where.in_object else f"/{where.index}"


def _invalid(errors: list[FieldError]) -> ApiProblem:
    detail = "; ".join(f"{e.pointer or '/'}: {e.detail}" for e in errors[:20])
    more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
    return ApiProblem(422, "Invalid print confirmations", f"nothing was recorded: {detail}{more}", errors)
