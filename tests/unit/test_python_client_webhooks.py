"""The client's webhook signature check against the reference implementation the bridge signs
with (`standardwebhooks`): what it signs verifies; anything altered, stale or forged does not."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from loket_client import WebhookVerificationError, verify_webhook
from standardwebhooks.webhooks import Webhook

from services.ebox_bridge.webhooks.signing import new_secret, signed_headers

AT = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
NOW = AT.timestamp()
EVENT = {"event_type": "LetterDeliveredToEbox", "payload": {"letter_id": "6f1c1f7e-0000-4000-8000-000000000001"}}
BODY = json.dumps(EVENT)


def signed(secret: str, body: str = BODY) -> dict[str, str]:
    return signed_headers(secret, "msg_2Lq8e1", body, AT)  # exactly as the bridge's delivery worker signs


def test_a_delivery_signed_by_the_bridge_verifies() -> None:
    secret = new_secret()
    assert verify_webhook(secret, BODY.encode(), signed(secret), now=NOW) == EVENT
    assert verify_webhook(secret, BODY, signed(secret), now=NOW + 299) == EVENT  # str body, within 5 min


def test_header_names_are_matched_whatever_their_case() -> None:
    secret = new_secret()
    headers = {k.upper(): v for k, v in signed(secret).items()}
    assert verify_webhook(secret, BODY, headers, now=NOW) == EVENT


def test_one_matching_signature_among_several_is_enough() -> None:
    secret, old = new_secret(), new_secret()
    headers = signed(secret)
    headers["webhook-signature"] = f"{signed(old)['webhook-signature']} v1a,xyz {headers['webhook-signature']}"
    assert verify_webhook(secret, BODY, headers, now=NOW) == EVENT


@pytest.mark.parametrize("tamper", [
    lambda h, b: (h, b.replace("Ebox", "Paper")),  # another body
    lambda h, b: ({**h, "webhook-id": "msg_other"}, b),  # another id
    lambda h, b: ({**h, "webhook-timestamp": str(int(NOW) + 1)}, b),  # another timestamp
    lambda h, b: ({**h, "webhook-signature": "v1a," + h["webhook-signature"][3:]}, b),  # not a v1 signature
    lambda h, b: ({k: v for k, v in h.items() if k != "webhook-signature"}, b),  # unsigned
    lambda h, b: ({**h, "webhook-timestamp": "yesterday"}, b),
])
def test_anything_altered_is_refused(tamper) -> None:  # type: ignore[no-untyped-def]
    secret = new_secret()
    headers, body = tamper(signed(secret), BODY)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(secret, body, headers, now=NOW)


def test_another_secret_is_refused() -> None:
    with pytest.raises(WebhookVerificationError):
        verify_webhook(new_secret(), BODY, signed(new_secret()), now=NOW)


@pytest.mark.parametrize("offset", [-301, 301, 3600])
def test_a_delivery_outside_the_tolerance_is_refused_as_a_possible_replay(offset: int) -> None:
    secret = new_secret()
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify_webhook(secret, BODY, signed(secret), now=NOW + offset)
    assert verify_webhook(secret, BODY, signed(secret), now=NOW + offset, tolerance_s=abs(offset)) == EVENT


def test_it_agrees_with_the_reference_verifier() -> None:
    # The reference checks against the wall clock: sign for now.
    secret = new_secret()
    fresh = signed_headers(secret, "msg_now", BODY, dt.datetime.now(dt.UTC))
    Webhook(secret).verify(BODY, fresh)
    assert verify_webhook(secret, BODY, fresh) == EVENT
    forged = {**fresh, "webhook-id": "msg_then"}
    with pytest.raises(Exception):  # noqa: B017 - the reference's own error type
        Webhook(secret).verify(BODY, forged)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(secret, BODY, forged)


def test_a_secret_that_is_not_base64_is_refused() -> None:
    secret = new_secret()
    with pytest.raises(WebhookVerificationError, match="secret"):
        verify_webhook("whsec_not base64!", BODY, signed(secret), now=NOW)
    assert base64.b64decode(secret.removeprefix("whsec_"))  # the bridge's secrets are
