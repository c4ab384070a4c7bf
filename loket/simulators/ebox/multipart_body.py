"""Multipart/form-data parsing (RFC 7578) for the simulator's publish endpoint.

Starlette's form parser needs python-multipart, which the project does not depend on. The
standard `email` parser was correct but cost about 1 ms per request in header objects, most
of the simulator's CPU in benchmarks that share the machine with the bridge; form-data is
simple enough to split directly: boundary lines, then headers and content per part.
"""

from __future__ import annotations

import base64
import re

from loket.simulators.ebox.errors import invalid_input

_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)
_NAME = re.compile(rb'(?:^|;)\s*name="([^"]*)"', re.IGNORECASE)


def parse_parts(content_type: str, body: bytes) -> dict[str, bytes]:
    """Map each part's form-data name to its raw bytes."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise invalid_input("the request must be multipart/form-data")
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise invalid_input("the multipart content type has no boundary")
    delimiter = b"--" + (match.group(1) or match.group(2)).encode("latin-1")
    sections = body.split(delimiter)
    # sections[0] is the preamble; the last one starts with "--" (the close delimiter).
    if len(sections) < 3 or not sections[-1].startswith(b"--"):
        raise invalid_input("the multipart body could not be parsed")
    parts: dict[str, bytes] = {}
    for section in sections[1:-1]:
        if not section.startswith(b"\r\n") or not section.endswith(b"\r\n"):
            raise invalid_input("the multipart body could not be parsed")
        head, sep, content = section[2:-2].partition(b"\r\n\r\n")
        if not sep:
            raise invalid_input("a multipart part has no header/content separator")
        headers = _headers(head)
        name = _NAME.search(headers.get(b"content-disposition", b""))
        if name is None or not headers.get(b"content-disposition", b"").lower().startswith(b"form-data"):
            raise invalid_input("every part needs a form-data name")
        key = name.group(1).decode("utf-8", "replace")
        if key in parts:
            raise invalid_input("every part needs a unique form-data name")
        if headers.get(b"content-transfer-encoding", b"").strip().lower() == b"base64":
            content = base64.b64decode(content)
        parts[key] = content
    return parts


def _headers(head: bytes) -> dict[bytes, bytes]:
    headers = {}
    for line in head.split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if not sep:
            raise invalid_input("a multipart part has a malformed header line")
        headers[name.strip().lower()] = value.strip()
    return headers
