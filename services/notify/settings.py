"""Settings of the notify service (environment variables `LOKET_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from loket.infra.secret_strength import strong_secret
from loket.infra.settings import ContactKeySettings, ServiceSettings


class NotifySettings(ServiceSettings, ContactKeySettings):
    port: int = 8102
    # SMS provider (HTTP). Unset: `loket up` starts the simulator and sets these.
    sms_url: str | None = Field(default=None, description="SMS provider API base URL")
    sms_api_key: str | None = Field(default=None, description="SMS provider API key")
    sms_api_key_file: Path | None = Field(default=None, description="file holding the SMS API key")
    sms_receipts_token: str | None = Field(default=None, description="secret the provider sends with receipts")
    sms_sender: str = Field(default="Loket", max_length=11)
    # E-mail (SMTP via aiosmtplib).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_tls: bool = False
    email_from: str = "Loket <noreply@loket.example>"
    # Rules.
    reminder_offsets_hours: str = Field(default="24,2", description="reminders before an appointment")
    unread_nudge_days: int = Field(default=7, ge=0, le=14,
                                   description="an important eBox letter still unread this many days after delivery "
                                               "gets a nudge by SMS or e-mail (before the eBox's own reminder at 15 "
                                               "days and the paper copy); 0: no nudge")
    quiet_hours: str = Field(default="21:00-08:00", description="no SMS then (Europe/Brussels); deferred")
    citizen_max_per_hour: int = Field(default=4, ge=1, description="messages to one citizen per rolling hour")
    citizen_max_per_day: int = Field(default=10, ge=1, description="messages to one citizen per rolling day")
    sms_prefix_max_per_day: int = Field(default=300, ge=1, le=100_000,
                                        description="SMS per rolling day to one number prefix (+3247012…): SMS pumping")
    provider_rate_per_s: float = Field(default=100, gt=0, description="the SMS provider's rate, shared by all replicas (one bucket in PostgreSQL)")
    provider_burst: int = Field(default=100, ge=1)
    booking_url: str = Field(default="http://127.0.0.1:8101/public/book", description="link in no-show messages")
    # Dispatching.
    dispatch_batch: int = Field(default=200, ge=1, le=2000)
    dispatch_concurrency: int = Field(default=64, ge=1, le=256, description="sends in flight per process")
    dispatch_workers: int = Field(default=4, ge=1, le=32, description="batches in flight per process")
    notify_dispatch_idle_s: float = Field(default=0.5, gt=0)
    lease_s: float = Field(default=60, gt=0)
    max_attempts: int = Field(default=6, ge=1)
    notify_retry_base_s: float = Field(default=5, gt=0)
    notify_retry_max_s: float = Field(default=900, gt=0)
    send_timeout_s: float = Field(default=10, gt=0)

    @field_validator("sms_api_key", "sms_receipts_token")
    @classmethod
    def _not_a_placeholder(cls, value: str | None, info) -> str | None:  # type: ignore[no-untyped-def]
        return None if value is None else strong_secret(f"LOKET_{info.field_name.upper()}", value)

    def reminder_offsets(self) -> list[float]:
        return sorted((float(h) for h in self.reminder_offsets_hours.split(",") if h.strip()), reverse=True)

    def sms_key(self) -> str | None:
        if self.sms_api_key_file is not None:
            return strong_secret(str(self.sms_api_key_file), self.sms_api_key_file.read_text().strip())
        return self.sms_api_key
