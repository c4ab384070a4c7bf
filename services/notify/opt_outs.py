"""`POST /opt-outs` {phone | email}: a citizen asked for no more messages (recorded by staff or
a back-office, bearer token required). Only the contact's keyed hash is stored
(`loket.infra.contact_keys`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from loket.contracts.values import ContactDetails, E164Phone, Email
from loket.infra.http.auth import problem
from loket.infra.http.json_body import MalformedJson, UnstorableText, parse_json
from loket.infra.identity.authorization import Decision, decide
from loket.infra.identity.roles import Role
from loket.infra.runtime import Runtime
from services.notify.repository import NotifyRepository

# Whoever the citizen tells: a counter, a back-office. A contact's opt-out holds for every
# municipality (it is the citizen's wish, not the municipality's record), so no scope beyond the role.
RECORDERS = frozenset({Role.VOLUNTEER, Role.STAFF, Role.POINT_MANAGER, Role.MUNICIPALITY_ADMIN, Role.BACKOFFICE})


class OptOutRequest(BaseModel):
    """The phone number or e-mail address that gets no more messages (give at least one)."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
        {"required": ["email"], "properties": {"email": {"type": "string"}}}]})

    phone: E164Phone | None = None
    email: Email | None = None

    @field_validator("email")
    @classmethod
    def _unicode_text(cls, value: str | None) -> str | None:
        # The pattern takes any character but @ and spaces; a lone surrogate (valid in a JSON
        # escape, not in UTF-8) would only fail when the address is hashed.
        if value is not None and not value.isascii():
            try:
                value.encode()
            except UnicodeEncodeError:
                raise ValueError("the e-mail address holds a character that is not Unicode text") from None
        return value

    @model_validator(mode="after")
    def _one_contact(self) -> OptOutRequest:
        if not (self.phone or self.email):
            raise ValueError("give a phone number (E.164, e.g. +32470123456) or an e-mail address")
        return self


class OptedOut(BaseModel):
    opted_out: Literal[True] = True


def opt_out_routes(runtime: Runtime, repository: NotifyRepository) -> list[Route]:
    async def opt_out(request: Request) -> Response:
        principal = request.state.principal
        if decide(principal, RECORDERS, None) is not Decision.ALLOW:
            return problem(403, "Forbidden", f"opt-outs are recorded by {', '.join(sorted(RECORDERS))}; "
                                             f"{principal.name!r} is {principal.role}")
        try:
            body = parse_json(await request.body())
        except UnstorableText as exc:
            return problem(422, "Invalid opt-out", f"{'/'.join(map(str, exc.path)) or 'body'}: {exc}")
        except MalformedJson as exc:
            return problem(400, "Malformed JSON", str(exc))
        try:
            wanted = OptOutRequest.model_validate(body)
        except ValidationError as exc:
            return problem(422, "Invalid opt-out", validation_detail(exc))
        contact = ContactDetails(phone=wanted.phone, email=wanted.email, language="nl")
        async with runtime.db().acquire() as conn:
            await repository.add_opt_out(conn, contact)
        return JSONResponse(OptedOut().model_dump(), status_code=201)

    return [Route("/opt-outs", opt_out, methods=["POST"])]


def validation_detail(exc: ValidationError) -> str:
    """One line per invalid field, named by its place in the body: `email: String should match …`."""
    return "; ".join(f"{'/'.join(str(p) for p in e['loc']) or 'body'}: {e['msg'].removeprefix('Value error, ')}"
                     for e in exc.errors(include_url=False, include_input=False))
