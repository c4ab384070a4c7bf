"""`LetterRecipientErased` → notify forgets the contact details of its messages about that
letter, as the bridge did for the letter itself (the citizen asked to be erased; notify keeps
messages by letter, never by national number, so it learns which letters from the bridge).

Messages still waiting are cancelled; on every message of the letter the phone number, e-mail
address and their hash are blanked, as retention does after `contact_days`. What was sent, when
and how it ended stays for the figures. Logged by count, never by contact."""

from __future__ import annotations

import logging

from loket.contracts.letter_status import LetterRecipientErased
from loket.infra.bus.handler_context import HandlerContext
from services.notify.repository import NotifyRepository

log = logging.getLogger(__name__)


class ForgetLetterContacts:
    def __init__(self, repository: NotifyRepository) -> None:
        self.repository = repository

    async def __call__(self, event: LetterRecipientErased, ctx: HandlerContext) -> None:
        erased = await self.repository.erase_contacts_of(ctx.conn, str(event.payload.letter_id))
        log.info("erasure %s: contact details of %d messages about a letter erased", event.payload.erasure_id, erased)
