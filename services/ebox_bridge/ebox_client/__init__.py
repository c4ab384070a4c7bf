"""Production client of the federal eBox: publish letters, look up preferences and read status."""

from services.ebox_bridge.ebox_client.circuit_breaker import BreakerState, CircuitBreaker
from services.ebox_bridge.ebox_client.client import EboxClient
from services.ebox_bridge.ebox_client.config import EboxClientConfig
from services.ebox_bridge.ebox_client.errors import (
    EboxAuthError,
    EboxRejected,
    EboxScopeError,
    EboxUnavailable,
)
from services.ebox_bridge.ebox_client.message import SenderIdentity
from services.ebox_bridge.ebox_client.outcomes import (
    AlreadyPublished,
    Delivered,
    NoDigitalUser,
    Preference,
    PublishOutcome,
)

__all__ = [
    "AlreadyPublished",
    "BreakerState",
    "CircuitBreaker",
    "Delivered",
    "EboxAuthError",
    "EboxClient",
    "EboxClientConfig",
    "EboxRejected",
    "EboxScopeError",
    "EboxUnavailable",
    "NoDigitalUser",
    "Preference",
    "PublishOutcome",
    "SenderIdentity",
]
