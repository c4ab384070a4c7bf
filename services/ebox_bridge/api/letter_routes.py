"""The `/v1/letters` endpoints: parse, call the use case, answer."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from starlette.requests import Request

from loket.infra.identity.principal import Principal
from services.ebox_bridge.api.cancelling import LetterCancelling
from services.ebox_bridge.api.endpoint import Endpoint, json_body, parsed_json
from services.ebox_bridge.api.letter_reading import LetterReading, query_of
from services.ebox_bridge.api.models import (
    MAX_BATCH,
    BatchRequest,
    BatchResult,
    LetterAccepted,
    LetterPage,
    LetterRequest,
    LetterView,
    ListQuery,
    dump,
)
from services.ebox_bridge.api.multipart import form_parts
from services.ebox_bridge.api.problems import FieldError, invalid, not_found
from services.ebox_bridge.api.submission import (
    LetterSubmission,
    accepted_body,
    acting_municipality,
    checked_key,
)
from services.ebox_bridge.api.uploads import with_document

# The other way to send a letter: its JSON without the document, and the PDF as bytes.
UPLOAD_SCHEMA = {
    "type": "object", "required": ["letter", "pdf"],
    "properties": {"letter": {"$ref": "#/components/schemas/LetterRequest"},
                   "pdf": {"type": "string", "contentMediaType": "application/pdf"}},
}
IDEMPOTENCY_HEADER = ("Idempotency-Key", "Same key and body: the same answer again; same key, other body: 409. "
                                         "Remembered for 24 hours; after that it may count as new.")


class LetterRoutes:
    def __init__(self, submission: LetterSubmission, reading: LetterReading, cancelling: LetterCancelling,
                 document_root: Path | None) -> None:
        self.submission, self.reading, self.cancelling = submission, reading, cancelling
        self.document_root = document_root

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("POST", "/v1/letters", self.send_letter, "Send a letter (eBox first, paper if needed)",
                     body=LetterRequest, response=LetterAccepted, status=202, errors=(409,),
                     headers=(IDEMPOTENCY_HEADER,), other_bodies={"multipart/form-data": {"schema": UPLOAD_SCHEMA}},
                     links={"GetLetter": ("get_letter", {"letter_id": "letter_id"}),
                            "CancelLetter": ("cancel_letter", {"letter_id": "letter_id"})}),
            Endpoint("POST", "/v1/letters/batch", self.send_letters, f"Send up to {MAX_BATCH} letters, answered per item",
                     body=BatchRequest, response=BatchResult, headers=(IDEMPOTENCY_HEADER,), errors=(409,)),
            Endpoint("GET", "/v1/letters", self.list_letters, "Your municipality's letters, newest first",
                     query=ListQuery, response=LetterPage),
            Endpoint("GET", "/v1/letters/{letter_id}", self.get_letter, "A letter's status, channels and history",
                     response=LetterView),
            Endpoint("POST", "/v1/letters/{letter_id}/cancel", self.cancel_letter,
                     "Cancel a letter not yet published nor in a closed print batch", response=LetterView,
                     errors=(409,)),
        ]

    async def send_letter(self, request: Request, principal: Principal) -> tuple[int, Any]:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            return await self._upload(request, principal, form_parts(content_type, await request.body()))
        body = await json_body(request)
        key = checked_key(request.headers.get("idempotency-key"))
        municipality = acting_municipality(principal, body)
        base = _base(request)

        async def answer(conn: Any) -> tuple[int, Any]:
            outcome = (await self.submission.accept(conn, principal, [body]))[0]
            if outcome.problem is not None:
                raise outcome.problem
            assert outcome.letter_id is not None
            return 202, accepted_body(base, outcome.letter_id)

        return await self.submission.idempotent(municipality, key, body, answer)

    async def _upload(self, request: Request, principal: Principal, parts: dict[str, bytes]) -> tuple[int, Any]:
        """A letter as a JSON part `letter` and its PDF as a part `pdf`."""
        missing = [FieldError(pointer=f"/{name}", detail=f"the multipart body needs a part named {name!r}")
                   for name in ("letter", "pdf") if name not in parts]
        if missing:
            raise invalid(missing)
        letter = parsed_json(parts["letter"], "the letter part")
        if not isinstance(letter, dict):
            raise invalid([FieldError(pointer="", detail="the letter part is a JSON object")])
        if doubled := [name for name in ("pdf_base64", "document_ref", "sha256") if name in letter]:
            raise invalid([FieldError(pointer=f"/{name}", detail="the PDF travels in the pdf part only")
                           for name in doubled])
        pdf = parts["pdf"]
        key = checked_key(request.headers.get("idempotency-key"))
        municipality = acting_municipality(principal, letter)
        base = _base(request)

        async def answer(conn: Any) -> tuple[int, Any]:
            letter_id = _chosen_id(letter)
            item, written = with_document(letter, pdf, letter_id, municipality, self.document_root)
            try:
                outcome = (await self.submission.accept(conn, principal, [item]))[0]
                if outcome.problem is not None:
                    for error in outcome.problem.errors:  # the document came as the pdf part
                        if error.pointer in ("/pdf_base64", "/document_ref", "/sha256"):
                            error.pointer = "/pdf"
                    raise outcome.problem
            except BaseException:
                if written is not None:
                    written.unlink(missing_ok=True)
                raise
            assert outcome.letter_id is not None
            return 202, accepted_body(base, outcome.letter_id)

        fingerprint = {"letter": letter, "pdf_sha256": hashlib.sha256(pdf).hexdigest()}
        return await self.submission.idempotent(municipality, key, fingerprint, answer)

    async def send_letters(self, request: Request, principal: Principal) -> tuple[int, Any]:
        body = await json_body(request)
        key = checked_key(request.headers.get("idempotency-key"))
        items = body.get("letters") if isinstance(body, dict) else None
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH or set(body) != {"letters"}:
            raise invalid([FieldError(pointer="/letters", detail=f"send {{\"letters\": [...]}} with 1 to {MAX_BATCH} letters")])
        municipality = acting_municipality(principal, items[0])
        base = _base(request)

        async def answer(conn: Any) -> tuple[int, Any]:
            outcomes = await self.submission.accept(conn, principal, items)
            results = []
            for index, outcome in enumerate(outcomes):
                if outcome.problem is None:
                    assert outcome.letter_id is not None
                    results.append({"index": index, **accepted_body(base, outcome.letter_id), "status": 202})
                else:
                    problem = outcome.problem.body()
                    for error in problem.get("errors", []):
                        error["pointer"] = f"/letters/{index}{error['pointer']}"
                    results.append({"index": index, "status": outcome.status, "problem": problem})
            accepted = sum(1 for r in results if r["status"] == 202)
            return 200, {"accepted": accepted, "refused": len(results) - accepted, "results": results}

        return await self.submission.idempotent(municipality, key, body, answer)

    async def get_letter(self, request: Request, principal: Principal) -> tuple[int, Any]:
        return 200, dump(await self.reading.one(principal, _letter_id(request)))

    async def list_letters(self, request: Request, principal: Principal) -> tuple[int, Any]:
        params = dict(request.query_params)
        municipality = acting_municipality(principal, {"municipality": params.pop("municipality", None)})
        page = await self.reading.page(principal, municipality, query_of(params))
        return 200, dump(page)

    async def cancel_letter(self, request: Request, principal: Principal) -> tuple[int, Any]:
        letter_id = _letter_id(request)
        await self.cancelling.cancel(principal, letter_id)
        return 200, dump(await self.reading.one(principal, letter_id))


def _chosen_id(letter: dict[str, Any]) -> uuid.UUID:
    if "letter_id" not in letter:
        return uuid.uuid4()
    try:
        return uuid.UUID(str(letter["letter_id"]))
    except ValueError:
        raise invalid([FieldError(pointer="/letter_id", detail="letter_id is a UUID")]) from None


def _letter_id(request: Request) -> uuid.UUID:
    # A path is an address, not a form: anything but a UUID names no letter.
    try:
        return uuid.UUID(request.path_params["letter_id"])
    except ValueError:
        raise not_found("letter", request.path_params["letter_id"][:64]) from None


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")
