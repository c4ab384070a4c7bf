"""Why a booking use case refuses, by meaning. Use cases raise these and know nothing of HTTP;
`services/booking/http/errors.py` is the one place that turns each kind into a status."""

from __future__ import annotations


class BookingError(Exception):
    """A refusal the citizen or helper can act on: `title` names it in a few words, `detail`
    says what happened and what to do instead. Raise a subclass, never this class itself."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(detail)
        self.title, self.detail = title, detail


class NotFound(BookingError):
    """No such point, appointment, link, device or visit."""


class Conflict(BookingError):
    """The request clashes with how things stand now: the slot was taken, the idempotency key
    was used for another booking, the device exists or is lent out, nobody is waiting…"""


class NotAllowed(BookingError):
    """The link is genuine but belongs to another appointment."""


class Gone(BookingError):
    """The link was used already or has expired."""


class NotOffered(BookingError):
    """The point does not offer what was asked: that language, that service, device lending."""


class Invalid(BookingError):
    """The request contradicts itself or the catalogue: dates reversed, a due date in the past,
    a service that cannot be booked."""


class ModelRefusal(ValueError):
    """A model validator's refusal with a stable `code`, so a page can say it in the reader's
    language (the English text is what the API and the logs show). Pydantic wraps it in its
    ValidationError; the original is in each error's `ctx["error"]`."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code
