"""Verifying a webhook delivery's signature per Standard Webhooks
(https://www.standardwebhooks.com): `webhook-signature` holds one or more `v1,<base64>`
HMAC-SHA256 signatures of `{webhook-id}.{webhook-timestamp}.{body}` under the endpoint's
secret (`whsec_<base64 key>`). Standard library only, so a receiver needs nothing else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_S = 5 * 60  # the specification's: an older delivery may be a replay by someone else


class WebhookVerificationError(Exception):
    """The delivery is not proven to come from Loket: answer it 4xx and do not act on it."""


def verify_webhook(secret: str, body: bytes | str, headers: Mapping[str, str], *,
                   tolerance_s: float = DEFAULT_TOLERANCE_S, now: float | None = None) -> dict[str, Any]:
    """The delivered event (the body's JSON) once its signature checks; WebhookVerificationError
    otherwise. Pass the body exactly as received (bytes), before any JSON parsing.

    `headers` may be any mapping; names are matched without regard to case. De-duplicate on
    the `webhook-id` header: a delivery is sent again, under the same id, until it is answered 2xx.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        webhook_id, timestamp, signatures = (lowered[h] for h in
                                             ("webhook-id", "webhook-timestamp", "webhook-signature"))
    except KeyError as missing:
        raise WebhookVerificationError(f"missing header {missing}") from None
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a Unix time") from None
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance")
    payload = body.encode() if isinstance(body, str) else body
    expected = base64.b64encode(hmac.new(_key(secret), f"{webhook_id}.{sent_at}.".encode() + payload,
                                         hashlib.sha256).digest())
    for candidate in signatures.split():
        version, _, signature = candidate.partition(",")
        # Compare every v1 signature in constant time; other versions (v1a: asymmetric) are not ours.
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            try:
                event = json.loads(payload)
            except ValueError:
                raise WebhookVerificationError("the signed body is not JSON") from None
            if not isinstance(event, dict):
                raise WebhookVerificationError("the signed body is not an event (a JSON object)")
            return event
    raise WebhookVerificationError("no matching signature")


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("the secret is not a whsec_ secret") from None
