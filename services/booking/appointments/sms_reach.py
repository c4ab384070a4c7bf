"""Whether a municipality's text messages can reach a phone number, said when the citizen books
or joins a waitlist. Without it a number from elsewhere was accepted, and notify then refused
the confirmation SMS (a municipality allows SMS only to the countries in its tenant entry, the
anti-pumping rule of issue 15): the citizen had a booking and never heard of it.

The rule is notify's (`services/notify/addresses.py`): the number's country among the
municipality's `sms_countries`, the platform default where it is not onboarded.
"""

from __future__ import annotations

import asyncpg
import phonenumbers

from loket.contracts.values import ContactDetails
from loket.infra.identity.tenant_directory import TenantDirectory
from loket.infra.identity.tenants import DEFAULT_SMS_COUNTRIES
from services.booking.errors import Invalid

_NAMES = {"BE": "Belgium", "NL": "the Netherlands", "FR": "France", "DE": "Germany", "LU": "Luxembourg"}


def unreachable_by_sms(phone: str, countries: tuple[str, ...]) -> str | None:
    """Why an SMS cannot reach `phone` (E.164) under `countries`, or None when it can."""
    country = phonenumbers.region_code_for_number(phonenumbers.parse(phone))
    if country in countries:
        return None
    allowed = ", ".join(f"{_NAMES.get(c, c)} (+{phonenumbers.country_code_for_region(c)})" for c in countries)
    return (f"we can send text messages only to mobile numbers from {allowed}; give such a number, or leave "
            "the phone number out and give an e-mail address")


class SmsReach:
    def __init__(self, tenants: TenantDirectory) -> None:
        self.tenants = tenants

    async def check(self, conn: asyncpg.Connection, municipality: str, contact: ContactDetails) -> None:
        """Raises Invalid when the contact's phone number is out of the municipality's SMS reach."""
        if contact.phone is None:
            return
        if reason := unreachable_by_sms(str(contact.phone), await self._countries(conn, municipality)):
            raise Invalid("Phone number out of reach", reason)

    async def _countries(self, conn: asyncpg.Connection, municipality: str) -> tuple[str, ...]:
        tenant = (await self.tenants.known(conn)).get(municipality)  # not onboarded: the platform's default
        return tenant.sms_countries if tenant is not None else DEFAULT_SMS_COUNTRIES
