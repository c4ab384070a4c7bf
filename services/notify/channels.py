"""The two ways a message leaves: the SMS provider, behind a token bucket at its published
rate, and SMTP. A channel left unconfigured fails its messages permanently, so they fall back
to the citizen's next channel."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from services.notify.providers.email import EmailSender
from services.notify.providers.outcome import Outcome, Permanent, Retryable
from services.notify.providers.sms import SmsProvider
from services.notify.rendering import render
from services.notify.repository import Notification
from services.notify.token_bucket import TokenBucket


class Channels:
    def __init__(self, sms: SmsProvider | None, email: EmailSender | None, sms_bucket: TokenBucket) -> None:
        self.sms, self.email, self.sms_bucket = sms, email, sms_bucket

    @contextlib.asynccontextmanager
    async def opened(self) -> AsyncIterator[None]:
        """The SMS provider's HTTP session, held open for as long as the dispatch loops run."""
        async with contextlib.AsyncExitStack() as stack:
            if self.sms is not None:
                await stack.enter_async_context(self.sms)
            yield

    async def send(self, n: Notification, address: str, sms_sender: str | None = None) -> Outcome:
        message = render(n.kind, n.language, n.context)
        if n.channel == "sms":
            if self.sms is None:
                return Permanent("no SMS provider is configured (LOKET_SMS_URL)")
            await self.sms_bucket.acquire()
            outcome = await self.sms.send(address, message.body, str(n.channel_notification_id()),
                                          n.idempotency_key(), sender=sms_sender)
            if isinstance(outcome, Retryable) and outcome.retry_after_s:
                await self.sms_bucket.pause(outcome.retry_after_s)
            return outcome
        if self.email is None:
            return Permanent("no mail server is configured (LOKET_SMTP_HOST)")
        return await self.email.send(address, message.subject, message.body, n.language, n.idempotency_key())
