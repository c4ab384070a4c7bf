"""`multipart/form-data` with a JSON part and a PDF part, split exactly (RFC 7578): the PDF's
bytes come out as sent, whatever line endings they contain."""

from __future__ import annotations

import re

from services.ebox_bridge.api.problems import ApiProblem

_BOUNDARY = re.compile(r'boundary="?([^";]{1,70})"?', re.IGNORECASE)
_NAME = re.compile(rb'[;\s]name="([^"]*)"', re.IGNORECASE)  # not filename=


def form_parts(content_type: str, body: bytes) -> dict[str, bytes]:
    """Part name → its bytes; ApiProblem 400 for a body that is not well-formed."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise ApiProblem(400, "Malformed multipart body", "the Content-Type names no boundary")
    delimiter = b"--" + match.group(1).encode()
    pieces = body.split(b"\r\n" + delimiter)
    # The first piece is the preamble up to the first delimiter (which may open the body).
    first = pieces[0]
    if not first.startswith(delimiter) and delimiter not in first:
        raise ApiProblem(400, "Malformed multipart body", "the body does not start with the boundary")
    pieces[0] = first[first.index(delimiter) + len(delimiter):]
    parts: dict[str, bytes] = {}
    for piece in pieces:
        if piece.startswith(b"--"):
            return parts  # the closing delimiter
        head, separator, content = piece.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            raise ApiProblem(400, "Malformed multipart body", "a part has no header/body separator")
        name = next((m.group(1) for line in head.split(b"\r\n")
                     if line.lower().startswith(b"content-disposition:") and (m := _NAME.search(line))), None)
        if name is None:
            raise ApiProblem(400, "Malformed multipart body", "a part has no Content-Disposition name")
        parts[name.decode(errors="replace")] = content
    raise ApiProblem(400, "Malformed multipart body", "the closing boundary is missing")
