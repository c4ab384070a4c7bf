"""The password rules (length, common passwords, the username) and argon2 hashing with rehash."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from loket.infra.identity import passwords
from loket.infra.identity.passwords import WeakPassword, check_new_password


@pytest.mark.parametrize(("password", "reason"), [
    ("short one", "too_short"),
    ("x" * 257, "too_long"),
    ("Wachtwoord123", "common"),
    ("AZERTYUIOP123", "common"),
    ("aaaaaaaaaaaaaaaa", "common"),
    ("an.peeters is cool", "has_username"),
])
def test_weak_passwords_are_refused_with_their_reason(password: str, reason: str) -> None:
    with pytest.raises(WeakPassword) as refused:
        check_new_password(password, "an.peeters")
    assert refused.value.reason == reason
    assert str(refused.value)  # a sentence the CLI prints as is


def test_the_length_message_says_how_long_and_what_would_do() -> None:
    with pytest.raises(WeakPassword, match="at least 12 characters; it has 9. A short sentence"):
        check_new_password("tulp-boom", "an")


def test_a_sentence_of_words_is_accepted() -> None:
    check_new_password("paars fietsje op de markt", "an.peeters")


def test_hash_and_verify() -> None:
    stored = passwords.hash_password("paars fietsje op de markt")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "paars fietsje op de markt") == passwords.Verified(True, None)
    assert passwords.verify_password(stored, "paars fietsje op de mark").ok is False
    assert passwords.verify_password("not a hash", "anything").ok is False


def test_a_hash_made_with_other_parameters_is_replaced_on_sign_in() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("paars fietsje op de markt")
    verified = passwords.verify_password(old, "paars fietsje op de markt")
    assert verified.ok and verified.rehashed and verified.rehashed != old
    assert passwords.verify_password(verified.rehashed, "paars fietsje op de markt").rehashed is None
