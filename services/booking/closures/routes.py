"""`POST /backoffice/points/{point_id}/closures`: close a point for a day.

One transaction: the day becomes an exception with no opening hours, every live appointment
that day is cancelled with the reason `point_closed` (notify tells each citizen), and the
answer lists how many were cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request

from loket.infra.runtime import Runtime
from services.booking.appointments import repository as repo
from services.booking.appointments.api_models import IsoDate
from services.booking.appointments.repository import LIVE
from services.booking.appointments.service import Appointments
from services.booking.calendar.local_time import local_instant
from services.booking.cancellation import Cancellation
from services.booking.http.endpoint import Endpoint
from services.booking.http.scopes import MANAGERS, InPath
from services.booking.metrics import BookingMetrics
from services.booking.points.repository import upsert_points


class ClosureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: IsoDate


class ClosureResult(BaseModel):
    point_id: str
    day: dt.date
    cancelled: int


def closure_endpoints(runtime: Runtime, appointments: Appointments, cancellation: Cancellation,
                      metrics: BookingMetrics, clock: Callable[[], dt.datetime]) -> list[Endpoint]:
    async def close_point_for_a_day(request: Request, body: ClosureRequest) -> BaseModel:
        point_id, now = request.path_params["point_id"], clock()
        async with runtime.db().acquire() as conn, conn.transaction():
            point = await appointments.point(conn, point_id)
            closed = point.model_copy(update={"exceptions": {**point.exceptions, body.day: []}})
            await upsert_points(conn, runtime.schema, [closed])
            day_start = local_instant(body.day, dt.time())
            affected = await repo.of_point_between(conn, runtime.schema, point_id, day_start,
                                                   local_instant(body.day + dt.timedelta(days=1), dt.time()), LIVE)
            for appointment in affected:
                await cancellation.cancel(conn, appointment, "point_closed", now, by_citizen=False)
        appointments.directory.forget(point_id)
        for _ in affected:
            metrics.cancelled("point_closed")
        return ClosureResult(point_id=point_id, day=body.day, cancelled=len(affected))

    return [Endpoint("POST", "/backoffice/points/{point_id}/closures", close_point_for_a_day,
                     "Close a point for a day and cancel its appointments", MANAGERS, body=ClosureRequest,
                     response=ClosureResult, errors=(404,), tag="backoffice",
                     extra={"path": {"point_id": {"type": "string", "minLength": 1, "examples": ["mechelen-stadhuis"]}}}, scope=InPath("point_id", "assistance point"))]
