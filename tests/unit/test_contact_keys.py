"""Stored contact keys are HMACs under a secret kept outside the database: a plain SHA-256 of a
phone number is reversed by hashing every number, a keyed one is not without the secret."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import pytest

from loket.contracts.values import ContactDetails
from loket.infra.contact_keys import (
    ContactKeys,
    ContactKeySecretError,
    contact_keys_from,
    is_keyed,
)
from loket.infra.secret_strength import WeakSecret

PHONE = ContactDetails(phone="+32470123456", language="nl")


def test_a_key_is_an_hmac_of_the_plain_digest_under_the_secret() -> None:
    secret = secrets.token_urlsafe(32)
    key = ContactKeys(secret).of(PHONE)
    assert is_keyed(key) and not is_keyed(PHONE.digest())
    assert PHONE.digest() == hashlib.sha256(b"+32470123456").hexdigest()  # the form stored before
    assert key == ContactKeys(secret).keyed_from_digest(PHONE.digest())  # so stored digests convert
    assert key != ContactKeys(secrets.token_urlsafe(32)).of(PHONE)
    assert secret not in repr(ContactKeys(secret))


def test_the_secret_comes_from_a_file_or_the_environment_and_must_be_strong(tmp_path: Path) -> None:
    path = tmp_path / "contact-key-secret"
    path.write_text(secrets.token_urlsafe(32) + "\n")
    path.chmod(0o640)
    with pytest.raises(ContactKeySecretError, match="chmod 600"):
        contact_keys_from(None, path, "booking")
    path.chmod(0o600)
    from_file = contact_keys_from("ignored-when-a-file-is-set-xyz", path, "notify")
    assert from_file.of(PHONE) == ContactKeys(path.read_text().strip()).of(PHONE)
    with pytest.raises(ContactKeySecretError, match="LOKET_CONTACT_KEY_SECRET_FILE"):
        contact_keys_from(None, None, "notify")
    with pytest.raises(WeakSecret):
        contact_keys_from("change-me-contact-key", None, "booking")
