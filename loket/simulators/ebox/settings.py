"""Settings of the eBox simulator (environment variables `LOKET_EBOX_SIM_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from loket.infra.identity.tenants import SHIPPED_TENANTS_FILE, read_tenant_file

SHIPPED_TENANTS = SHIPPED_TENANTS_FILE

# Scope names are configurable because the bridge must request exactly what the real registry
# expects; the preference scope is the one the federation reference file publishes.
PUBLISH_SCOPE = "scope:documentmanagement:ebox:enterprise:messageregistry:publication"
PREFERENCE_SCOPE = "scope:documentmanagement:ebox:enterprise:federation-rest:preference"
CONSENT_SCOPE = "scope:documentmanagement:ebox:enterprise:federation-rest:consent"


class FaultSettings(BaseModel):
    """Fault injection knobs; rates are shares between 0 and 1 drawn per request."""

    latency_ms: int = Field(default=0, ge=0)
    # Share of publishes that ARE registered but whose answer is lost (502): the case that
    # proves the client's Idempotency-Key handling.
    error_rate: float = Field(default=0.0, ge=0, le=1)
    status_429_rate: float = Field(default=0.0, ge=0, le=1)
    status_5xx_rate: float = Field(default=0.0, ge=0, le=1)
    hang_rate: float = Field(default=0.0, ge=0, le=1)
    # Share of publishes that ARE registered but whose answer never comes (hangs hang_s): the
    # client times out without knowing the message landed.
    hang_after_publish_rate: float = Field(default=0.0, ge=0, le=1)
    outage: bool = False


def shipped_tenant_senders() -> list[str]:
    return [t.ebox.enterprise_number for t in read_tenant_file(SHIPPED_TENANTS)]


class EboxSimSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOKET_EBOX_SIM_", env_nested_delimiter="__")

    host: str = "127.0.0.1"
    port: int = 8110
    enterprise_number: str = Field(default="0206731645", pattern=r"^[01][0-9]{9}$")
    # The senders this client may publish for besides its own (each municipality it is mandated
    # by); default: every tenant of the shipped tenant file.
    mandated_senders: list[str] = Field(default_factory=shipped_tenant_senders)
    client_ids: list[str] = ["loket-ebox-bridge"]
    # Empty means the admin API is closed (every call 401), so a forgotten setting fails safe.
    admin_token: SecretStr = SecretStr("")
    share_digital_percent: int = Field(default=35, ge=0, le=100)
    # Companies have had to use the eBox since 1 January 2025: most have one, a few not yet.
    share_digital_enterprises_percent: int = Field(default=90, ge=0, le=100)
    token_ttl_s: float = Field(default=300, gt=0)
    # PEM public key or certificate of the client; empty keeps assertion signatures unchecked.
    client_public_key_pem: str = ""
    # Or a file holding it (a mounted secret, or the certificate `loket ebox-keys` writes).
    client_public_key_file: Path | None = None
    publish_scope: str = PUBLISH_SCOPE
    preference_scope: str = PREFERENCE_SCOPE
    consent_scope: str = CONSENT_SCOPE
    # The simulated reader opens this share of delivered messages once read_delay_s has passed.
    read_share_percent: int = Field(default=50, ge=0, le=100)
    read_delay_s: float = Field(default=3600, ge=0)
    message_ttl_days: int = Field(default=365, gt=0)
    max_lookup_batch: int = 1000
    hang_s: float = Field(default=600, gt=0)
    retry_after_s: int = Field(default=1, ge=0)
    # Seeds both the citizen activation hash and the fault dice, so a run can be replayed.
    seed: int = 0
    faults: FaultSettings = FaultSettings()

    def model_post_init(self, _context: object) -> None:
        if self.client_public_key_file is not None and not self.client_public_key_pem:
            self.client_public_key_pem = self.client_public_key_file.read_text()

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset({self.publish_scope, self.preference_scope, self.consent_scope})

    def authorised_senders(self) -> frozenset[str]:
        return frozenset({self.enterprise_number, *self.mandated_senders})
