"""Print batches as a print house sees them: the list, one batch, and its files in the spool.

Who sees a batch: a batch takes every municipality's letters queued by its cut-off, and its files
(one merged PDF, one manifest) cannot be split. So a print-house key, which acts for one
municipality, sees a batch only if every letter in it is that municipality's; the operator sees
every batch. Any other batch is unknown to the key (404), as another municipality's letter is.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import asyncpg

from loket.infra.identity.principal import Principal
from services.ebox_bridge.api.print_house_models import (
    BATCH_FILES,
    BatchFile,
    ConfirmationState,
    PrintBatchView,
    Progress,
)
from services.ebox_bridge.api.problems import ApiProblem, not_found
from services.ebox_bridge.repository import print_batches


@dataclass(frozen=True)
class SpoolFile:
    path: Path
    media_type: str
    sha256: bytes
    stat: os.stat_result

    @property
    def etag(self) -> str:
        return f'"{self.sha256.hex()}"'

    @property
    def repr_digest(self) -> str:
        # RFC 9530: what a client checks the bytes it received against.
        return f"sha-256=:{base64.b64encode(self.sha256).decode()}:"


class PrintBatchReading:
    def __init__(self, schema: str, pool: Callable[[], asyncpg.Pool], spool_dir: Callable[[], Path]) -> None:
        self.schema, self.pool, self.spool_dir = schema, pool, spool_dir

    async def batches(self, principal: Principal, limit: int, base: str) -> list[PrintBatchView]:
        async with self.pool().acquire() as conn:
            rows = await print_batches.visible_batches(conn, self.schema, principal.municipality, limit=limit)
        return [_view(r, base) for r in rows]

    async def batch(self, principal: Principal, batch_id: str, base: str) -> PrintBatchView:
        async with self.pool().acquire() as conn:
            rows = await print_batches.visible_batches(conn, self.schema, principal.municipality,
                                                       batch_id=batch_id, limit=1)
        if not rows:
            raise not_found("print batch", batch_id[:64])
        return _view(rows[0], base)

    async def file(self, principal: Principal, batch_id: str, name: str) -> SpoolFile:
        view = await self.batch(principal, batch_id, "")
        if name not in BATCH_FILES:
            raise not_found("file", name[:64])
        if view.files_purged_at is not None:
            raise ApiProblem(410, "Files removed after retention",
                             f"batch {view.batch_id}'s files were removed from the spool on "
                             f"{view.files_purged_at:%Y-%m-%d}, after the retention period; its record stays")
        if not view.files_written:
            raise ApiProblem(409, "Files not written yet",
                             f"batch {view.batch_id}'s files are being written; try again in a minute")
        path = self.spool_dir() / view.batch_id / name
        try:
            stat = path.stat()
        except OSError:
            # Recorded as written but gone from the spool (cleaned up by hand): nothing to serve.
            raise not_found("file", name) from None
        digest = await asyncio.to_thread(_sha256, str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
        return SpoolFile(path, BATCH_FILES[name], digest, stat)


@lru_cache(maxsize=64)
def _sha256(path: str, inode: int, size: int, mtime_ns: int) -> bytes:
    """A batch's files never change once renamed into place; the key's inode, size and time
    make a file written again under the same name count as another."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.digest()


def _view(row: asyncpg.Record, base: str) -> PrintBatchView:
    progress = Progress(**{k: row[k] for k in ("in_batch", "printed", "posted", "returned", "failed")})
    written = row["files_written_at"] is not None
    files = [BatchFile(name=name, media_type=media, url=f"{base}/v1/print-batches/{row['batch_id']}/files/{name}")
             for name, media in BATCH_FILES.items()] if written and row["files_purged_at"] is None else []
    return PrintBatchView(
        batch_id=row["batch_id"], cutoff_at=row["cutoff_at"], closed_at=row["closed_at"],
        letter_count=row["letter_count"], page_count=row["page_count"], files_written=written,
        files_written_at=row["files_written_at"], manifest_sha256=row["manifest_sha256"],
        files_purged_at=row["files_purged_at"], files=files,
        confirmation_state=_state(progress), progress=progress,
    )


def _state(p: Progress) -> ConfirmationState:
    if p.printed + p.posted + p.returned == 0:
        return "awaiting"
    return "complete" if p.in_batch == 0 and p.printed == 0 else "partial"
