"""Contract events about a notification's outcome on its current channel."""

from __future__ import annotations

import datetime as dt

from loket.contracts.notifications import (
    FailureStatus,
    NotificationDelivered,
    NotificationDeliveredPayload,
    NotificationFailed,
    NotificationFailedPayload,
    NotificationSent,
    NotificationSentPayload,
)
from services.notify.repository import Notification

PRODUCER = "notify"


def _ref(n: Notification) -> dict[str, object]:
    return {"notification_id": n.channel_notification_id(), "kind": n.kind, "channel": n.channel,
            "trigger_aggregate_id": n.trigger_aggregate_id[:128]}


def sent(n: Notification, at: dt.datetime) -> NotificationSent:
    return NotificationSent(producer=PRODUCER, payload=NotificationSentPayload(
        **_ref(n), municipality=n.municipality, trigger_event_id=n.trigger_event_id, language=n.language, sent_at=at))


def delivered(n: Notification, at: dt.datetime) -> NotificationDelivered:
    return NotificationDelivered(producer=PRODUCER, payload=NotificationDeliveredPayload(**_ref(n), delivered_at=at))


def failed(n: Notification, status: FailureStatus, reason: str, at: dt.datetime) -> NotificationFailed:
    return NotificationFailed(producer=PRODUCER, payload=NotificationFailedPayload(
        **_ref(n), status=status, reason=reason[:1000] or status, failed_at=at))
