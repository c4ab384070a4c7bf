"""The session cookie and the sign-in form's cookie: their names and attributes.

Over HTTPS (and by default anywhere but loopback) cookies are `Secure` and carry the `__Host-`
prefix, which makes the browser refuse them unless Secure, host-only and for path `/`: a
neighbouring subdomain cannot plant or overwrite them. On http://127.0.0.1 (development, tests)
a browser would drop a Secure cookie, so the plain name is used there. Always `HttpOnly` (no
script reads them) and `SameSite=Lax`: Strict would withhold the cookie on the redirect back
from another site (a link in an e-mail, a future OpenID Connect provider), Lax still keeps it off
cross-site POSTs.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

SESSION = "loket_session"
SIGNIN_FORM = "loket_signin"  # holds the CSRF token of the sign-in form, before any session exists
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class CookiePolicy:
    def __init__(self, secure: bool | None) -> None:
        """`secure`: the `LOKET_COOKIE_SECURE` setting; None decides per request (see above)."""
        self.secure = secure

    def is_secure(self, connection: HTTPConnection) -> bool:
        if self.secure is not None:
            return self.secure
        return connection.url.scheme == "https" or connection.url.hostname not in _LOOPBACK

    def name(self, base: str, connection: HTTPConnection) -> str:
        return f"__Host-{base}" if self.is_secure(connection) else base

    def read(self, base: str, connection: HTTPConnection) -> str | None:
        return connection.cookies.get(self.name(base, connection)) or None

    def write(self, response: Response, base: str, value: str, connection: HTTPConnection,
              max_age: int | None = None) -> None:
        # No max_age for the session: it ends with the browser (a shared counter computer), and the
        # server ends it after 12 hours regardless.
        response.set_cookie(self.name(base, connection), value, max_age=max_age, path="/",
                            secure=self.is_secure(connection), httponly=True, samesite="lax")

    def clear(self, response: Response, base: str, connection: HTTPConnection) -> None:
        response.delete_cookie(self.name(base, connection), path="/", secure=self.is_secure(connection),
                               httponly=True, samesite="lax")
