"""The rollout policy document (the YAML under deploy/policy/) and the rules resolved from it.

Inheritance: defaults < municipality < department < document type. Only the municipalities,
departments and document types listed are known: a letter for anything else is refused with
a message naming what is missing, because guessing a channel for an unknown document could
send a sanction to a mailbox nobody reads.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.ebox_bridge.policy.errors import PolicyLookupError
from services.ebox_bridge.policy.language_regime import allowed_languages, municipality_name
from services.ebox_bridge.sender_block import SenderBlock

ChannelPolicy = Literal["ebox_first", "paper_only", "both", "ebox_only"]
PostageChoice = Literal["non_prior", "prior"]
SLUG = r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleOptions(_Strict):
    """Options settable at every level; None means "inherit"."""

    channel: ChannelPolicy | None = None
    registered: bool | None = None
    postage_class: PostageChoice | None = None
    escalate_unread_after_days: int | None = Field(default=None, ge=1, le=365)
    print_lead_time_days: int | None = Field(default=None, ge=0, le=60)
    message_type_id: str | None = Field(default=None, min_length=1, max_length=64)


class DocumentTypePolicy(RuleOptions):
    pass


class DepartmentPolicy(RuleOptions):
    document_types: dict[str, DocumentTypePolicy] = Field(min_length=1)

    @field_validator("document_types")
    @classmethod
    def _slugs(cls, value: dict[str, DocumentTypePolicy]) -> dict[str, DocumentTypePolicy]:
        return _check_slugs(value, "document type")


class Sender(_Strict):
    name: str = Field(min_length=1, max_length=80)
    lines: list[str] = Field(min_length=1, max_length=4)
    return_lines: list[str] | None = None


class MunicipalityPolicy(RuleOptions):
    sender: Sender
    languages: list[Literal["nl", "fr", "de"]] | None = Field(default=None, min_length=1)
    departments: dict[str, DepartmentPolicy] = Field(min_length=1)

    @field_validator("departments")
    @classmethod
    def _slugs(cls, value: dict[str, DepartmentPolicy]) -> dict[str, DepartmentPolicy]:
        return _check_slugs(value, "department")


class Defaults(RuleOptions):
    channel: ChannelPolicy = "ebox_first"
    registered: bool = False
    postage_class: PostageChoice = "non_prior"
    print_lead_time_days: int = Field(default=3, ge=0, le=60)


class PolicyDocument(_Strict):
    defaults: Defaults = Defaults()
    municipalities: dict[str, MunicipalityPolicy] = Field(min_length=1)

    def canonical_json(self) -> str:
        return json.dumps(self.model_dump(mode="json", exclude_none=True), sort_keys=True, separators=(",", ":"))

    def fingerprint(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()


def _check_slugs(value: dict, what: str) -> dict:  # type: ignore[type-arg]
    bad = [k for k in value if not re.match(SLUG, k)]
    if bad:
        raise ValueError(f"{what} names must be lower-case slugs like 'tax_assessment' (got {', '.join(map(repr, bad))})")
    return value


@dataclass(frozen=True)
class RoutingRule:
    channel: str
    registered: bool
    postage_class: str  # non_prior | prior | registered
    escalate_unread_after_days: int | None
    print_lead_time_days: int
    message_type_id: str

    @property
    def may_need_paper(self) -> bool:
        return self.channel != "ebox_only"


class RolloutPolicy:
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
        levels = [self.document.defaults, town, dept, doc]

        def pick(name: str):  # type: ignore[no-untyped-def]
            value = None
            for level in levels:
                if getattr(level, name) is not None:
                    value = getattr(level, name)
            return value

        registered = bool(pick("registered"))
        return RoutingRule(
            channel=pick("channel"),
            registered=registered,
            postage_class="registered" if registered else pick("postage_class"),
            escalate_unread_after_days=pick("escalate_unread_after_days"),
            print_lead_time_days=pick("print_lead_time_days"),
            message_type_id=pick("message_type_id") or document_type,
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
            name = municipality_name(municipality)  # raises "unknown municipality … (not a REFNIS code)"
            raise PolicyLookupError(f"municipality {municipality} ({name}) has no rollout policy: not onboarded")
        return town
