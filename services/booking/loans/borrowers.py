"""Who borrows, without knowing who they are: a borrower is the keyed hash of their normalised
phone number (E.164) or, without one, their e-mail address (`loket.infra.contact_keys`), the
same kind of key notify keeps for opt-outs and sending limits. Stable across loans and
waitlists, so their open loans can be counted; never a national number, and the contact itself
is only kept as long as reminders need it."""

from __future__ import annotations

from loket.contracts.values import ContactDetails
from loket.infra.contact_keys import ContactKeys


def borrower_key(contact: ContactDetails, keys: ContactKeys) -> str:
    if not (contact.phone or contact.email):
        raise ValueError("a borrower needs a phone number or an e-mail address")
    return keys.of(contact)
