"""The rollout policy document (the YAML under deploy/policy/) and the rules resolved from it.

Inheritance: defaults < municipality < department < document type. Only the municipalities,
departments and document types listed are known: a letter for anything else is refused with
a message naming what is missing, because guessing a channel for an unknown document could
send a sanction to a mailbox nobody reads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from loket.contracts.reference.language_regime import (
    UnknownMunicipality,
    allowed_languages,
    municipality_name,
)
from services.ebox_bridge.policy.errors import PolicyLookupError
from services.ebox_bridge.sender_block import SenderBlock

ChannelPolicy = Literal["ebox_first", "paper_only", "both", "ebox_only"]
PostageChoice = Literal["non_prior", "prior"]
CHANNELS: tuple[str, ...] = ("ebox_first", "paper_only", "both", "ebox_only")
POSTAGE_CHOICES: tuple[str, ...] = ("non_prior", "prior")
SLUG = r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$"
# Department and document type names: lower-case slugs like 'tax_assessment' (they are
# matched exactly against LetterIssued, so "Finance" and "finance" must not both exist).
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=64)]
# An explicit null means "off" for these (a document type can switch off escalation inherited
# from its department); for every other option a missing key means "inherit".
NULLABLE_OPTIONS = frozenset({"escalate_unread_after_days"})
OPTION_NAMES = (
    "channel", "registered", "postage_class", "escalate_unread_after_days",
    "print_lead_time_days", "message_type_id",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleOptions(_Strict):
    """Options settable at every level; an absent key means "inherit"."""

    # The eBox messageTypeId names one kind of document: a default for a whole town would tag
    # every letter the same, so only document types may set it.
    message_type_id_allowed: ClassVar[bool] = False

    channel: ChannelPolicy | None = None
    registered: bool | None = None
    postage_class: PostageChoice | None = None
    escalate_unread_after_days: int | None = Field(default=None, ge=1, le=365)
    print_lead_time_days: int | None = Field(default=None, ge=0, le=60)
    message_type_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")

    # Validators run only on keys present in the YAML, so None here is an explicit null; they are
    # field validators (not one model validator) so that pydantic reports them with the others.
    @field_validator("channel", "registered", "postage_class", "print_lead_time_days", "message_type_id")
    @classmethod
    def _no_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("null is not allowed; omit the key to inherit")
        return value

    @field_validator("message_type_id")
    @classmethod
    def _only_on_document_types(cls, value: str | None) -> str | None:
        if not cls.message_type_id_allowed:
            raise ValueError("message_type_id can only be set on a document type")
        return value


class DocumentTypePolicy(RuleOptions):
    message_type_id_allowed: ClassVar[bool] = True


class DepartmentPolicy(RuleOptions):
    document_types: dict[Slug, DocumentTypePolicy] = Field(min_length=1)


class Sender(_Strict):
    name: str = Field(min_length=1, max_length=80)
    # bpost's window leaves room for a few lines under the name.
    lines: list[str] = Field(min_length=1, max_length=4)
    return_lines: list[str] | None = Field(default=None, min_length=1, max_length=4)


class MunicipalityPolicy(RuleOptions):
    sender: Sender
    languages: list[Literal["nl", "fr", "de"]] | None = Field(default=None, min_length=1)
    departments: dict[Slug, DepartmentPolicy] = Field(min_length=1)


class Defaults(RuleOptions):
    channel: ChannelPolicy = "ebox_first"
    registered: bool = False
    postage_class: PostageChoice = "non_prior"
    print_lead_time_days: int = Field(default=3, ge=0, le=60)


class PolicyDocument(_Strict):
    defaults: Defaults = Defaults()
    municipalities: dict[str, MunicipalityPolicy] = Field(min_length=1)

    def data(self) -> dict:  # type: ignore[type-arg]
        # exclude_unset, not exclude_none: an explicit "no escalation" must survive a round trip.
        return self.model_dump(mode="json", exclude_unset=True)

    def canonical_json(self) -> str:
        return json.dumps(self.data(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def fingerprint(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()


@dataclass(frozen=True)
class RoutingRule:
    channel: str  # ebox_first | paper_only | both | ebox_only
    registered: bool
    postage_class: str  # non_prior | prior | registered
    escalate_unread_after_days: int | None
    print_lead_time_days: int
    message_type_id: str

    @property
    def may_need_paper(self) -> bool:
        return self.channel != "ebox_only"


class RolloutPolicy:
    """One version of the policy, as the service and `loket policy show` see it."""

    def __init__(self, document: PolicyDocument, version: int = 0) -> None:
        self.document, self.version = document, version
        self.fingerprint = document.fingerprint()

    def municipalities(self) -> list[str]:
        return sorted(self.document.municipalities)

    def resolve(self, municipality: str, department: str, document_type: str) -> RoutingRule:
        town = self._municipality(municipality)
        dept = town.departments.get(department)
        if dept is None:
            raise PolicyLookupError(
                f"unknown department {department!r} for municipality {municipality} "
                f"({municipality_name(municipality)}); known: {', '.join(sorted(town.departments))}"
            )
        doc = dept.document_types.get(document_type)
        if doc is None:
            raise PolicyLookupError(
                f"unknown document type {document_type!r} for {municipality}/{department}; "
                f"known: {', '.join(sorted(dept.document_types))}"
            )
        options = {name: getattr(self.document.defaults, name) for name in OPTION_NAMES}
        for level in (town, dept, doc):
            for name in level.model_fields_set & set(OPTION_NAMES):
                options[name] = getattr(level, name)
        registered = bool(options["registered"])
        return RoutingRule(
            channel=options["channel"],
            registered=registered,
            # Registered mail has its own tariff: the class follows from it, whatever was chosen.
            postage_class="registered" if registered else options["postage_class"],
            escalate_unread_after_days=options["escalate_unread_after_days"],
            print_lead_time_days=options["print_lead_time_days"],
            message_type_id=options["message_type_id"] or document_type,
        )

    def allowed_languages(self, municipality: str) -> frozenset[str]:
        town = self._municipality(municipality)
        return frozenset(town.languages) if town.languages else allowed_languages(municipality)

    def sender(self, municipality: str) -> SenderBlock:
        s = self._municipality(municipality).sender
        return SenderBlock(s.name, tuple(s.lines), tuple(s.return_lines) if s.return_lines else None)

    def rules(self) -> list[tuple[str, str, str, RoutingRule]]:
        """Every (municipality, department, document type, resolved rule), sorted."""
        return [
            (m, d, t, self.resolve(m, d, t))
            for m, town in sorted(self.document.municipalities.items())
            for d, dept in sorted(town.departments.items())
            for t in sorted(dept.document_types)
        ]

    def _municipality(self, municipality: str) -> MunicipalityPolicy:
        town = self.document.municipalities.get(municipality)
        if town is None:
            try:
                name = municipality_name(municipality)
            except UnknownMunicipality as exc:  # "unknown municipality … (not a REFNIS code)"
                raise PolicyLookupError(str(exc)) from None
            raise PolicyLookupError(f"municipality {municipality} ({name}) has no rollout policy: not onboarded")
        return town
