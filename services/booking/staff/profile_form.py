"""A helper's profile form in the staff workspace, read into a changed helper (pure; no I/O):
languages and services as one checkbox field each, the Connectoo certificate's two dates. The
helper's model validates the result, as it validates the seed file."""

from __future__ import annotations

import datetime as dt

from services.booking.points.settings_form import LANGUAGE_CODES, checked
from services.booking.staff.model import Helper


def helper_form(helper: Helper) -> dict[str, str]:
    """The helper as the form shows it."""
    form = {f"language:{c}": "on" for c in helper.languages} | {f"service:{s}": "on" for s in helper.services}
    form["since"] = helper.connectoo_certified_on.isoformat() if helper.connectoo_certified_on else ""
    form["until"] = helper.connectoo_expires_on.isoformat() if helper.connectoo_expires_on else ""
    return form


def changed_helper(helper: Helper, form: dict[str, str], services: list[str]) -> Helper:
    """Raises ValueError (a date that is no date) or pydantic's ValidationError (no language, an
    expiry before the certificate)."""
    since, until = (dt.date.fromisoformat(v) if (v := form.get(k, "").strip()) else None for k in ("since", "until"))
    return Helper.model_validate({
        **helper.model_dump(mode="json"),
        "languages": checked(form, "language", LANGUAGE_CODES),
        "services": checked(form, "service", services),
        # A dated certificate replaces the seed's undated flag; clearing the date clears the flag.
        "connectoo_certified_on": since, "connectoo_expires_on": until, "connectoo_certified": since is not None,
    })
