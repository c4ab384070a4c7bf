"""Credentials in connection URLs: put them in, and take them out before a URL is shown.

Every URL that reaches a log line or a terminal goes through `redacted`: the URLs Loket builds
for PostgreSQL roles and NATS users carry passwords.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit, urlunsplit


def with_credentials(url: str, user: str, password: str | None) -> str:
    """`url` with its user (and password) replaced; host, port, path and query kept."""
    parts = urlsplit(url)
    hosts = parts.netloc.rsplit("@", 1)[-1]
    userinfo = quote(user, safe="") + (f":{quote(password, safe='')}" if password is not None else "")
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{hosts}"))


def user_of(url: str) -> str | None:
    parts = urlsplit(url)
    return unquote(parts.username) if parts.username else None


def redacted(url: str) -> str:
    """`url` with any password replaced by `***` (the user stays: it says which role)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, hosts = parts.netloc.rsplit("@", 1)
    user = userinfo.split(":", 1)[0]
    shown = f"{user}:***" if ":" in userinfo else user
    return urlunsplit(parts._replace(netloc=f"{shown}@{hosts}"))
