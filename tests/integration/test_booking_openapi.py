"""schemathesis fuzzes the booking API from its own OpenAPI document: no 5xx, and every
answer matches the documented status codes, content types and schemas."""

from __future__ import annotations

from tests.support.booking_harness import running_booking
from tests.support.openapi_checks import CHECKS as CONFORMANCE
from tests.support.openapi_checks import operations_in_document, operations_tested, run_schemathesis

CHECKS = f"{CONFORMANCE},negative_data_rejection"


async def test_schemathesis_finds_no_server_errors_and_no_schema_violations(
        database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A generous public rate: the fuzzer should reach the handlers, not only the 429 answer.
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch,
                               booking_public_rate_per_minute=100_000, booking_public_burst=10_000) as booking:
        code, text = await run_schemathesis(f"{booking.base}/docs/openapi.json",
                                            {"Authorization": f"Bearer {booking.tokens['admin']}"}, 20261123,
                                            tmp_path, checks=CHECKS)
    assert code == 0, text[-6000:]
    # It really exercised the API: every operation of its document (the paths themselves show in
    # the output only where schemathesis warns about one, which depends on the data it made up).
    assert operations_tested(text) == operations_in_document(text) > 0, text[-3000:]
