"""Every endpoint declares whose objects it touches; `to_route` checks the principal against it
before the handler runs. An endpoint cannot be declared without a scope (the authorisation
matrix test enumerates them all).

- `Open`: citizens' endpoints, no principal; the secret link or public data is the scope.
- `InPath("appointment_id", "appointment")`: the object named in the path.
- `InBody("point_id", "assistance point")`: the object named in the (validated) request body.
An unknown object and another tenant's object get the same 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request

from loket.infra.identity.roles import Role


@dataclass(frozen=True)
class Open:
    pass


@dataclass(frozen=True)
class InPath:
    param: str
    what: str  # one of services.booking.locations.KINDS

    def object_id(self, request: Request, kwargs: dict[str, Any]) -> str:
        return str(request.path_params[self.param])


@dataclass(frozen=True)
class InBody:
    field: str
    what: str

    def object_id(self, request: Request, kwargs: dict[str, Any]) -> str:
        body: BaseModel = kwargs["body"]
        return str(getattr(body, self.field))


Scope = Open | InPath | InBody
OPEN = Open()

# Who works with which endpoints. The platform operator may use every one (see `decide`).
KIOSK = frozenset({Role.DEVICE})
COUNTER = frozenset({Role.VOLUNTEER, Role.STAFF, Role.POINT_MANAGER, Role.MUNICIPALITY_ADMIN, Role.BACKOFFICE})
MANAGERS = frozenset({Role.POINT_MANAGER, Role.MUNICIPALITY_ADMIN, Role.BACKOFFICE})


@dataclass(frozen=True)
class Audited:
    """The endpoint reads or changes personal data: each successful call is appended to the audit
    trail as `action` on the object the scope names, or (`id_field`) the one the answer names."""

    action: str
    object_type: str
    id_field: str | None = None  # the answer's field holding the id of an object just created
