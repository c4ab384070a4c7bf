"""`loket reporting rebuild` uses the pseudonym secret the reporting service of this installation
uses: the configured one, else the file `loket up` keeps in its data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from loket.cli.reporting_cmd import settings_with_the_services_secret
from loket.devstack.stack import REPORTING_PSEUDONYM_SECRET_FILE

KEPT = "k" * 48
CONFIGURED = "c" * 48


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("LOKET_REPORTING_PSEUDONYM_SECRET", "LOKET_REPORTING_PSEUDONYM_SECRET_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    return tmp_path


def test_the_secret_loket_up_keeps_is_used_when_none_is_configured(data_dir: Path) -> None:
    (data_dir / REPORTING_PSEUDONYM_SECRET_FILE).write_text(KEPT)
    assert settings_with_the_services_secret().pseudonym_secret() == KEPT.encode()


def test_a_configured_secret_wins_over_the_kept_file(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (data_dir / REPORTING_PSEUDONYM_SECRET_FILE).write_text(KEPT)
    monkeypatch.setenv("LOKET_REPORTING_PSEUDONYM_SECRET", CONFIGURED)
    assert settings_with_the_services_secret().pseudonym_secret() == CONFIGURED.encode()


def test_without_either_the_error_says_where_the_secret_comes_from(data_dir: Path) -> None:
    with pytest.raises(RuntimeError, match="LOKET_REPORTING_PSEUDONYM_SECRET"):
        settings_with_the_services_secret().pseudonym_secret()
