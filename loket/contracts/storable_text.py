"""Text that PostgreSQL cannot store, wherever it comes in (an HTTP body, an event on the bus).

JSON may carry a NUL character (`\\u0000`) and, through Python's own parser, a lone surrogate
(`\\ud800`); PostgreSQL's text and jsonb refuse the first, and UTF-8 cannot encode the second.
Accepted at the door, such text failed later, where nobody could be told: a letter the API had
answered 202 for was dead-lettered after five attempts, and a body with NUL in one field was a
500. So both doors refuse it, naming where it is.
"""

from __future__ import annotations

import re
from typing import Any

UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")

UNSTORABLE_MESSAGE = "text must not contain the NUL character (U+0000) or a lone surrogate"

# Only a JSON escape can put either into a parsed document: a raw NUL byte is invalid JSON, and a
# lone surrogate is not valid UTF-8. Bodies without a `\u` escape need no walk.
ESCAPE = b"\\u"


def first_unstorable(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where in a parsed JSON document the first unstorable text is (a key counts as text at
    its own place), or None if there is none."""
    if isinstance(value, str):
        return path if UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if UNSTORABLE.search(key):
                return (*path, key)
            if (found := first_unstorable(item, (*path, key))) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := first_unstorable(item, (*path, index))) is not None:
                return found
    return None
