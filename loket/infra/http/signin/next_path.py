"""Where to send a person after sign-in: only a path on this site, never another site.

`//evil.example`, `/\\evil.example` (browsers read a backslash as a slash), `https://…` and
anything with control characters would turn the sign-in page into an open redirect.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

HOME = "/signin"  # signed in without a destination: the page that says so and offers sign-out


def safe_next(candidate: str | None) -> str:
    if not candidate or len(candidate) > 2000:
        return HOME
    if not candidate.startswith("/") or candidate.startswith("//") or "\\" in candidate:
        return HOME
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in candidate):
        return HOME
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return HOME
    return candidate


def with_next(path: str, next_path: str, **params: str) -> str:
    """`path?next=…` (and further query parameters), encoded."""
    query = [f"next={quote(next_path, safe='/')}"] if next_path != HOME else []
    query += [f"{k}={quote(v)}" for k, v in params.items() if v]
    return f"{path}?{'&'.join(query)}" if query else path
