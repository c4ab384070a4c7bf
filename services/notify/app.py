"""Composition root of the notify service: multilingual SMS and e-mail notifications and
reminders. `create_app(settings)` is the only place the service's objects are built."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from loket.contracts import topics
from loket.contracts.appointments import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentNoShow,
    AppointmentRescheduled,
    AppointmentSlotOffered,
)
from loket.contracts.devices import DeviceLoanOverdue
from loket.contracts.letter_status import LetterDeliveredToEbox, LetterUnreadEscalated
from loket.contracts.values import utc_now
from loket.infra.db.outbox import Outbox
from loket.infra.runtime import Runtime
from loket.infra.service_app import ServiceSpec, Subscription, build_runtime, build_service_app
from services.notify.dispatcher import Dispatcher
from services.notify.handlers import PlanMessages
from services.notify.metrics import NotifyMetrics
from services.notify.opt_outs import opt_out_routes
from services.notify.providers.email import EmailSender
from services.notify.providers.sms import SmsProvider
from services.notify.receipts import receipt_routes

from .settings import NotifySettings

NAME = "notify"
Clock = Callable[[], dt.datetime]
log = logging.getLogger(__name__)
APPOINTMENT_TRIGGERS = (AppointmentBooked, AppointmentRescheduled, AppointmentCancelled, AppointmentNoShow,
                        AppointmentSlotOffered)
LETTER_TRIGGERS = (LetterDeliveredToEbox, LetterUnreadEscalated)


def service_spec(settings: NotifySettings | None = None, metrics: NotifyMetrics | None = None,
                 clock: Clock = utc_now) -> ServiceSpec:
    """Without settings/metrics (migrate, asyncapi) only the wiring that documents it is built."""
    spec = ServiceSpec(name=NAME, migrations=Path(__file__).parent / "migrations", publishes=(topics.NOTIFICATIONS,),
                       # The SMS provider posts receipts with its own shared secret, not a user token.
                       open_path_prefixes=("/receipts/",))
    groups = [(topics.APPOINTMENTS, "appointments", APPOINTMENT_TRIGGERS), (topics.DEVICES, "devices", (DeviceLoanOverdue,)),
              (topics.LETTERS_STATUS, "letters", LETTER_TRIGGERS)]
    if settings is None or metrics is None:
        spec.subscriptions = [Subscription(topic, f"{NAME}.{group}", {}) for topic, group, _ in groups]
        return spec
    planner = PlanMessages(NAME, settings, clock)
    spec.subscriptions = [Subscription(topic, f"{NAME}.{group}", dict.fromkeys(types, planner))
                          for topic, group, types in groups]
    email = None
    if settings.smtp_host:
        email = EmailSender(settings.smtp_host, settings.smtp_port, settings.email_from, settings.smtp_username,
                            settings.smtp_password, settings.smtp_starttls, settings.smtp_tls, settings.send_timeout_s)
    parts: dict[str, Dispatcher] = {}

    def routes(runtime: Runtime) -> list[BaseRoute]:
        parts["dispatcher"] = Dispatcher(runtime.db, NAME, Outbox(NAME), None, email, settings, metrics, clock)
        return [*receipt_routes(runtime, parts["dispatcher"], settings.sms_receipts_token, clock),
                *opt_out_routes(runtime)]

    async def dispatch(runtime: Runtime) -> None:
        dispatcher = parts["dispatcher"]
        async with contextlib.AsyncExitStack() as stack:
            key = settings.sms_key()
            if settings.sms_url and key:
                dispatcher.sms = await stack.enter_async_context(
                    SmsProvider(settings.sms_url, key, settings.sms_sender, settings.send_timeout_s))
            else:
                log.error("no SMS provider configured (LOKET_SMS_URL / LOKET_SMS_API_KEY): SMS fall back to e-mail")
            if email is None:
                log.error("no mail server configured (LOKET_SMTP_HOST): e-mail cannot be sent")
            await dispatcher.run()

    spec.routes = routes
    spec.background = [dispatch]
    return spec


def create_app(settings: NotifySettings | None = None, clock: Clock = utc_now) -> Starlette:
    settings = settings or NotifySettings()
    registry = CollectorRegistry()
    metrics = NotifyMetrics(registry)
    runtime = build_runtime(NAME, settings, registry)
    return build_service_app(service_spec(settings, metrics, clock), runtime)
