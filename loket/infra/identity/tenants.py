"""Municipalities as tenants: what each onboarded municipality needs configured, validated.

A tenant file (`deploy/tenants.yaml`) is imported into `identity.tenants` with
`loket tenants import`; every service reads its tenant from there. A letter, a key or an account
for a municipality that is not onboarded is refused with that reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import phonenumbers
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from stdnum.be import vat

from loket.contracts.reference.language_regime import (
    UnknownMunicipality,
    allowed_languages,
    municipality_name,
)
from loket.infra.configuration_error import ConfigurationError
from loket.infra.identity.oidc_provider import OidcProvider

# The tenant file the repository ships (the demo's municipalities); deployments import their own.
SHIPPED_TENANTS_FILE = Path(__file__).resolve().parents[3] / "deploy" / "tenants.yaml"

# Countries whose mobile numbers get SMS unless a municipality says otherwise: Belgium and its
# neighbours. Anything else is where SMS pumping fraud sends its premium-rate traffic.
DEFAULT_SMS_COUNTRIES = ("BE", "NL", "FR", "DE", "LU")


class TenantFileError(ConfigurationError, ValueError):
    """The tenant file cannot be imported; the message names every problem and where it is."""


class EboxSender(BaseModel):
    """Who the eBox shows as the sender: the municipality's own enterprise registration."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enterprise_number: str = Field(description="KBO/BCE number, 10 digits")
    sender_application_id: str = Field(min_length=1, max_length=64)
    message_types: tuple[str, ...] = Field(default=(), description="allowed eBox messageTypeIds; empty: any")

    @field_validator("enterprise_number", mode="before")
    @classmethod
    def _valid_enterprise_number(cls, value: object) -> str:
        number = vat.compact(str(value))
        if not vat.is_valid(number):
            raise ValueError(f"{value!r} is not a valid Belgian enterprise number (KBO/BCE)")
        return number


class PaperSender(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, max_length=70)
    lines: tuple[str, ...] = Field(min_length=1, max_length=4)
    return_lines: tuple[str, ...] | None = Field(default=None, description="where bpost returns undeliverable mail")


class Retention(BaseModel):
    """Days personal data is kept once it is no longer needed (defaults: the platform's). Dead
    letters are not here: a refused event may name no municipality (it is refused because it
    could not be read), so their bodies follow one platform setting, `LOKET_DLQ_BODY_DAYS`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    letter_pdf_days: int = Field(default=90, ge=1, le=3650)
    postal_address_days: int = Field(default=90, ge=1, le=3650)
    contact_days: int = Field(default=30, ge=1, le=3650)
    appointment_contact_days: int = Field(default=30, ge=1, le=3650)
    audit_days: int = Field(default=730, ge=30, le=3650)


InsertVariant = Literal["standard", "short"]


class DepartmentInsert(BaseModel):
    """A department's own choice, over the municipality's: e.g. no insert in tax reminders."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    variant: InsertVariant | None = None
    holdout_share: float | None = Field(default=None, ge=0.0, le=0.5)


class PaperInsert(BaseModel):
    """The eBox campaign's insert page in paper letters (off unless a municipality turns it on)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = False
    variant: InsertVariant = "standard"
    # Recipients who get no insert, so the campaign's effect can be measured against them.
    holdout_share: float = Field(default=0.1, ge=0.0, le=0.5)
    # Under which routing a paper letter may carry it; `ebox_first`: the citizen could have
    # had it in the eBox.
    routings: tuple[Literal["ebox_first", "paper_only", "both"], ...] = ("ebox_first",)
    departments: dict[str, DepartmentInsert] = Field(default_factory=dict)

    def for_department(self, department: str) -> tuple[bool, InsertVariant, float]:
        """(on, text variant, holdout share) for a department's letters."""
        own = self.departments.get(department)
        if own is None:
            return self.enabled, self.variant, self.holdout_share
        share = own.holdout_share if own.holdout_share is not None else self.holdout_share
        return self.enabled and own.enabled, own.variant or self.variant, share


class Tenant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    municipality: str = Field(pattern=r"^[0-9]{5}$", description="REFNIS code")
    name: str
    ebox: EboxSender
    paper: PaperSender
    sms_sender: str = Field(min_length=1, max_length=11, pattern=r"^[A-Za-z0-9 ]+$",
                            description="alphanumeric SMS sender id (at most 11 characters)")
    languages: tuple[str, ...] = Field(min_length=1)
    sms_countries: tuple[str, ...] = Field(default=DEFAULT_SMS_COUNTRIES, min_length=1,
                                           description="ISO country codes whose mobile numbers may get SMS")
    public_booking_sms_code: bool = Field(
        default=False, description="a public booking with a phone number is made only once the citizen "
                                   "types back a code sent to that number (against SMS pumping)")
    retention: Retention = Retention()
    paper_insert: PaperInsert = PaperInsert()
    oidc: OidcProvider | None = Field(default=None, description="the municipality's own identity provider")

    @field_validator("sms_countries")
    @classmethod
    def _known_countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            raise ValueError(f"unknown country codes {', '.join(unknown)} (use ISO 3166 codes such as BE, NL)")
        return value

    @model_validator(mode="after")
    def _languages_within_the_legal_regime(self) -> Tenant:
        allowed = allowed_languages(self.municipality)
        if not set(self.languages) <= allowed:
            raise ValueError(f"languages {', '.join(self.languages)} exceed the legal regime of "
                             f"{municipality_name(self.municipality)} ({', '.join(sorted(allowed))})")
        return self


def parse_tenants(document: Any) -> list[Tenant]:
    """Validate a whole tenant document; every problem is reported at once with its location."""
    if not isinstance(document, dict) or not isinstance(document.get("tenants"), dict):
        raise TenantFileError("the file needs a `tenants:` mapping of REFNIS code → settings")
    tenants, problems = [], []
    for code, entry in document["tenants"].items():
        code = str(code)
        try:
            name = municipality_name(code)
        except UnknownMunicipality as exc:
            problems.append(f"tenants.{code}: {exc}")
            continue
        try:
            tenants.append(Tenant(municipality=code, **{"name": name, **(entry or {})}))
        except ValidationError as exc:
            problems += [f"tenants.{code}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                         for e in exc.errors(include_url=False, include_input=False)]
    if problems:
        raise TenantFileError("; ".join(problems))
    return tenants


def read_tenant_file(path: Path) -> list[Tenant]:
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise TenantFileError(f"{path}: {exc}") from None
    return parse_tenants(document)
