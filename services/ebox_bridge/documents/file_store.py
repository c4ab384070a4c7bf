"""Reading a document from the document root: the real path must stay inside the root, the file
must be a regular file, and its size is checked before and while reading.

Blocking I/O: the caller runs it in a thread (`asyncio.to_thread`), off the event loop.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from services.ebox_bridge.documents.policy import LocalDocument
from services.ebox_bridge.domain.intake import IntakeRejected

_CHUNK = 1024 * 1024
# O_NOFOLLOW: a symlink put in place after the path was resolved is refused, not followed.
# O_NONBLOCK: opening a FIFO (or a device that waits) returns at once; fstat then refuses it.
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def read_local(document: LocalDocument, max_bytes: int) -> bytes:
    try:
        root = document.root.resolve(strict=True)
    except (OSError, RuntimeError):
        raise IntakeRejected("the bridge's document root does not exist; ask the operator to create it") from None
    try:
        real = document.path.resolve(strict=True)
    except FileNotFoundError:
        raise IntakeRejected("document_ref points to a file that does not exist") from None
    except (OSError, RuntimeError):  # a symlink loop, a name too long, a directory we may not enter
        raise IntakeRejected("document_ref points to a path the bridge cannot resolve") from None
    if not real.is_relative_to(root) or real == root:
        raise IntakeRejected("document_ref points outside the bridge's document root")
    if any(real.is_relative_to(_resolved(path)) for path in document.excluded):
        raise IntakeRejected("document_ref points into the print spool, which the bridge never serves")
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except PermissionError:
        raise IntakeRejected("document_ref points to a file the bridge may not read") from None
    except OSError:
        raise IntakeRejected("document_ref points to a file the bridge cannot open") from None
    try:
        return _read_regular(fd, max_bytes)
    finally:
        os.close(fd)


def _read_regular(fd: int, max_bytes: int) -> bytes:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise IntakeRejected("document_ref does not point to a regular file")
    if info.st_size > max_bytes:
        raise IntakeRejected(f"referenced PDF is {info.st_size} bytes, more than the limit of {max_bytes}")
    # The size may change after fstat (a file still being written): the cap holds while reading.
    chunks, total = [], 0
    while chunk := os.read(fd, _CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise IntakeRejected(f"referenced PDF is more than the limit of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()
