"""Who borrows, without knowing who they are: a borrower is the SHA-256 of their normalised
phone number (E.164) or, without one, their e-mail address: `ContactDetails.key`, the key
notify uses for opt-outs and throttling. Stable across loans and waitlists, so their open loans can be counted;
never a national number, and the contact itself is only kept as long as reminders need it."""

from __future__ import annotations

from loket.contracts.values import ContactDetails


def borrower_key(contact: ContactDetails) -> str:
    if not (contact.phone or contact.email):
        raise ValueError("a borrower needs a phone number or an e-mail address")
    return contact.key()
