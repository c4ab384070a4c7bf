"""How many days a data class is kept, per municipality, from the tenants' `retention` settings.

A municipality without its own entry (or not onboarded) gets the platform's default, the
`Retention` model's own default: a purge never waits for configuration to exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import asyncpg

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


def past_retention(instant_sql: str, municipality_sql: str) -> str:
    """SQL condition: `instant_sql` lies further back than the row's municipality keeps this data
    (`municipality_sql` names it). Binds `now` at $1 and the days at $2–$4: run it with
    `purged_rows`, which binds them (further arguments from $5)."""
    return f"{instant_sql} < $1::timestamptz - make_interval(days => {DAYS_FOR.format(municipality=municipality_sql)})"


async def purged_rows(conn: asyncpg.Connection, sql: str, now: dt.datetime, days: RetentionDays, *more: object) -> int:
    """Run a retention statement built with `past_retention`; how many rows it changed or removed."""
    status = await conn.execute(sql, now, *days.sql_args(), *more)
    return int(status.split()[-1])
