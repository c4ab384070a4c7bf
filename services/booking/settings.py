"""Settings of the booking service (environment variables `LOKET_*`)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from loket.infra.settings import ContactKeySettings, ServiceSettings
from services.booking.availability.slots import BookingRules
from services.booking.rota.rules import RotaRules


class BookingSettings(ServiceSettings, ContactKeySettings):
    port: int = 8101
    booking_min_notice_minutes: int = Field(default=120, ge=0, description="earliest bookable slot from now")
    booking_window_days: int = Field(default=60, ge=1, le=366, description="how far ahead citizens can book")
    booking_slot_step_minutes: int = Field(default=15, ge=5, le=60)
    booking_change_notice_minutes: int = Field(default=120, ge=0,
                                               description="citizens change or cancel online until this before")
    booking_no_show_grace_minutes: int = Field(default=15, ge=0, description="after the start, then no-show")
    booking_public_rate_per_minute: float = Field(default=120, gt=0, description="public API, per client address")
    booking_public_burst: int = Field(default=40, ge=1)
    booking_sweep_interval_s: float = Field(default=15.0, gt=0, description="how often no-shows are looked for")
    booking_waitlist_claim_minutes: int = Field(default=30, ge=1, le=24 * 60,
                                                description="how long a freed slot is held for the next in line")
    booking_counter_max_calls: int = Field(default=3, ge=1, le=10,
                                           description="calls of one person at a counter before they may be marked missed")
    booking_missed_recall_minutes: int = Field(default=5, ge=0, le=240,
                                               description="a missed person may be called again after this")
    booking_turn_near_minutes: int = Field(default=10, ge=1, le=120,
                                           description="text a walk-in when they may be called within this")
    booking_public_url: str = Field(default="http://127.0.0.1:8101",
                                    description="where citizens reach the booking pages (for links in messages)")
    booking_shift_signup_notice_hours: int = Field(default=24, ge=0, le=24 * 14,
                                                   description="volunteers sign up for a shift until this before")
    booking_shift_cancel_notice_hours: int = Field(default=48, ge=0, le=24 * 14,
                                                   description="volunteers cancel their own shift until this before")
    booking_shift_max_per_week: int = Field(default=3, ge=1, le=14,
                                            description="shifts a volunteer may sign up for per week")

    def rules(self) -> BookingRules:
        return BookingRules(min_notice=dt.timedelta(minutes=self.booking_min_notice_minutes),
                            window=dt.timedelta(days=self.booking_window_days),
                            step=dt.timedelta(minutes=self.booking_slot_step_minutes),
                            change_notice=dt.timedelta(minutes=self.booking_change_notice_minutes))

    def rota_rules(self) -> RotaRules:
        return RotaRules(signup_notice=dt.timedelta(hours=self.booking_shift_signup_notice_hours),
                         cancel_notice=dt.timedelta(hours=self.booking_shift_cancel_notice_hours),
                         max_per_week=self.booking_shift_max_per_week)
