"""Turning a stored insert decision into its page: the points' cards in the letter's language,
the municipality's name, and the short link of the QR code.

The link names the campaign and the nearest point, never the recipient:
`<booking>/b/<campaign>/<point>` (booking redirects it to the booking page, prefilled for an
eBox activation there, and counts the visit), or `<booking>/b/<campaign>` for the finder when
no point is known. The same page serves every letter with the same points, language and
variant, so a batch renders each once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from uuid import UUID

from loket.contracts.points import AssistancePointPublishedPayload, Weekday
from loket.contracts.reference.geography import distance_km, postcode_location
from services.ebox_bridge.campaign.repository import PrintedInsert
from services.ebox_bridge.paper.insert_page import InsertContent, InsertPoint, insert_page

WEEK: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def campaign_link(booking_url: str, campaign: str, point_id: str | None, language: str) -> str:
    """The booking page opens in the language of the letter: `?lang=` says which (not personal)."""
    base = f"{booking_url.rstrip('/')}/b/{campaign}"
    return f"{base}/{point_id}?lang={language}" if point_id else f"{base}?lang={language}"


class InsertPages:
    """letter → its insert page (bytes), or None for a letter without one."""

    def __init__(self, inserts: Mapping[UUID, PrintedInsert], cards: Mapping[str, AssistancePointPublishedPayload],
                 booking_url: str, sender_name: Callable[[str], str]) -> None:
        self.inserts, self.cards, self.booking_url, self.sender_name = inserts, cards, booking_url, sender_name

    def reading_help_link(self, language: str) -> str:
        """Where the paper copy of an unread eBox letter sends a reader who needs help with it:
        the finder, in the letter's language (the nearest free help, to book or walk in)."""
        return f"{self.booking_url.rstrip('/')}/public/find?lang={language}"

    def __call__(self, letter_id: UUID, municipality: str, language: str, postcode: str) -> bytes | None:
        printed = self.inserts.get(letter_id)
        if printed is None:
            return None
        known = tuple(p for p in printed.point_ids if p in self.cards)
        return self._page(printed.variant, printed.campaign, known, language, self.sender_name(municipality),
                          postcode)

    @functools.lru_cache(maxsize=512)  # noqa: B019 (one InsertPages per batch: it dies with the batch)
    def _page(self, variant: str, campaign: str, point_ids: tuple[str, ...], language: str, sender: str,
              postcode: str) -> bytes:
        try:
            origin: tuple[float, float] | None = postcode_location(postcode)
        except ValueError:
            origin = None
        points = tuple(_point(self.cards[p], language, origin) for p in point_ids)
        link = campaign_link(self.booking_url, campaign, point_ids[0] if point_ids else None, language)
        return insert_page(InsertContent(language=language, variant=variant, sender_name=sender, points=points,
                                         link=link))


def _point(card: AssistancePointPublishedPayload, language: str,
           origin: tuple[float, float] | None) -> InsertPoint:
    names = {str(lang): text for lang, text in card.name.items()}
    name = names.get(language) or next(iter(names.values()))
    hours = tuple((day, tuple(card.walk_in_hours[day])) for day in WEEK if card.walk_in_hours.get(day))
    km = distance_km(*origin, card.latitude, card.longitude) if origin else None
    return InsertPoint(name=name, street_line=f"{card.address.street} {card.address.number}",
                       town_line=f"{card.address.postcode} {card.address.town}", walk_in_hours=hours,
                       phone=card.phone, distance_km=km)
