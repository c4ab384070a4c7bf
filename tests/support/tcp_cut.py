"""A TCP proxy in front of a real server, for cutting a service off from it: `cut()` closes
every connection and refuses new ones (what a database restart or a network cut looks like to a
client), `restore()` listens again on the same port."""

from __future__ import annotations

import asyncio
import contextlib

from loket.infra.embedded.ports import free_port


class CuttableProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
        return self.port

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._open):
            writer.transport.abort()  # a reset, as from a server that went away
        self._open.clear()
        await self._server.wait_closed()
        self._server = None

    async def restore(self) -> None:
        await self.start()

    async def close(self) -> None:
        if self._server is not None:
            await self.cut()

    async def _forward(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._open |= {client_writer, server_writer}
        await asyncio.gather(_pipe(client_reader, server_writer), _pipe(server_reader, client_writer))
        self._open -= {client_writer, server_writer}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(OSError):
        writer.close()
