"""Booking's domain metrics. Labels are closed sets (point kind, channel of booking, reason),
never a point id or a citizen, so cardinality stays fixed however many points exist."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class BookingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.bookings = Counter("loket_bookings_total", "Appointments booked", ["via"], registry=registry)
        self.campaign_visits = Counter("loket_booking_campaign_visits_total",
                                       "Visits through the QR code of a paper letter's eBox insert, by municipality",
                                       ["municipality"], registry=registry)
        self.booking_replays = Counter("loket_booking_replays_total",
                                       "Bookings answered from an earlier identical request (Idempotency-Key)",
                                       registry=registry)
        self.cancellations = Counter("loket_booking_cancellations_total", "Appointments cancelled", ["reason"],
                                     registry=registry)
        self.no_shows = Counter("loket_booking_no_shows_total", "Appointments nobody came to", registry=registry)
        self.http_errors = Counter("loket_booking_http_errors_total", "Booking API answers with a 5xx status",
                                   registry=registry)
        self.queue_length = Gauge("loket_queue_length", "Walk-in tickets waiting, by point kind", ["point_kind"],
                                  registry=registry)
        self.queue_wait = Histogram("loket_queue_wait_seconds", "Wait from ticket to visit start, by point kind",
                                    ["point_kind"], buckets=(60, 300, 600, 900, 1800, 2700, 3600, 5400, 7200),
                                    registry=registry)
        self.helper_utilisation = Gauge("loket_helper_utilisation_ratio",
                                        "Booked share of today's helper shift time, by point kind", ["point_kind"],
                                        registry=registry)
        self.devices_on_loan = Gauge("loket_devices_on_loan", "Devices lent out", registry=registry)
        self.devices_overdue = Gauge("loket_devices_overdue", "Loans past their due date", registry=registry)
        self.device_utilisation = Gauge("loket_device_utilisation_ratio", "Share of lendable devices lent out",
                                        registry=registry)

    def booked(self, via: str, replayed: bool) -> None:
        if replayed:
            self.booking_replays.inc()
        else:
            self.bookings.labels(via).inc()

    def cancelled(self, reason: str) -> None:
        self.cancellations.labels(reason).inc()
