"""Settings chosen by an address's longest matching prefix: the body limit of a path
(body_limit.py), the start page a 404 sends a person on to (fallback_answers.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T", int, str)


def by_longest_prefix(path: str, pairs: Iterable[tuple[str, T]]) -> T | None:
    """The value of the longest prefix of `path` among `pairs`; None when none matches."""
    matching = [(len(prefix), value) for prefix, value in pairs if path.startswith(prefix)]
    return max(matching)[1] if matching else None
