"""Run one piece of work on the identity schema (migrated first) for an operator command."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import asyncpg
import typer
from rich.console import Console

from loket.cli.database_target import resolve_database_url
from loket.infra.identity.schema import migrate_identity

T = TypeVar("T")


def run_on_identity(url: str | None, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    async def main() -> T:
        conn = await asyncpg.connect(resolve_database_url(url))
        try:
            await migrate_identity(conn)
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(main())


def fail(message: str, code: int = 2) -> NoReturn:
    # Plain text on stderr, unwrapped: messages carry YAML paths and codes an operator greps for.
    Console(stderr=True, soft_wrap=True).print(message, markup=False, highlight=False)
    raise typer.Exit(code)
