"""Reading eBox answers: the `{id, code, message}` error body and the Retry-After header."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp


def retry_after(response: aiohttp.ClientResponse) -> float | None:
    """Seconds to wait, from either form RFC 9110 allows (delay-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


async def json_body(response: aiohttp.ClientResponse) -> Any:
    # Error answers from gateways may be HTML or empty; they must not mask the status code.
    try:
        return await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return None


def status_message(body: Any, status: int) -> tuple[str, str]:
    if isinstance(body, dict):
        return str(body.get("code", f"HTTP_{status}")), str(body.get("message", ""))
    return f"HTTP_{status}", ""
