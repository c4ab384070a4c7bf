"""Settings of the reporting service (environment variables `LOKET_*`)."""

from __future__ import annotations

from services.infra.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    port: int = 8104
