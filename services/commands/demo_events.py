"""Visits at real assistance points, as booking will record them (for the platform demo).

Until booking's own domain lands (its issue), the demo writes these events through booking's
outbox exactly as a booking handler would, so the platform path (outbox → relay → bus) is real.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from services.contracts import Event, VisitEnded, VisitStarted

POINTS = [  # (point id, REFNIS, kind, language)
    ("mechelen-stadhuis", "12025", "municipal_counter", "nl"),
    ("etterbeek-eps", "21005", "public_digital_space", "fr"),
    ("eupen-digibank", "63023", "digibank", "de"),
    ("jurbise-bpost", "53044", "post_office", "fr"),
]
TOPICS = ["ebox", "itsme", "tax_on_web", "residence_certificate", "device_basics"]


def a_visit(rng: random.Random, now: datetime) -> list[Event]:
    point, refnis, kind, language = rng.choice(POINTS)
    visit_id = uuid.UUID(int=rng.getrandbits(128))
    started = now - timedelta(minutes=rng.randint(5, 600))
    duration = rng.randint(300, 2400)
    common = {"visit_id": visit_id, "point_id": point, "municipality": refnis, "point_kind": kind}
    begin = VisitStarted(producer="booking", payload={
        **common, "helper_id": f"helper-{rng.randint(1, 20)}", "waited_seconds": rng.randint(0, 1800),
        "language": language, "started_at": started,
    })
    end = VisitEnded(producer="booking", **Event.caused_by(begin), payload={
        **common, "topic": rng.choice(TOPICS), "language": language,
        "outcome": rng.choices(["resolved", "referred", "needs_appointment"], [8, 1, 1])[0],
        "duration_seconds": duration, "ended_at": started + timedelta(seconds=duration),
    })
    return [begin, end]


def demo_visits(count: int, seed: int = 2025) -> list[Event]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    return [event for _ in range(count) for event in a_visit(rng, now)]
