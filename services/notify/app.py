"""Composition root of the notify service: multilingual SMS and e-mail notifications and
reminders. `create_app(settings)` is the only place the service's objects are built."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette

from loket.contracts import Event, topics
from loket.contracts.appointments import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentNoShow,
    AppointmentRescheduled,
    AppointmentSlotOffered,
    PhoneCodeRequested,
)
from loket.contracts.devices import (
    DeviceAvailable,
    DeviceLent,
    DeviceLoanOverdue,
    DeviceLoanRenewed,
    DeviceReturned,
)
from loket.contracts.letter_status import (
    LetterCancelled,
    LetterDeliveredToEbox,
    LetterQueuedForPrint,
    LetterRead,
    LetterRecipientErased,
    LetterReturned,
    LetterUnreadEscalated,
)
from loket.contracts.values import utc_now
from loket.contracts.visits import WalkInTurnNear
from loket.contracts.workshops import (
    WorkshopPlaceOffered,
    WorkshopRegistered,
    WorkshopRegistrationCancelled,
)
from loket.infra.db.plain_digests import keying_at_start
from loket.infra.http.openapi_document import openapi_route
from loket.infra.identity.tenant_directory import TenantDirectory
from loket.infra.retention.job import Purge, tenant_setting
from loket.infra.runtime import Runtime
from loket.infra.service_app import ServiceSpec, Subscription, build_runtime, build_service_app
from services.notify.channels import Channels
from services.notify.dispatcher import Dispatcher
from services.notify.erasure import ForgetLetterContacts
from services.notify.handlers import PlanMessages
from services.notify.metrics import NotifyMetrics
from services.notify.openapi import notify_openapi
from services.notify.opt_outs import opt_out_routes
from services.notify.outcomes import Outcomes
from services.notify.providers.email import EmailSender
from services.notify.providers.sms import SmsProvider
from services.notify.receipts import receipt_routes
from services.notify.repository import NotifyRepository
from services.notify.sending_rules import SendingRules
from services.notify.sms_senders import SmsSenders
from services.notify.token_bucket import TokenBucket

from .settings import NotifySettings

NAME = "notify"
Clock = Callable[[], dt.datetime]
log = logging.getLogger(__name__)
APPOINTMENT_TRIGGERS = (AppointmentBooked, AppointmentRescheduled, AppointmentCancelled, AppointmentNoShow,
                        AppointmentSlotOffered, PhoneCodeRequested,
                        WorkshopRegistered, WorkshopPlaceOffered, WorkshopRegistrationCancelled)
# Lending and renewing plan a reminder before the due date, a return drops it; overdue loans and
# a device offered to whoever waited cause a message at once.
DEVICE_TRIGGERS = (DeviceLent, DeviceLoanRenewed, DeviceReturned, DeviceLoanOverdue, DeviceAvailable)
# Delivered, escalated and returned letters cause messages; reading, printing or withdrawing one
# drops its waiting nudge.
LETTER_TRIGGERS = (LetterDeliveredToEbox, LetterUnreadEscalated, LetterRead, LetterQueuedForPrint, LetterCancelled,
                   LetterReturned)


def service_spec(settings: NotifySettings | None = None, clock: Clock = utc_now, *,
                 runtime: Runtime | None = None) -> ServiceSpec:
    """Without settings and a runtime (migrate, asyncapi) only the wiring that documents the
    service is built; with them every object of the service, once."""
    spec = ServiceSpec(name=NAME, migrations=Path(__file__).parent / "migrations", publishes=(topics.NOTIFICATIONS,),
                       # The SMS provider posts receipts with its own shared secret, not a user token.
                       open_path_prefixes=("/receipts/",))
    groups = [(topics.APPOINTMENTS, "appointments", APPOINTMENT_TRIGGERS), (topics.DEVICES, "devices", DEVICE_TRIGGERS),
              (topics.LETTERS_STATUS, "letters", LETTER_TRIGGERS), (topics.VISITS, "visits", (WalkInTurnNear,))]
    if settings is None or runtime is None:
        spec.subscriptions = [Subscription(topic, f"{NAME}.{group}", {}) for topic, group, _ in groups]
        return spec
    metrics = NotifyMetrics(runtime.registry)
    repository = NotifyRepository(runtime.schema, settings.contact_keys(NAME))
    planner = PlanMessages(repository, settings, clock)
    forget = ForgetLetterContacts(repository)

    def handlers(topic: str, types: tuple[type[Event], ...]) -> dict[type[Event], Any]:
        chosen: dict[type[Event], Any] = dict.fromkeys(types, planner)
        if topic == topics.LETTERS_STATUS:
            chosen[LetterRecipientErased] = forget  # a citizen's erasure reaches their letters' messages
        return chosen

    spec.subscriptions = [Subscription(topic, f"{NAME}.{group}", handlers(topic, types)) for topic, group, types in groups]
    outcomes = Outcomes(repository, settings, metrics)
    channels = Channels(_sms_provider(settings), _email_sender(settings),
                        TokenBucket(runtime.db, runtime.schema, settings.provider_rate_per_s,
                                    settings.provider_burst))
    rules = SendingRules(settings.quiet_hours, settings.citizen_max_per_hour, metrics, settings.citizen_max_per_day,
                         settings.sms_prefix_max_per_day)
    # The tenants are the bridge's to import; notify only reads each municipality's SMS sender.
    senders = SmsSenders(TenantDirectory(None, settings.tenants_refresh_s, changes=runtime.changes))
    dispatcher = Dispatcher(runtime.db, runtime.outbox, repository, channels, rules, outcomes, senders, settings,
                            metrics, clock)

    async def dispatch(_: Runtime) -> None:
        await dispatcher.run()

    document = notify_openapi()
    spec.routes = lambda _: [*receipt_routes(runtime, repository, outcomes, settings.sms_receipts_token, clock),
                             *opt_out_routes(runtime, repository), openapi_route(document)]

    spec.background = [dispatch]
    spec.on_start = [keying_at_start(NAME, repository.key_plain_contact_digests)]
    # After their retention period messages keep what was sent and how it ended, not to whom.
    spec.retention = [Purge("notification_contact", tenant_setting("contact_days"), repository.erase_past_contacts)]
    return spec


def _sms_provider(settings: NotifySettings) -> SmsProvider | None:
    key = settings.sms_key()
    if settings.sms_url and key:
        return SmsProvider(settings.sms_url, key, settings.sms_sender, settings.send_timeout_s)
    log.error("no SMS provider configured (LOKET_SMS_URL / LOKET_SMS_API_KEY): SMS fall back to e-mail")
    return None


def _email_sender(settings: NotifySettings) -> EmailSender | None:
    if settings.smtp_host:
        return EmailSender(settings.smtp_host, settings.smtp_port, settings.email_from, settings.smtp_username,
                           settings.smtp_password, settings.smtp_starttls, settings.smtp_tls, settings.send_timeout_s)
    log.error("no mail server configured (LOKET_SMTP_HOST): e-mail cannot be sent")
    return None


def create_app(settings: NotifySettings | None = None, clock: Clock = utc_now) -> Starlette:
    settings = settings or NotifySettings()
    runtime = build_runtime(NAME, settings, CollectorRegistry())
    return build_service_app(service_spec(settings, clock, runtime=runtime), runtime)
