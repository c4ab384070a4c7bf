"""Parsing a request's JSON body, with the refusals every API shares.

`json.loads` alone let three kinds of body through to a 500: one nested deeper than Python's
recursion limit (a `RecursionError`, not a `ValueError`), and text PostgreSQL cannot store
(storable_text.py), which failed in the first statement that wrote it. Each service turns these
errors into its own problem shape (a JSON pointer in the letters API, a location in booking's).
"""

from __future__ import annotations

import json
from typing import Any

from loket.contracts.storable_text import ESCAPE, UNSTORABLE_MESSAGE, first_unstorable


class MalformedJson(ValueError):
    """Not JSON at all (400): the message says why, without echoing the body."""


class UnstorableText(ValueError):
    """Valid JSON with text no field may hold (422), at `path` (keys and list indexes)."""

    def __init__(self, path: tuple[str | int, ...]) -> None:
        super().__init__(UNSTORABLE_MESSAGE)
        self.path = path


def parse_json(raw: bytes, what: str = "the body") -> Any:
    try:
        data = json.loads(raw)
    except RecursionError:
        raise MalformedJson(f"{what} nests arrays or objects too deeply") from None
    except UnicodeDecodeError as exc:
        raise MalformedJson(f"{what} is not UTF-8 (invalid byte at offset {exc.start})") from None
    except ValueError as exc:
        raise MalformedJson(f"{what} is not valid JSON: {exc}") from None
    if ESCAPE in raw and (path := first_unstorable(data)) is not None:
        raise UnstorableText(path)
    return data
