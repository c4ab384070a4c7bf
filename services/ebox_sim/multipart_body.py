"""Multipart/form-data parsing with the standard library.

Starlette's form parser needs python-multipart, which the project does not depend on; the
`email` package parses MIME multipart bodies faithfully enough for a simulator.
"""

from __future__ import annotations

from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP

from services.ebox_sim.errors import invalid_input


def parse_parts(content_type: str, body: bytes) -> dict[str, bytes]:
    """Map each part's form-data name to its raw bytes."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise invalid_input("the request must be multipart/form-data")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise invalid_input("the multipart body could not be parsed")
    parts: dict[str, bytes] = {}
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or name in parts:
            raise invalid_input("every part needs a unique form-data name")
        payload = part.get_payload(decode=True)
        parts[name] = payload if isinstance(payload, bytes) else b""
    return parts
