"""Belgium's ten legal public holidays, from `belgica`'s official data (rules plus the years a
royal decree moved one), with Easter from python-dateutil."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources

from dateutil.easter import easter


@cache
def _definitions() -> dict:  # type: ignore[type-arg]
    return json.loads(resources.files("belgica").joinpath("data/public-holidays.json").read_text())


@cache
def public_holidays(year: int) -> dict[dt.date, str]:
    """Date → holiday id (e.g. `national-day`) for one year."""
    data = _definitions()
    days: dict[dt.date, str] = {}
    for holiday in data["holidays"]:
        rule = holiday["rule"]
        if rule["type"] == "fixed":
            day = dt.date(year, rule["month"], rule["day"])
        else:
            day = easter(year) + dt.timedelta(days=rule["daysAfterEaster"])
        days[day] = holiday["id"]
    for moved in data.get("replacements", []):
        replaced = dt.date.fromisoformat(moved["replaces"])
        if replaced.year == year and days.get(replaced) == moved["holiday"]:
            del days[replaced]
            days[dt.date.fromisoformat(moved["day"])] = moved["holiday"]
    return days


def is_public_holiday(day: dt.date) -> bool:
    return day in public_holidays(day.year)
