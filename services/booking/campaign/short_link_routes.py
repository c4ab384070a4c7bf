"""`/b/<campaign>/<point>` and `/b/<campaign>`: the QR code on a paper letter's insert page.

Short, so the QR code stays small and a person can type it from the paper. It carries the
campaign (municipality and quarter) and the nearest point, never anything about the recipient.
Booking counts the visit per municipality (a metric, and CampaignLinkVisited for reporting's
funnel, neither tied to a person) and sends the citizen on: to the booking page of
that point prefilled for an eBox activation, or to the finder when the insert named no point
(or the point has gone meanwhile).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from prometheus_client import Counter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from loket.contracts.appointments import CampaignLinkVisited
from loket.contracts.values import CAMPAIGN_PATTERN
from loket.infra.runtime import Runtime
from services.booking.http.rate_limit import RateLimit
from services.booking.page.rendering import LANGUAGES, too_many_requests
from services.booking.points.repository import point_by_id

CAMPAIGN = re.compile(CAMPAIGN_PATTERN)
SERVICE = "ebox_activation"


def short_link_routes(runtime: Runtime, visits: Counter, limiter: RateLimit,
                      clock: Callable[[], dt.datetime]) -> list[BaseRoute]:
    async def visit(request: Request) -> Response:
        if refusal := await too_many_requests(request, limiter):  # each visit writes a row: not for scripts
            return refusal
        campaign = request.path_params["campaign"]
        lang = request.query_params.get("lang", "")
        if not CAMPAIGN.match(campaign):
            # Typed from the paper with a slip: the finder still helps (it was a line of plain
            # English text); not counted, no campaign named.
            return RedirectResponse(f"/public/find?{urlencode({'lang': lang} if lang in LANGUAGES else {})}",
                                    status_code=303)
        municipality = campaign[1:6]  # the REFNIS code after the "i"
        visits.labels(municipality).inc()
        language = {"lang": lang, "help_language": lang} if lang in LANGUAGES else {}
        point_id = request.path_params.get("point_id")
        async with runtime.db().acquire() as conn, conn.transaction():
            point = await point_by_id(conn, runtime.schema, point_id) if point_id else None
            offered = point is not None and point.offers(SERVICE, None)
            await runtime.outbox.append(conn, CampaignLinkVisited(producer="booking", payload={
                "visit_id": uuid.uuid4(), "campaign": campaign, "municipality": municipality,
                "point_id": point_id if offered else None, "visited_at": clock()}))
        if point is not None and offered:
            if "help_language" in language and language["help_language"] not in point.languages:
                language.pop("help_language")
            query = {"service": SERVICE, "campaign": campaign, **language}
            if "help_language" not in query:
                query["help_language"] = point.languages[0]
            return RedirectResponse(f"/public/book/points/{point_id}?{urlencode(query)}", status_code=303)
        postcode = request.query_params.get("postcode", "")
        query = {"campaign": campaign, **({"lang": lang} if lang in LANGUAGES else {}),
                 **({"postcode": postcode} if re.fullmatch(r"[1-9][0-9]{3}", postcode) else {})}
        return RedirectResponse(f"/public/find?{urlencode(query)}", status_code=303)

    return [Route("/b/{campaign}", visit, methods=["GET"]), Route("/b/{campaign}/{point_id}", visit, methods=["GET"])]
