"""Reading a document from the document root: the real path must stay inside the root, the file
must be a regular file, and its size is checked before and while reading.

The path is checked by name first (for a clear reason), then opened without trusting names: from
the opened root directory, one component at a time with O_NOFOLLOW and `dir_fd`, so a symbolic
link swapped in after the check (a directory or the file itself) is refused instead of followed
out of the root. The directories walked are also compared, by device and inode, with the
excluded ones (the print spool), so a renamed directory cannot smuggle a batch in either.

Blocking I/O: the caller runs it in a thread (`asyncio.to_thread`), off the event loop.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from services.ebox_bridge.documents.policy import LocalDocument
from services.ebox_bridge.domain.intake import IntakeRejected

_CHUNK = 1024 * 1024
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# O_NOFOLLOW: a symlink put in place after the path was resolved is refused, not followed.
# O_NONBLOCK: opening a FIFO (or a device that waits) returns at once; fstat then refuses it.
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | _CLOEXEC
# What opening a symbolic link with O_NOFOLLOW gives (ELOOP; ENOTDIR with O_DIRECTORY on some
# systems, or a file where a folder was; EMLINK on FreeBSD).
_LINK_ERRORS = frozenset({errno.ELOOP, errno.ENOTDIR, errno.EMLINK})


def read_local(document: LocalDocument, max_bytes: int) -> bytes:
    excluded = _identities(document.excluded)  # before the names are checked: a later rename cannot hide it
    root, parts = _checked(document)
    fd = _open_beneath(root, parts, excluded)
    try:
        return _read_regular(fd, max_bytes)
    finally:
        os.close(fd)


def _checked(document: LocalDocument) -> tuple[Path, tuple[str, ...]]:
    """The resolved root and the path's components below it, checked by name: inside the root,
    not the root itself, not in an excluded directory. Names can change after this: the opening
    step trusts none of them."""
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
    return root, real.relative_to(root).parts


def _open_beneath(root: Path, parts: tuple[str, ...], excluded: frozenset[tuple[int, int]]) -> int:
    """Open root/parts as a file descriptor, walking from the root's descriptor one component at
    a time, never following a symbolic link; every directory on the way must not be excluded."""
    current = _open(str(root), _DIR_FLAGS, None)
    try:
        for name in parts[:-1]:
            _refuse_excluded(current, excluded)
            following = _open(name, _DIR_FLAGS, current)
            os.close(current)
            current = following
        _refuse_excluded(current, excluded)
        return _open(parts[-1], _OPEN_FLAGS, current)
    finally:
        os.close(current)


def _open(name: str, flags: int, dir_fd: int | None) -> int:
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        raise IntakeRejected("document_ref points to a file that does not exist") from None
    except PermissionError:
        raise IntakeRejected("document_ref points to a file the bridge may not read") from None
    except OSError as exc:
        if exc.errno in _LINK_ERRORS:
            raise IntakeRejected("document_ref's path changed while it was opened (a symbolic link, or a file "
                                 "where a folder was); the bridge does not follow symbolic links") from None
        raise IntakeRejected("document_ref points to a file the bridge cannot open") from None


def _identities(paths: tuple[Path, ...]) -> frozenset[tuple[int, int]]:
    """(device, inode) of each excluded directory that exists."""
    found = set()
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        found.add((info.st_dev, info.st_ino))
    return frozenset(found)


def _refuse_excluded(fd: int, excluded: frozenset[tuple[int, int]]) -> None:
    info = os.fstat(fd)
    if (info.st_dev, info.st_ino) in excluded:
        raise IntakeRejected("document_ref points into the print spool, which the bridge never serves")


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
