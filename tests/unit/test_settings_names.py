"""`loket up` hands one environment to every service, so a setting name two services share
would configure both at once (the bridge's and notify's retry delays once did). Only settings
meant to be shared are: those of `ServiceSettings`, and the contact key's secret, one key for
the contact hashes notify and booking store."""

from __future__ import annotations

import itertools

from loket.devstack.catalog import SERVICE_NAMES, service_settings
from loket.infra.settings import ContactKeySettings, ServiceSettings


def test_no_two_services_read_the_same_setting() -> None:
    shared = set(ServiceSettings.model_fields) | set(ContactKeySettings.model_fields)
    own = {name: set(type(service_settings(name)).model_fields) - shared for name in SERVICE_NAMES}
    for a, b in itertools.combinations(SERVICE_NAMES, 2):
        assert not own[a] & own[b], f"{a} and {b} both read LOKET_{sorted(own[a] & own[b])}"
