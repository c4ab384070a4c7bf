"""Where a citizen's data still is: every column of every Loket schema, every message of every
stream, every file of a data directory. Reads only, and knows nothing of how erasure works, so a
test can hold `loket privacy erase` to its promise."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import asyncpg
import nats
from nats.js.errors import NotFoundError

TEXTUAL = {"text", "character varying", "jsonb", "json", "ARRAY", "USER-DEFINED", "tsvector"}


async def database_hits(database_url: str, needles: Iterable[str], only: Iterable[str] = ()) -> list[str]:
    """'schema.table.column: needle' for every column holding a needle (text, JSON, arrays, bytes),
    in every table or `only` those ('schema.table')."""
    tables = set(only)
    needles = list(needles)
    conn = await asyncpg.connect(database_url)
    try:
        columns = await conn.fetch(
            "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE t.table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_%'")
        hits = []
        for c in columns:
            if tables and f"{c['table_schema']}.{c['table_name']}" not in tables:
                continue
            column = f'"{c["table_schema"]}"."{c["table_name"]}"'
            name = f'"{c["column_name"]}"'
            if c["data_type"] == "bytea":
                condition = f"position(convert_to($1, 'UTF8') IN {name}) > 0"
            elif c["data_type"] in TEXTUAL:
                condition = f"strpos({name}::text, $1) > 0"
            else:
                continue
            for needle in needles:
                if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {column} WHERE {condition})", needle):
                    hits.append(f"{c['table_schema']}.{c['table_name']}.{c['column_name']}: {needle[:4]}…")
        return hits
    finally:
        await conn.close()


async def stream_hits(bus_url: str, needles: Iterable[str], streams: Iterable[str] = ()) -> list[str]:
    """'stream #seq: needle' for every message (body or headers) holding a needle, in every
    stream or `streams` only."""
    chosen = set(streams)
    wanted = [n.encode() for n in needles]
    nc = await nats.connect(bus_url)
    try:
        js = nc.jetstream()
        hits = []
        for info in await js.streams_info():
            name, state = info.config.name, info.state
            if chosen and name not in chosen:
                continue
            # An empty stream reports first_seq 0, a sequence JetStream refuses to look up.
            for seq in range(max(1, state.first_seq), state.last_seq + 1):
                try:
                    msg = await js.get_msg(name, seq)
                except NotFoundError:
                    continue  # deleted
                raw = (msg.data or b"") + repr(msg.headers or {}).encode()
                hits += [f"{name} #{seq}: {n[:4].decode()}…" for n in wanted if n in raw]
        return hits
    finally:
        await nc.close()


def file_hits(root: Path, needles: Iterable[str], skip: Iterable[str] = ()) -> list[str]:
    """'relative/path: needle' for every file under `root` (but the `skip` folders) holding a needle."""
    wanted = [n.encode() for n in needles]
    skipped = {root / s for s in skip}
    hits = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder, d) not in skipped]
        for name in files:
            path = Path(folder, name)
            try:
                data = path.read_bytes()
            except OSError:
                continue  # a socket or a file gone meanwhile
            hits += [f"{path.relative_to(root)}: {n[:4].decode()}…" for n in wanted if n in data]
    return hits
