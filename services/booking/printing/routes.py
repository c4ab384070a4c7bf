"""`POST /staff/visits/{visit_id}/prints`: counter staff record the pages a citizen printed
during a visit; the answer says how many of the visit's pages so far were free and how many were
over the point's quota."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from loket.infra.runtime import Runtime
from services.booking.http.endpoint import Endpoint, uuid_path
from services.booking.http.scopes import COUNTER, InPath
from services.booking.printing.service import MOST_AT_ONCE, Printing

VISIT = {"visit_id": {"type": "string", "format": "uuid"}}


class PrintRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pages: int = Field(ge=1, le=MOST_AT_ONCE, description="Pages printed just now (added to the visit's count).")


class PrintView(BaseModel):
    visit_id: uuid.UUID
    pages_printed: int = Field(description="Pages printed in the visit so far.")
    free_pages: int = Field(description="Of those, within the point's free quota.")
    pages_over_quota: int = Field(description="Of those, beyond the quota.")
    free_pages_per_visit: int = Field(description="The point's free quota per visit.")


def print_endpoints(runtime: Runtime, printing: Printing, clock: Callable[[], dt.datetime]) -> list[Endpoint]:
    db = runtime.db

    async def record_prints(request: Request, body: PrintRequest) -> BaseModel:
        visit_id = uuid_path(request, "visit_id", "visit")
        async with db().acquire() as conn, conn.transaction():
            count = await printing.record(conn, visit_id, body.pages, clock())
        return PrintView(visit_id=visit_id, pages_printed=count.pages, free_pages=count.free,
                         pages_over_quota=count.over_quota, free_pages_per_visit=count.quota)

    return [
        Endpoint("POST", "/staff/visits/{visit_id}/prints", record_prints, "Count pages printed during a visit",
                 COUNTER, body=PrintRequest, response=PrintView, errors=(404, 409, 422), tag="queue",
                 extra={"path": VISIT}, scope=InPath("visit_id", "visit")),
    ]
