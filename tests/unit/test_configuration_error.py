"""A settings error is explained in one line per problem, each named by its environment
variable, never with its value (`tests/integration/test_serve_refusals.py`: the process's side)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from loket.infra.configuration_error import explain_settings_error
from loket.infra.settings import ConsumerSettings
from services.notify.settings import NotifySettings


def test_a_setting_out_of_range_is_named_by_its_environment_variable() -> None:
    with pytest.raises(ValidationError) as raised:
        ConsumerSettings(batch_size=0, batch_timeout_s=9)
    assert explain_settings_error(raised.value) == (
        "LOKET_CONSUMER_BATCH_SIZE: Input should be greater than or equal to 1; "
        "LOKET_CONSUMER_BATCH_TIMEOUT_S: Input should be less than or equal to 5")


def test_the_value_is_never_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOKET_PORT", "s3cr3t-not-a-port")
    with pytest.raises(ValidationError) as raised:
        NotifySettings()
    explained = explain_settings_error(raised.value)
    assert explained.startswith("LOKET_PORT: Input should be a valid integer")
    assert "s3cr3t" not in explained
