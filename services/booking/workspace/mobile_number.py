"""The kiosk's optional mobile number: a Belgian or international mobile number in E.164, for
one text message. Landlines are refused (they cannot receive the SMS)."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType


def mobile_e164(text: str) -> str | None:
    """The number in E.164, or None when it is not a valid mobile number."""
    try:
        number = phonenumbers.parse(text, "BE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
