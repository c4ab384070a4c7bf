"""Screens without a person: a waiting-room display or a ticket kiosk holds a device key (an API
key with the device role, bound to its points) in an HttpOnly cookie, set by the device link a
point manager issues. The key is verified like a bearer key, so revoking it on the key page
stops the screen."""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import Request

from loket.infra.http.signin.cookies import CookiePolicy
from loket.infra.identity.key_verifier import KeyVerifier, Refusal
from loket.infra.identity.principal import Location, Principal
from loket.infra.identity.roles import Role
from services.booking.points.model import AssistancePoint

DEVICE_COOKIE = "loket_device"


class DeviceAccess:
    def __init__(self, verifier: KeyVerifier, cookies: CookiePolicy) -> None:
        self.verifier, self.cookies = verifier, cookies

    def key(self, request: Request) -> str | None:
        return self.cookies.read(DEVICE_COOKIE, request)

    async def principal(self, request: Request) -> Principal | None:
        token = self.key(request)
        if not token:
            return None
        found = await self.verifier.authenticate(token)
        return None if isinstance(found, Refusal) else found

    @staticmethod
    def may_serve(principal: Principal | None, point: AssistancePoint) -> bool:
        """A device bound to this point (or the operator's key, for trying a screen out)."""
        return (principal is not None and principal.role in (Role.DEVICE, Role.OPERATOR)
                and principal.reaches(Location(point.municipality, point.point_id)))


def form_token(device_key: str) -> str:
    """The kiosk's CSRF token: derived from the device key, which a foreign page cannot read."""
    return hmac.new(device_key.encode(), b"kiosk-form", hashlib.sha256).hexdigest()
