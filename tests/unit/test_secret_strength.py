"""Placeholder and short secrets stop a service at start-up, naming the setting, never the value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loket.infra.http.auth import TokenStore
from loket.infra.secret_strength import WeakSecret, strong_secret
from services.notify.settings import NotifySettings

EXAMPLE_ENV = Path(__file__).resolve().parents[2] / "deploy" / ".env.example"


@pytest.mark.parametrize("value", ["change-me-sms-key", "CHANGE_ME_please_0123456789", "replace-me-with-a-key",
                                   "your-api-key-goes-here", "xxxxxxxxxxxxxxxxxxxx", "password", "short-token"])
def test_placeholders_and_short_values_are_refused(value: str) -> None:
    with pytest.raises(WeakSecret) as refused:
        strong_secret("LOKET_SOMETHING", value)
    assert "LOKET_SOMETHING" in str(refused.value) and value not in str(refused.value)


def test_a_generated_secret_passes() -> None:
    assert strong_secret("LOKET_SOMETHING", "Qt5H_iSLtax0gHB3Ohai2jUkSxciMq92") == "Qt5H_iSLtax0gHB3Ohai2jUkSxciMq92"


def test_every_secret_the_example_file_suggests_is_refused_where_it_is_used(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    suggested = dict(re.findall(r"^(LOKET_\w+)=(\S+)$", EXAMPLE_ENV.read_text(), re.MULTILINE))
    for name, value in suggested.items():
        with pytest.raises(WeakSecret):
            strong_secret(name, value)
    from services.reporting.settings import ReportingSettings

    # Where each suggested secret is read: a service started with the example's value refuses it.
    read_by = {"LOKET_SMS_API_KEY": NotifySettings, "LOKET_SMS_RECEIPTS_TOKEN": NotifySettings,
               "LOKET_REPORTING_PSEUDONYM_SECRET": lambda: ReportingSettings().pseudonym_secret(),
               "LOKET_CONTACT_KEY_SECRET": lambda: NotifySettings().contact_keys("notify")}
    placeholders = {name: value for name, value in suggested.items() if value}
    assert set(placeholders) == set(read_by), "a secret in .env.example that no check here reads"
    for name, value in placeholders.items():
        for other in placeholders:
            monkeypatch.delenv(other, raising=False)
        monkeypatch.setenv(name, value)
        with pytest.raises(ValueError, match=f"{name} is a placeholder"):
            read_by[name]()


def test_a_short_admin_token_is_refused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LOKET_API_TOKENS_FILE", raising=False)
    monkeypatch.setenv("LOKET_ADMIN_TOKEN", "admin")
    with pytest.raises(WeakSecret, match="LOKET_ADMIN_TOKEN"):
        TokenStore.from_environment()


def test_the_pseudonym_key_must_be_long_and_not_the_example() -> None:
    from services.reporting.settings import ReportingSettings

    with pytest.raises(WeakSecret, match="LOKET_REPORTING_PSEUDONYM_SECRET is a placeholder"):
        ReportingSettings(reporting_pseudonym_secret="change-me-to-32-random-characters").pseudonym_secret()
    with pytest.raises(WeakSecret, match="shorter than 24"):
        ReportingSettings(reporting_pseudonym_secret="only-twenty-characters").pseudonym_secret()
    assert ReportingSettings(reporting_pseudonym_secret="k" * 23 + "Xy").pseudonym_secret() == b"k" * 23 + b"Xy"
