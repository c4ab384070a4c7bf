"""Settings of the notify service (environment variables `LOKET_*`)."""

from __future__ import annotations

from services.infra.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    port: int = 8102
