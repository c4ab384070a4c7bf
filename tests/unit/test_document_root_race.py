"""Issue 15: the file store checks a document's path by name, then opens it without trusting the
names, so a symbolic link (or the print spool) swapped in between the check and the open does not
lead out of the document root. The swap is made right after the path is resolved, where a
racing process would make it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from services.ebox_bridge.documents.file_store import read_local
from services.ebox_bridge.documents.policy import LocalDocument
from services.ebox_bridge.domain.intake import IntakeRejected

MAX = 10_000_000
MINE, THEIRS = b"%PDF-1.4 this municipality's letter", b"%PDF-1.4 someone else's letter"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "docs" / "finance" / "2026").mkdir(parents=True)
    (tmp_path / "docs" / "finance" / "2026" / "tax.pdf").write_bytes(MINE)
    return tmp_path / "docs"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """The same layout outside the root, holding another file under the same name."""
    (tmp_path / "outside" / "2026").mkdir(parents=True)
    (tmp_path / "outside" / "2026" / "tax.pdf").write_bytes(THEIRS)
    return tmp_path / "outside"


def swap_after_resolving(monkeypatch: pytest.MonkeyPatch, target: Path, swap: Callable[[], None]) -> None:
    """Run `swap` once, just after the file store resolved `target` (its check by name)."""
    original = Path.resolve
    done: list[bool] = []

    def resolve(self: Path, strict: bool = False) -> Path:
        result = original(self, strict=strict)
        if self == target and not done:
            done.append(True)
            swap()
        return result

    monkeypatch.setattr(Path, "resolve", resolve)


def test_a_normal_nested_file_is_read(root: Path) -> None:
    assert read_local(LocalDocument(root / "finance" / "2026" / "tax.pdf", root), MAX) == MINE


def test_a_symlink_inside_the_root_to_a_folder_inside_it_is_still_read(root: Path) -> None:
    # The walk follows the resolved path, so an operator's own link within the root keeps working.
    (root / "current").symlink_to(root / "finance" / "2026", target_is_directory=True)
    assert read_local(LocalDocument(root / "current" / "tax.pdf", root), MAX) == MINE


def test_a_folder_swapped_for_a_symlink_outside_after_the_check_is_refused(
        root: Path, outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = root / "finance" / "2026" / "tax.pdf"

    def swap() -> None:
        os.rename(root / "finance", tmp_path / "finance-moved")
        (root / "finance").symlink_to(outside, target_is_directory=True)

    swap_after_resolving(monkeypatch, path, swap)
    with pytest.raises(IntakeRejected, match="symbolic link"):
        read_local(LocalDocument(path, root), MAX)


def test_the_file_swapped_for_a_symlink_after_the_check_is_refused(
        root: Path, outside: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = root / "finance" / "2026" / "tax.pdf"

    def swap() -> None:
        path.unlink()
        path.symlink_to(outside / "2026" / "tax.pdf")

    swap_after_resolving(monkeypatch, path, swap)
    with pytest.raises(IntakeRejected, match="symbolic link"):
        read_local(LocalDocument(path, root), MAX)


def test_the_print_spool_renamed_into_the_root_after_the_check_is_refused(
        root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spool = tmp_path / "print-spool"
    (spool / "2026").mkdir(parents=True)
    (spool / "2026" / "tax.pdf").write_bytes(THEIRS)
    path = root / "finance" / "2026" / "tax.pdf"

    def swap() -> None:
        os.rename(root / "finance", tmp_path / "finance-moved")
        os.rename(spool, root / "finance")

    swap_after_resolving(monkeypatch, path, swap)
    with pytest.raises(IntakeRejected, match="print spool"):
        read_local(LocalDocument(path, root, (spool,)), MAX)
