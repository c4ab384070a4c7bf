"""E-mail through SMTP with aiosmtplib (STARTTLS or TLS, and auth, as configured).

The Message-ID is derived from the idempotency key, so a resend after a crash carries the
same id and receiving systems can recognise the duplicate (SMTP itself cannot refuse it).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from services.notify.providers.outcome import Accepted, Outcome, Permanent, Retryable


class EmailSender:
    def __init__(self, host: str, port: int, sender: str, username: str | None, password: str | None,
                 starttls: bool, tls: bool, timeout_s: float) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.starttls, self.tls, self.timeout_s = starttls, tls, timeout_s

    async def send(self, to: str, subject: str, body: str, language: str, idempotency_key: str) -> Outcome:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Date"] = formatdate(localtime=False)
        domain = self.sender.rsplit("@", 1)[-1].strip(">") or "loket.invalid"
        message_id = f"<{idempotency_key.replace(':', '.')}@{domain}>"
        message["Message-ID"] = message_id
        message.set_content(body)
        message["Content-Language"] = language  # after set_content, which resets Content-* headers
        try:
            await aiosmtplib.send(message, hostname=self.host, port=self.port, username=self.username,
                                  password=self.password, start_tls=self.starttls, use_tls=self.tls,
                                  timeout=self.timeout_s)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return Permanent(f"the mail server refused the address: {exc}")
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                return Permanent(f"the mail server refused the message ({exc.code}): {exc.message}")
            return Retryable(f"mail server said {exc.code}: {exc.message}")
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            return Retryable(f"mail server unreachable: {type(exc).__name__}")
        return Accepted(message_id, delivered=True)
