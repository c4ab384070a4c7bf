"""All workspace routes, built from the booking service's use cases (one registration line in
the service's composition root), and the paths the auth middleware must know about."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Route

from loket.contracts.values import utc_now
from loket.infra.http.signin.cookies import CookiePolicy
from loket.infra.identity.key_verifier import KeyVerifier
from loket.infra.runtime import Runtime
from services.booking.queue.counter import CallRules, Counter
from services.booking.use_cases import Booking
from services.booking.workspace.counter_routes import COUNTER_PAGES, counter_routes
from services.booking.workspace.dashboard_routes import DASHBOARD_PAGES, dashboard_routes
from services.booking.workspace.device_access import DeviceAccess
from services.booking.workspace.device_link_routes import DEVICE_PAGES, device_link_routes
from services.booking.workspace.display_routes import display_routes
from services.booking.workspace.feed import CallFeed
from services.booking.workspace.inventory_routes import INVENTORY_PAGES, inventory_routes
from services.booking.workspace.kiosk_routes import kiosk_routes
from services.booking.workspace.point_settings_routes import SETTINGS_PAGES, point_settings_routes
from services.booking.workspace.rota_routes import ROTA_PAGES, SHIFT_PAGES, rota_routes
from services.booking.workspace.seat_routes import SEAT_PAGES, seat_routes
from services.booking.workspace.turn_near import turn_near_round
from services.booking.workspace.workshop_routes import WORKSHOP_PAGES, workshop_routes

__all__ = ["DEVICE_PREFIXES", "FRONT_DOOR", "PERSON_PAGES", "turn_near_round", "workspace_routes"]

# Pages for signed-in people (session cookie + CSRF). Narrow prefixes: the staff JSON API under
# /staff/points/… must stay bearer-only.
PERSON_PAGES = (COUNTER_PAGES, DASHBOARD_PAGES, DEVICE_PAGES, SHIFT_PAGES, ROTA_PAGES, SETTINGS_PAGES, WORKSHOP_PAGES,
                INVENTORY_PAGES, SEAT_PAGES)
# The workspace's front door for people who type the short address: just these two paths.
FRONT_DOOR = ("/staff", "/staff/")
# Screens without a person: they check their device cookie themselves (`device_access.py`).
DEVICE_PREFIXES = ("/display/", "/kiosk/", "/device/")


def workspace_routes(runtime: Runtime, booking: Booking) -> list[BaseRoute]:
    settings = booking.settings
    counter = Counter(booking.queue, CallRules(settings.booking_counter_max_calls,
                                               dt.timedelta(minutes=settings.booking_missed_recall_minutes)))
    cookies = CookiePolicy(settings.cookie_secure)
    # Device keys expire by the wall clock, like every API key (the middleware's verifier does the same).
    devices = DeviceAccess(KeyVerifier(runtime.db, utc_now, runtime.changes, runtime.settings.api_key_cache_s), cookies)
    feed = CallFeed(runtime, booking.appointments, booking.clock)
    points = booking.appointments.directory  # the service's point cache
    async def front_door(_: Request) -> RedirectResponse:
        return RedirectResponse(COUNTER_PAGES, 303)  # the point picker, then the counter screen

    return [*(Route(path, front_door, methods=["GET"]) for path in FRONT_DOOR),
            *counter_routes(runtime, counter, booking.appointments, booking.printing, booking.clock),
            *device_link_routes(runtime, points, devices, cookies, utc_now),
            *display_routes(runtime, points, feed, devices),
            *kiosk_routes(runtime, booking.queue, devices, booking.clock),
            *dashboard_routes(runtime, points, booking.rota, booking.clock),
            *rota_routes(runtime, booking.rota, points, booking.clock),
            *point_settings_routes(runtime, points, booking.clock),
            *workshop_routes(runtime, booking.workshops, booking.clock),
            *inventory_routes(runtime, booking.loans, booking.locator, booking.clock),
            *seat_routes(runtime, booking.seats, booking.locator, booking.clock)]
