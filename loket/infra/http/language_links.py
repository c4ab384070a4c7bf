"""The language switch every page carries: the same address in each language.

Another language keeps what the address chose (a point's slots need their service and help
language: a bare `?lang=` lost them and led to a 422 page); only `lang` is replaced, and it goes
last so the address still reads as the page's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode


def language_links(path: str, query: Iterable[tuple[str, str]], languages: Iterable[str],
                   dropping: Iterable[str] = ()) -> dict[str, str]:
    """`path` ("" for this address) with `query`'s parameters but `lang`, once per language.

    `dropping`: parameters that said something once ("done=saved" shows a notice after a form)
    and must not say it again in another language, or that should not travel (a device key)."""
    left_out = {"lang", *dropping}
    kept = [(name, value) for name, value in query if name not in left_out]
    return {code: f"{path}?{urlencode([*kept, ('lang', code)])}" for code in languages}
