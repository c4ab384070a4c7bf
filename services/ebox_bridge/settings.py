"""Settings of the ebox_bridge service (environment variables `LOKET_*`).

eBox credentials are paths to files (a mounted secret in production, a self-signed pair made by
`loket up` for the simulator): the key itself never sits in an environment dump or the repo.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field, field_validator

from loket.infra.identity.tenants import SHIPPED_TENANTS_FILE
from loket.infra.settings import ServiceSettings
from services.ebox_bridge.ebox_client import EboxClientConfig

DEFAULT_POLICY_FILE = Path(__file__).resolve().parents[2] / "deploy" / "policy" / "rollout.yaml"
DEFAULT_TENANTS_FILE = SHIPPED_TENANTS_FILE


class EboxBridgeSettings(ServiceSettings):
    port: int = 8103

    # --- the eBox (the simulator when `loket up` starts one) ---
    ebox_url: str = Field(default="", description="root of the eBox REST API; empty disables publishing")
    ebox_token_url: str = ""
    ebox_client_id: str = "loket-ebox-bridge"
    ebox_private_key_file: Path | None = None
    ebox_certificate_file: Path | None = None
    ebox_enterprise_number: str = Field(default="0206731645", pattern=r"^[01][0-9]{9}$")
    ebox_sender_application_id: str = "loket"
    ebox_timeout_s: float = Field(default=10.0, gt=0)
    # Throughput against a remote eBox is in-flight ÷ latency (docs/architecture.md, "Domain facts"): keep several going.
    ebox_max_in_flight: int = Field(default=32, ge=1, le=256)
    ebox_breaker_failures: int = Field(default=5, ge=1)
    ebox_breaker_cooldown_s: float = Field(default=15.0, ge=0)

    # --- dispatching letters to the eBox ---
    dispatch_batch_size: int = Field(default=400, ge=1, le=2000)
    dispatch_idle_s: float = Field(default=0.2, gt=0, description="poll interval when no work is due")
    # A claimed letter whose worker died is taken over after this lease.
    dispatch_lease_s: float = Field(default=60.0, gt=0)
    retry_base_s: float = Field(default=2.0, gt=0)
    retry_max_s: float = Field(default=900.0, gt=0)
    # Without a legal deadline a letter still goes to paper when the eBox stays down this long.
    ebox_max_wait_hours: float = Field(default=72.0, gt=0)
    preference_cache_ttl_s: float = Field(default=6 * 3600, ge=0)

    # --- read status and escalation ---
    read_poll_interval_s: float = Field(default=3600.0, gt=0)
    read_poll_batch: int = Field(default=1000, ge=1, le=1000)
    # Letters whose poller died mid-call are polled again after this lease.
    read_poll_lease_s: float = Field(default=60.0, gt=0)

    # --- rollout policy ---
    policy_file: Path = Field(default=DEFAULT_POLICY_FILE, description="imported when the database has no policy yet")
    policy_refresh_s: float = Field(default=30.0, gt=0)
    tenants_file: Path = Field(default=DEFAULT_TENANTS_FILE,
                               description="imported when no municipality is onboarded yet (`loket tenants import`)")

    # --- documents passed by reference (docs: services/ebox_bridge/documents/policy.py) ---
    document_root: Path | None = Field(
        default=None, description="file:// document_refs are read only from under this folder; unset refuses them",
    )
    document_hosts: list[str] = Field(
        default_factory=list, description="hosts https:// document_refs may name (JSON list); empty refuses them",
    )
    document_fetch_timeout_s: float = Field(default=30.0, gt=0, le=300)

    # --- paper ---
    print_spool_dir: Path | None = Field(default=None, description="print batches go here; default <data_dir>/print-spool")
    print_cutoff: dt.time = Field(default=dt.time(17, 30), description="daily batch cut-off, local time")
    # Booking's public address (booking's own LOKET_BOOKING_PUBLIC_URL): the campaign's insert
    # page links to it from its QR code.
    insert_booking_url: str = Field(default="http://127.0.0.1:8101",
                                    description="where citizens reach the booking pages (the insert page's QR code)")
    print_timezone: str = "Europe/Brussels"
    print_check_interval_s: float = Field(default=30.0, gt=0)
    # Off: batches close only through `loket print close` (tests, or a print house that pulls).
    print_auto_close: bool = True

    # --- webhooks (services/ebox_bridge/webhooks/) ---
    webhook_retry_base_s: float = Field(default=5.0, gt=0, description="wait after a delivery's first failure; doubles")
    webhook_retry_max_s: float = Field(default=3600.0, gt=0, description="longest wait between two tries")
    webhook_retry_window_s: float = Field(default=24 * 3600.0, gt=0, description="then a delivery is marked failed")
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=60)
    webhook_batch_size: int = Field(default=100, ge=1, le=1000)
    webhook_lease_s: float = Field(default=60.0, gt=0)
    webhook_idle_s: float = Field(default=0.5, gt=0)

    # --- sweeper ---
    sweep_interval_s: float = Field(default=60.0, gt=0)
    stuck_after_s: float = Field(default=3600.0, gt=0, description="non-terminal letters older than this are reported")

    # --- erasure requests ---
    deferred_erasure_interval_s: float = Field(
        default=60.0, gt=0, description="how often letters in flight at an erasure request are checked for having "
                                        "settled (then erased)")

    @field_validator("ebox_url", "ebox_token_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def spool_dir(self) -> Path:
        if self.print_spool_dir is not None:
            return self.print_spool_dir
        base = self.data_dir or Path.cwd() / ".loket"
        return base / "print-spool"

    def ebox_client_config(self) -> EboxClientConfig:
        if not self.ebox_url or self.ebox_private_key_file is None:
            raise ValueError(
                "the eBox is not configured: set LOKET_EBOX_URL and LOKET_EBOX_PRIVATE_KEY_FILE "
                "(`loket up` does both when it starts the simulator)"
            )
        return EboxClientConfig(
            base_url=self.ebox_url,
            token_url=self.ebox_token_url or f"{self.ebox_url}/oauth/token",
            client_id=self.ebox_client_id,
            private_key_path=self.ebox_private_key_file,
            certificate_path=self.ebox_certificate_file,
            enterprise_number=self.ebox_enterprise_number,
            sender_application_id=self.ebox_sender_application_id,
            request_timeout_s=self.ebox_timeout_s,
            max_concurrent_requests=self.ebox_max_in_flight,
            breaker_failure_threshold=self.ebox_breaker_failures,
            breaker_cooldown_s=self.ebox_breaker_cooldown_s,
        )
