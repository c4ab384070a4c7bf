"""Settings of the ebox_bridge service (environment variables `LOKET_*`)."""

from __future__ import annotations

from services.infra.settings import ServiceSettings


class EboxBridgeSettings(ServiceSettings):
    port: int = 8103
