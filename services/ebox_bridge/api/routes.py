"""The bridge's HTTP API as Starlette routes, with its OpenAPI document at `/docs/openapi.json`."""

from __future__ import annotations

from starlette.routing import BaseRoute

from loket.contracts.letters import MAX_INLINE_BASE64_CHARS
from loket.infra.http.openapi_document import openapi_route
from services.ebox_bridge.api.endpoint import Endpoint, to_route
from services.ebox_bridge.api.models import MAX_BATCH
from services.ebox_bridge.api.openapi import openapi_document
from services.ebox_bridge.api.print_house_routes import CONFIRMATION_BODY_LIMIT
from services.ebox_bridge.documents import MAX_REFERENCED_PDF_BYTES

# A letter carries its PDF in the body (base64 in JSON); a batch up to MAX_BATCH of them, but a
# batch of maximal letters would not fit in memory: batches are for the usual few-page letters.
# A multipart upload carries the PDF as bytes, up to the referenced-document limit.
LETTER_BODY_LIMIT = max(MAX_INLINE_BASE64_CHARS, MAX_REFERENCED_PDF_BYTES) + 1024 * 1024
BATCH_BODY_LIMIT = 64 * 1024 * 1024
BODY_LIMITS = (("/v1/letters", LETTER_BODY_LIMIT), ("/v1/letters/batch", BATCH_BODY_LIMIT),
               ("/v1/print-batches", CONFIRMATION_BODY_LIMIT))
assert BATCH_BODY_LIMIT >= MAX_BATCH * 32 * 1024


def api_routes(endpoints: list[Endpoint]) -> list[BaseRoute]:
    return [*(to_route(e) for e in endpoints), openapi_route(openapi_document(endpoints))]
