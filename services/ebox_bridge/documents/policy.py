"""Where a letter's document may come from: the policy check made before anything is read.

A `document_ref` is the back-office's word, not ours to trust: `file:///dev/zero` never ends,
and a predictable print-batch path would publish other municipalities' letters. So documents
come only from the stores the operator configured: files under `document_root`, and `https://`
URLs on the hosts of `document_hosts`. Everything else is refused with the reason, before any
byte is read. This module only looks at the reference (no I/O); the stores re-check what the
file system or the network can still change (symlinks, sizes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from loket.contracts.letters import MAX_INLINE_PDF_BYTES
from services.ebox_bridge.domain.intake import IntakeRejected
from services.ebox_bridge.settings import EboxBridgeSettings

# A referenced document may be larger than an inline one, but not unboundedly so: the eBox
# and the print house both have limits, and the row is kept in PostgreSQL.
MAX_REFERENCED_PDF_BYTES = 4 * MAX_INLINE_PDF_BYTES


@dataclass(frozen=True)
class LocalDocument:
    """A file named under the document root (not yet resolved: the file store does that)."""

    path: Path
    root: Path
    # Never served even when under the root: the print spool holds other people's letters.
    excluded: tuple[Path, ...] = ()


@dataclass(frozen=True)
class RemoteDocument:
    url: str


@dataclass(frozen=True)
class DocumentPolicy:
    root: Path | None = None  # None: no file store, every file:// reference is refused
    hosts: frozenset[str] = frozenset()  # empty: every https:// reference is refused
    max_bytes: int = MAX_REFERENCED_PDF_BYTES
    timeout_s: float = 30.0
    excluded: tuple[Path, ...] = ()

    @classmethod
    def from_settings(cls, settings: EboxBridgeSettings) -> DocumentPolicy:
        return cls(
            root=settings.document_root, hosts=normalised_hosts(settings.document_hosts),
            timeout_s=settings.document_fetch_timeout_s, excluded=(settings.spool_dir(),),
        )

    def locate(self, ref: str) -> LocalDocument | RemoteDocument:
        """The store a reference names; IntakeRejected (with what to do) when it names none."""
        try:
            url = urlsplit(ref)
        except ValueError:
            raise IntakeRejected("document_ref is not a valid URI") from None
        scheme = url.scheme.lower()
        if scheme == "file":
            return self._local(url.netloc, url.path, url.query, url.fragment)
        if scheme == "https":
            return self._remote(ref, url.hostname, url.username, url.password)
        raise IntakeRejected(
            f"document_ref scheme {scheme!r} is not accepted: send pdf_base64, a file:// URI under the "
            "bridge's document root, or an https:// URI on one of its document hosts"
        )

    def _local(self, host: str, quoted_path: str, query: str, fragment: str) -> LocalDocument:
        if self.root is None:
            raise IntakeRejected(
                "document_ref file:// is refused: this bridge has no document store "
                "(LOKET_DOCUMENT_ROOT is not set); send pdf_base64 instead"
            )
        if host not in ("", "localhost") or query or fragment:
            raise IntakeRejected("document_ref file:// must be a local path without host, query or fragment")
        raw = unquote(quoted_path)
        if "\x00" in raw or not raw.startswith("/"):
            raise IntakeRejected("document_ref file:// must name an absolute path")
        # Lexically inside the root first ("..", "//" collapsed); the real path (symlinks) is
        # checked again by the file store when it opens the file.
        path = PurePosixPath(os.path.normpath(raw))
        root = PurePosixPath(os.path.normpath(str(self.root.absolute())))
        if not path.is_relative_to(root) or path == root:
            raise IntakeRejected("document_ref points outside the bridge's document root")
        return LocalDocument(Path(path), self.root, self.excluded)

    def _remote(self, ref: str, host: str | None, user: str | None, password: str | None) -> RemoteDocument:
        if user is not None or password is not None:
            raise IntakeRejected("document_ref https:// must not carry credentials")
        if not host or host.lower().rstrip(".") not in self.hosts:
            raise IntakeRejected(
                "document_ref host is not one of the bridge's document hosts (LOKET_DOCUMENT_HOSTS)"
            )
        return RemoteDocument(ref)


def normalised_hosts(hosts: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    return frozenset(h.strip().lower().rstrip(".") for h in hosts if h.strip())
