"""Settings of the reporting service (environment variables `LOKET_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from loket.infra.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    port: int = 8104
    reporting_pseudonym_secret: str | None = Field(default=None, description="HMAC key for citizen pseudonyms")
    reporting_pseudonym_secret_file: Path | None = None
    # Cost of a paper letter avoided by the eBox (2025 non-prior stamp, plus print and handling).
    reporting_stamp_eur: float = 1.53
    reporting_print_handling_eur: float = 0.35
    reporting_small_cell: int = Field(default=5, ge=1, description="public figures below this are suppressed")
    reporting_gauge_interval_s: float = Field(default=60, gt=0)

    def pseudonym_secret(self) -> bytes:
        if self.reporting_pseudonym_secret_file is not None:
            return self.reporting_pseudonym_secret_file.read_bytes().strip()
        if self.reporting_pseudonym_secret:
            return self.reporting_pseudonym_secret.encode()
        raise RuntimeError("set LOKET_REPORTING_PSEUDONYM_SECRET or LOKET_REPORTING_PSEUDONYM_SECRET_FILE "
                           "(`loket up` makes one in its data directory)")
