"""Fetching a document over https from an allowed host: streamed with a size cap, within timeouts,
without following redirects (a redirect could lead off the allow-list)."""

from __future__ import annotations

import aiohttp

from loket.infra.errors import TransientError
from services.ebox_bridge.domain.intake import IntakeRejected

_CHUNK = 256 * 1024


class DocumentUnavailable(TransientError):
    """The document host did not answer usefully now (timeout, 5xx, 429): try again later."""


async def fetch_remote(url: str, max_bytes: int, timeout_s: float) -> bytes:
    timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=min(10.0, timeout_s), sock_read=timeout_s)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(
            url, allow_redirects=False, headers={"Accept": "application/pdf"}
        ) as response:
            _check_status(response.status)
            if response.content_length is not None and response.content_length > max_bytes:
                raise IntakeRejected(
                    f"referenced PDF is {response.content_length} bytes, more than the limit of {max_bytes}"
                )
            chunks, total = [], 0
            async for chunk in response.content.iter_chunked(_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise IntakeRejected(f"referenced PDF is more than the limit of {max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DocumentUnavailable(f"document host unreachable: {type(exc).__name__}") from None


def _check_status(status: int) -> None:
    if status == 200:
        return
    if status == 429 or status >= 500:
        raise DocumentUnavailable(f"document host answered {status}")
    if 300 <= status < 400:
        raise IntakeRejected(f"document host answered a redirect ({status}); redirects are not followed")
    raise IntakeRejected(f"document host answered {status} for document_ref")
