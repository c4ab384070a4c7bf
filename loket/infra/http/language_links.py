"""The language switch every page carries: the same address in each language.

Another language keeps what the address chose (a point's slots need their service and help
language: a bare `?lang=` lost them and led to a 422 page); only `lang` is replaced, and it goes
last so the address still reads as the page's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode


def language_links(path: str, query: Iterable[tuple[str, str]], languages: Iterable[str]) -> dict[str, str]:
    """`path` ("" for this address) with `query`'s parameters but `lang`, once per language."""
    kept = [(name, value) for name, value in query if name != "lang"]
    return {code: f"{path}?{urlencode([*kept, ('lang', code)])}" for code in languages}
