"""The `/v1/print-batches` endpoints: a print house lists its batches, downloads their files and
sends its answer (printed / posted / returned per letter), as `loket print confirm` does.

A print-house key acts for one municipality, and a batch holds every municipality's letters of
its cut-off in one PDF: the key sees (lists, downloads, confirms) a batch only if every letter in
it is its municipality's; any other batch is unknown to it (404). The operator sees every batch.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from loket.infra.db.outbox import Outbox
from loket.infra.identity.principal import Principal
from loket.infra.identity.roles import Role
from services.ebox_bridge.api.endpoint import Endpoint
from services.ebox_bridge.api.models import dump
from services.ebox_bridge.api.print_house_batches import PrintBatchReading
from services.ebox_bridge.api.print_house_confirmations import PrintConfirming
from services.ebox_bridge.api.print_house_models import (
    BATCH_FILES,
    BatchListQuery,
    ConfirmationFile,
    ConfirmationResult,
    PrintBatchList,
    PrintBatchView,
)
from services.ebox_bridge.api.problems import ApiProblem, field_errors, invalid, not_found

PRINT_HOUSES = frozenset({Role.PRINT_HOUSE, Role.OPERATOR})
# An answer names every letter of a batch (about 100 bytes a line); a day's batch of a large
# city runs to tens of thousands of letters.
CONFIRMATION_BODY_LIMIT = 16 * 1024 * 1024
# What batch_id_for makes; anything else names no batch (and never reaches the database or a path).
_BATCH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_SCOPE = ("A print-house key sees a batch only if every letter in it is its municipality's "
          "(other batches answer 404); the operator sees every batch.")
_FILE_MEDIA = {
    "application/pdf": {"schema": {"type": "string", "contentMediaType": "application/pdf"}},
    "application/json": {"schema": {"type": "object", "description": "The manifest: batch totals and a "
                                                                      "letters list in print order"}},
    "text/csv": {"schema": {"type": "string", "description": "The manifest, one letter a line"}},
}
_CSV_BODY = {"text/csv": {"schema": {"type": "string", "description": "letter_id,status[,at,reason,batch_id]"}}}


class PrintHouseRoutes:
    def __init__(self, schema: str, pool: Callable[[], asyncpg.Pool], outbox: Outbox,
                 spool_dir: Callable[[], Path], clock: Callable[[], dt.datetime]) -> None:
        self.reading = PrintBatchReading(schema, pool, spool_dir)
        self.confirming = PrintConfirming(schema, pool, outbox, self.reading, clock)

    def endpoints(self) -> list[Endpoint]:
        common: dict[str, Any] = {"roles": PRINT_HOUSES, "tag": "print house"}
        return [
            Endpoint("GET", "/v1/print-batches", self.list_print_batches,
                     f"Your print batches, newest first. {_SCOPE}", query=BatchListQuery,
                     response=PrintBatchList, **common),
            Endpoint("GET", "/v1/print-batches/{batch_id}", self.get_print_batch,
                     "A print batch: counts, files and how far its confirmation got", response=PrintBatchView,
                     **common),
            Endpoint("GET", "/v1/print-batches/{batch_id}/files/{name}", self.download_batch_file,
                     f"A batch file ({', '.join(BATCH_FILES)}), with its SHA-256 in Repr-Digest and ETag",
                     errors=(409, 410), other_responses=_FILE_MEDIA,
                     response_headers=(("Repr-Digest", "sha-256=:<base64>: of the file (RFC 9530)"),
                                       ("ETag", "the file's SHA-256 in hex, quoted"),
                                       ("Content-Disposition", "attachment; filename=<name>")), **common),
            Endpoint("POST", "/v1/print-batches/{batch_id}/confirmations", self.confirm_print_batch,
                     "Record printed / posted / returned for letters of the batch (JSON or text/csv). "
                     "All or nothing: any bad entry gives 422 naming each one, and nothing is recorded; "
                     "sending the same answer again is harmless", body=ConfirmationFile,
                     other_bodies=_CSV_BODY, response=ConfirmationResult, **common),
        ]

    async def list_print_batches(self, request: Request, principal: Principal) -> tuple[int, Any]:
        try:
            query = BatchListQuery.model_validate(dict(request.query_params))
        except ValidationError as exc:
            raise invalid(field_errors(exc, ("query",)), "Invalid query") from None
        batches = await self.reading.batches(principal, query.limit, _base(request))
        return 200, dump(PrintBatchList(batches=batches))

    async def get_print_batch(self, request: Request, principal: Principal) -> tuple[int, Any]:
        return 200, dump(await self.reading.batch(principal, _batch_id(request), _base(request)))

    async def download_batch_file(self, request: Request, principal: Principal) -> Response:
        name = request.path_params["name"]
        found = await self.reading.file(principal, _batch_id(request), name)
        # FileResponse streams from disk in chunks (a day's PDF may be large) and serves ranges.
        return FileResponse(found.path, media_type=found.media_type, filename=name, stat_result=found.stat,
                            headers={"Repr-Digest": found.repr_digest, "ETag": found.etag})

    async def confirm_print_batch(self, request: Request, principal: Principal) -> tuple[int, Any]:
        batch_id = _batch_id(request)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in ("application/json", "text/csv"):
            raise ApiProblem(415, "Unsupported media type", "send the answer as application/json or text/csv")
        try:
            # utf-8-sig: spreadsheet exports often start with a byte order mark.
            text = (await request.body()).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ApiProblem(400, "Not UTF-8", f"the body is not UTF-8 (byte {exc.start})") from None
        result = await self.confirming.confirm(principal, batch_id, text, as_json=media == "application/json")
        return 200, dump(result)


def _batch_id(request: Request) -> str:
    batch_id = request.path_params["batch_id"]
    if not _BATCH_ID.fullmatch(batch_id):
        raise not_found("print batch", batch_id[:64])
    return batch_id


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")
