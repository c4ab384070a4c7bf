"""Settings of the booking service (environment variables `LOKET_*`)."""

from __future__ import annotations

from services.infra.settings import ServiceSettings


class BookingSettings(ServiceSettings):
    port: int = 8101
