"""Where a message goes on a channel, validated: `phonenumbers` for SMS (Belgian and
international), `email-validator` for e-mail (syntax only: no DNS look-ups at send time).
Invalid contact data is a permanent failure with the reason; so is an SMS to a country the
municipality does not send to (the channel ladder then tries e-mail)."""

from __future__ import annotations

from collections.abc import Collection

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from loket.contracts.values import ContactDetails
from loket.infra.identity.tenants import DEFAULT_SMS_COUNTRIES


class InvalidAddress(ValueError):
    pass


def address_for(channel: str, contact: ContactDetails,
                sms_countries: Collection[str] = DEFAULT_SMS_COUNTRIES) -> str:
    if channel == "sms":
        if not contact.phone:
            raise InvalidAddress("no phone number")
        try:
            number = phonenumbers.parse(contact.phone, "BE")
        except phonenumbers.NumberParseException:
            raise InvalidAddress("the phone number cannot be read") from None
        if not phonenumbers.is_valid_number(number):
            raise InvalidAddress("the phone number is not a valid number")
        if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
            raise InvalidAddress("the phone number is not a mobile number (SMS cannot reach it)")
        if (country := phonenumbers.region_code_for_number(number)) not in sms_countries:
            raise InvalidAddress(f"SMS to numbers in {country} are not sent for this municipality "
                                 f"(allowed: {', '.join(sorted(sms_countries))})")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if channel == "email":
        if not contact.email:
            raise InvalidAddress("no e-mail address")
        try:
            return validate_email(contact.email, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise InvalidAddress(f"the e-mail address is not valid: {exc}") from None
    raise InvalidAddress(f"unknown channel {channel}")
