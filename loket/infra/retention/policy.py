"""How many days a data class is kept, per municipality, from the tenants' `retention` settings.

A municipality without its own entry (or not onboarded) gets the platform's default, the
`Retention` model's own default: a purge never waits for configuration to exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from loket.infra.identity.tenants import Retention, Tenant


@dataclass(frozen=True)
class RetentionDays:
    default: int
    by_municipality: Mapping[str, int] = field(default_factory=dict)

    def for_municipality(self, municipality: str | None) -> int:
        return self.by_municipality.get(municipality or "", self.default)

    def sql_args(self) -> tuple[list[str], list[int], int]:
        """(municipalities, days, default) for SQL of the shape
        `COALESCE((SELECT d FROM unnest($m::text[], $d::int[]) AS r(m, d) WHERE r.m = x.municipality), $default)`."""
        codes = sorted(self.by_municipality)
        return codes, [self.by_municipality[c] for c in codes], self.default


def days_of(tenants: Mapping[str, Tenant], data_class: str) -> RetentionDays:
    """`data_class` is a field of `Retention` (e.g. "contact_days")."""
    default = getattr(Retention(), data_class)
    return RetentionDays(default, {code: getattr(t.retention, data_class) for code, t in tenants.items()})


# SQL fragment: the retention days of the row's municipality, from RetentionDays.sql_args() bound
# at $2, $3, $4 (the cut-off instant `now` is always $1).
DAYS_FOR = "COALESCE((SELECT r.d FROM unnest($2::text[], $3::int[]) AS r(m, d) WHERE r.m = {municipality}), $4)"
