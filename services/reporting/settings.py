"""Settings of the reporting service (environment variables `LOKET_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from loket.infra.secret_strength import strong_secret
from loket.infra.settings import ServiceSettings

PSEUDONYM_SECRET_MIN = 24


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
        # An HMAC key anyone could guess would let them recompute every citizen's pseudonym.
        if self.reporting_pseudonym_secret_file is not None:
            secret = self.reporting_pseudonym_secret_file.read_text().strip()
            return strong_secret(str(self.reporting_pseudonym_secret_file), secret, PSEUDONYM_SECRET_MIN).encode()
        if self.reporting_pseudonym_secret:
            return strong_secret("LOKET_REPORTING_PSEUDONYM_SECRET", self.reporting_pseudonym_secret,
                                 PSEUDONYM_SECRET_MIN).encode()
        raise RuntimeError("set LOKET_REPORTING_PSEUDONYM_SECRET or LOKET_REPORTING_PSEUDONYM_SECRET_FILE "
                           "(`loket up` makes one in its data directory)")
