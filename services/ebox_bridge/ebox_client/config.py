"""What the eBox client needs to know; secrets stay in files outside the repository."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

# The registry's scope names (the simulator uses the same defaults; a test keeps them equal).
# Production code does not import the simulator, so the scope names are repeated here.
PUBLISH_SCOPE = "scope:documentmanagement:ebox:enterprise:messageregistry:publication"
PREFERENCE_SCOPE = "scope:documentmanagement:ebox:enterprise:federation-rest:preference"
CONSENT_SCOPE = "scope:documentmanagement:ebox:enterprise:federation-rest:consent"


class EboxClientConfig(BaseModel):
    model_config = {"frozen": True}

    # Root of the eBox REST API; the registry and federation paths hang below it.
    base_url: str
    token_url: str
    client_id: str
    # Paths, never the PEM itself, so a key cannot end up in a settings dump or the repo.
    private_key_path: Path
    certificate_path: Path | None = None
    publish_scope: str = PUBLISH_SCOPE
    preference_scope: str = PREFERENCE_SCOPE
    consent_scope: str = CONSENT_SCOPE
    enterprise_number: str = Field(pattern=r"^[01][0-9]{9}$")
    sender_application_id: str
    registry_path: str = "/messageRegistry/v3"
    federation_path: str = "/REST/ebox/enterprise/federation/v1"
    request_timeout_s: float = Field(default=10.0, gt=0)
    max_concurrent_requests: int = Field(default=16, ge=1)
    # The legacy look-up service took at most 1 000 ids per call.
    lookup_batch_size: int = Field(default=1000, ge=1, le=1000)
    # Refresh this long before the token's announced expiry (at most half its lifetime).
    token_refresh_margin_s: float = Field(default=30.0, ge=0)
    assertion_ttl_s: int = Field(default=60, ge=1, le=300)
    breaker_failure_threshold: int = Field(default=5, ge=1)
    breaker_cooldown_s: float = Field(default=30.0, ge=0)

    @property
    def scopes(self) -> list[str]:
        return [self.publish_scope, self.preference_scope, self.consent_scope]
