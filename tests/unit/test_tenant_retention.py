"""A municipality's retention overrides: each key it may set is one a purge reads; a key no purge
reads (dead-letter bodies follow the platform's LOKET_DLQ_BODY_DAYS) is refused with its place,
not silently ignored."""

from __future__ import annotations

import pytest

from loket.infra.identity.tenants import Retention, TenantFileError, parse_tenants

MECHELEN = {"ebox": {"enterprise_number": "0207.500.123", "sender_application_id": "mechelen-loket"},
            "paper": {"name": "Stad Mechelen", "lines": ["Grote Markt 21", "2800 Mechelen"]},
            "sms_sender": "Mechelen", "languages": ["nl"]}


def test_an_override_is_kept_and_the_rest_take_the_defaults() -> None:
    [tenant] = parse_tenants({"tenants": {"12025": {**MECHELEN, "retention": {"letter_pdf_days": 60}}}})
    assert tenant.retention.letter_pdf_days == 60
    assert tenant.retention.contact_days == Retention().contact_days


def test_a_retention_key_no_purge_reads_is_refused_with_its_place() -> None:
    with pytest.raises(TenantFileError, match=r"tenants\.12025\.retention\.dead_letter_body_days"):
        parse_tenants({"tenants": {"12025": {**MECHELEN, "retention": {"dead_letter_body_days": 10}}}})
