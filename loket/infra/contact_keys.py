"""Keyed pseudonyms of a phone number or e-mail address: what notify (opt-outs, sending limits)
and booking (a borrower's loans and waitlist places) store instead of the contact itself.

A plain SHA-256 of a Belgian mobile number is no pseudonym: there are about 10⁸ of them, and
hashing them all takes a laptop minutes, so a copy of the table would be a list of numbers. The
stored key is therefore an HMAC-SHA-256 under a secret that lives outside the database
(`LOKET_CONTACT_KEY_SECRET_FILE`, 0600, or `LOKET_CONTACT_KEY_SECRET`): a database dump alone
no longer reveals who opted out or who borrows.

The HMAC is taken over the contact's plain digest (`ContactDetails.digest`), not over the
contact, so the keys written before the secret existed (that digest itself, 64 hex characters)
can be converted in place at start-up (`keyed_from_digest`); a keyed value carries the
`KEYED_PREFIX`, so a converted row is never converted twice.

The secret must stay the same for the life of the data (a new one makes every stored opt-out
unrecognisable); every replica of a service reads the same one.
"""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

from loket.contracts.values import ContactDetails
from loket.infra.configuration_error import ConfigurationError
from loket.infra.secret_strength import strong_secret

KEYED_PREFIX = "k1:"
SECRET_SETTING = "LOKET_CONTACT_KEY_SECRET_FILE"


class ContactKeySecretError(ConfigurationError, RuntimeError):
    pass


class ContactKeys:
    def __init__(self, secret: str, setting: str = "LOKET_CONTACT_KEY_SECRET") -> None:
        # `setting` names where the secret came from in a refusal (never the value).
        self._secret = strong_secret(setting, secret).encode()

    def of(self, contact: ContactDetails) -> str:
        """The stored key of whoever `contact` reaches (its phone number, else its e-mail address)."""
        return self.keyed_from_digest(contact.digest())

    def keyed_from_digest(self, digest: str) -> str:
        return KEYED_PREFIX + hmac.new(self._secret, digest.encode(), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:  # never the secret, also not in a traceback's locals
        return "ContactKeys(<secret>)"


def is_keyed(key: str) -> bool:
    return key.startswith(KEYED_PREFIX)


def contact_keys_from(secret: str | None, secret_file: Path | None, service: str) -> ContactKeys:
    """The service's ContactKeys from its settings, or a clear refusal to start without one."""
    if secret_file is not None:
        mode = stat.S_IMODE(secret_file.stat().st_mode)
        if mode & 0o077:  # as ssh refuses a key others may read
            raise ContactKeySecretError(f"{secret_file}: mode {mode:04o}: others may read the contact key secret; "
                                        f"run `chmod 600 {secret_file}`")
        return ContactKeys(secret_file.read_text().strip(), str(secret_file))
    if secret:
        return ContactKeys(secret)
    raise ContactKeySecretError(
        f"{service} stores phone numbers and e-mail addresses only as keyed hashes and needs their key: "
        f"set {SECRET_SETTING} to a file (mode 0600) holding a generated secret, the same for every "
        f"replica and kept for the life of the data (`loket up` makes one in its data directory)")
