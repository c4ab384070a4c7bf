"""The contact keys of this test run: the secret tests/conftest.py put in the environment, which
the services the tests start read too, so a test and a service key a contact alike."""

from __future__ import annotations

import os

from loket.infra.contact_keys import ContactKeys


def run_contact_keys() -> ContactKeys:
    return ContactKeys(os.environ["LOKET_CONTACT_KEY_SECRET"])
