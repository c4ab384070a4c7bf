"""Dates and times as people read them, in NL, FR, DE or EN and Brussels time: the weekday and
the month in words (`donderdag 3 december 10:30`), because a bare `03/12` is easy to misread and
an ISO date reads like a code. Shared by notify's messages and the citizen pages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

BRUSSELS = ZoneInfo("Europe/Brussels")
LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}
_WHEN = {"nl": "EEEE d MMMM HH:mm", "fr": "EEEE d MMMM HH:mm", "de": "EEEE, d. MMMM HH:mm", "en": "EEEE d MMMM HH:mm"}
_DAY = {"nl": "EEEE d MMMM", "fr": "EEEE d MMMM", "de": "EEEE, d. MMMM", "en": "EEEE d MMMM"}
_DATE = {"nl": "d MMMM", "fr": "d MMMM", "de": "d. MMMM", "en": "d MMMM"}  # German writes the day as an ordinal: 7. Dezember
_DATE_IN_YEAR = {"nl": "d MMM y", "fr": "d MMM y", "de": "d. MMM y", "en": "d MMM y"}
_MOMENT_IN_YEAR = {language: f"{pattern} HH:mm" for language, pattern in _DATE_IN_YEAR.items()}


def when_words(instant: dt.datetime, language: str) -> str:
    """`maandag 30 maart 09:00`, `lundi 30 mars 09:00`, … in Brussels time."""
    return format_datetime(instant, _WHEN[language], tzinfo=BRUSSELS, locale=LOCALES[language])


def weekday_words(day: dt.date, language: str) -> str:
    """`maandag 30 maart`, `Montag, 30. März`, …"""
    return format_date(day, _DAY[language], locale=LOCALES[language])


def day_words(day: dt.date, language: str) -> str:
    """`30 maart`, `30 mars`, `30. März`, … (no weekday)."""
    return format_date(day, _DATE[language], locale=LOCALES[language])


def month_words(day: dt.date, language: str) -> str:
    """The month `day` falls in: `januari 2026`, `janvier 2026`, `Januar 2026`, `January 2026`."""
    return format_date(day, "LLLL y", locale=LOCALES[language])


def date_in_year_words(day: dt.date, language: str) -> str:
    """`5 mrt 2026`, `5 mars 2026`, `5. März 2026`, `5 Mar 2026`: the month abbreviated where the
    language does, with the year (a table of figures spans years)."""
    return format_date(day, _DATE_IN_YEAR[language], locale=LOCALES[language])


def moment_in_year_words(instant: dt.datetime, language: str) -> str:
    """`7 dec 2026 10:44`, `7. Dez. 2026 10:44`, … in Brussels time: a record in a history that
    spans years."""
    return format_datetime(instant, _MOMENT_IN_YEAR[language], tzinfo=BRUSSELS, locale=LOCALES[language])
