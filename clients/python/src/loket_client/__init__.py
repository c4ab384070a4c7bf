"""Python client for Loket's letters API (send letters, follow them, cancel them) and its
webhooks (subscribe, verify the Standard Webhooks signatures of deliveries)."""

__version__ = "0.1.0"

from loket_client.async_client import AsyncLoketClient, new_idempotency_key  # noqa: E402
from loket_client.errors import (  # noqa: E402
    ApiError,
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    InvalidRequest,
    LoketError,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
)
from loket_client.models import (  # noqa: E402
    BatchItem,
    BatchResult,
    Delivery,
    EboxChannel,
    HistoryEntry,
    LetterAccepted,
    LetterPage,
    LetterRequest,
    LetterStatus,
    LetterView,
    PaperChannel,
    PostalAddress,
    Webhook,
    with_pdf,
)
from loket_client.retry import NO_RETRIES, RetryPolicy  # noqa: E402
from loket_client.sync_client import LoketClient  # noqa: E402
from loket_client.webhooks import WebhookVerificationError, verify_webhook  # noqa: E402

__all__ = [
    "NO_RETRIES", "ApiError", "AsyncLoketClient", "BadRequest", "BatchItem", "BatchResult", "Conflict", "Delivery",
    "EboxChannel", "FieldError", "Forbidden", "HistoryEntry", "InvalidRequest", "LetterAccepted", "LetterPage",
    "LetterRequest", "LetterStatus", "LetterView", "LoketClient", "LoketError", "NotFound", "PaperChannel",
    "PostalAddress", "RateLimited", "RetryPolicy", "ServerError", "TransportError", "Unauthorized", "Webhook",
    "WebhookVerificationError", "new_idempotency_key", "verify_webhook", "with_pdf",
]
