"""Webhook retries: backoff that doubles up to a ceiling, then given up after the window; and
the Standard Webhooks signature a receiver verifies."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.ebox_bridge.api.multipart import form_parts
from services.ebox_bridge.api.problems import ApiProblem
from services.ebox_bridge.webhooks.retry import RetryPolicy
from services.ebox_bridge.webhooks.signing import new_secret, signed_headers

POLICY = RetryPolicy(base_s=5, ceiling_s=3600, window_s=24 * 3600)
NOW = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)


def test_backoff_doubles_within_jitter_up_to_the_ceiling() -> None:
    rng = random.Random(1)
    for attempts, nominal in [(1, 5), (2, 10), (3, 20), (10, 2560), (11, 3600), (40, 3600)]:
        delay = POLICY.delay(attempts, rng).total_seconds()
        assert 0.8 * nominal <= delay <= 1.2 * nominal


def test_given_up_once_the_next_try_falls_past_the_window() -> None:
    give_up = POLICY.give_up_at(NOW)
    assert give_up == NOW + dt.timedelta(hours=24)
    assert POLICY.next_try(3, NOW, give_up) is not None
    assert POLICY.next_try(30, give_up - dt.timedelta(minutes=10), give_up) is None


def test_the_signature_verifies_with_the_secret_and_not_without() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    body = json.dumps({"event_type": "LetterRead"})
    headers = signed_headers(secret, "d-1", body, dt.datetime.now(dt.UTC))
    assert Webhook(secret).verify(body, headers) == {"event_type": "LetterRead"}
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + " ", headers)


def test_multipart_parts_come_out_byte_exact() -> None:
    pdf = b"%PDF-1.4\r\n\r\nbinary\x00\xff\r\n--notaboundary\r\n%%EOF"
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"letter\"\r\nContent-Type: application/json\r\n\r\n"
            b"{\"a\": 1}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"l.pdf\"\r\n\r\n"
            + pdf + b"\r\n--XyZ--\r\n")
    assert form_parts("multipart/form-data; boundary=XyZ", body) == {"letter": b"{\"a\": 1}", "pdf": pdf}
    for broken in (body[:-9], b"garbage", body.replace(b"name=\"pdf\"", b"x")):
        with pytest.raises(ApiProblem):
            form_parts("multipart/form-data; boundary=XyZ", broken)
    with pytest.raises(ApiProblem):
        form_parts("multipart/form-data", body)
