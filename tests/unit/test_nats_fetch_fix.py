"""The pull-fetch fix: a fetch while disconnected idles and reports an empty batch without
sending a pull request; the errors of a connection lost mid-fetch, and the builtin timeout,
reach FastStream as the `nats.errors.TimeoutError` its pull loop handles."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import nats.errors
import pytest
from nats.js.client import JetStreamContext

from loket.infra.bus import nats_fetch_fix


@pytest.fixture
def fetch_with(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Callable[..., Any]], Any]]:
    """Install the fix over a scripted nats-py fetch; returns the patched fetch."""
    cls = JetStreamContext.PullSubscription
    monkeypatch.setattr(nats_fetch_fix, "DISCONNECTED_PAUSE_S", 0.05)

    def install(original: Callable[..., Any]) -> Any:
        monkeypatch.setattr(cls, "fetch", original)
        nats_fetch_fix.install()
        return cls.fetch

    yield install


def subscription(connected: bool) -> SimpleNamespace:
    return SimpleNamespace(_nc=SimpleNamespace(is_connected=connected))


async def test_a_fetch_while_disconnected_sends_nothing_and_reports_an_empty_batch(fetch_with) -> None:  # type: ignore[no-untyped-def]
    calls = []

    async def original(self: Any, *args: Any, **kwargs: Any) -> list[Any]:
        calls.append(args)
        return []

    fetch = fetch_with(original)
    started = time.monotonic()
    with pytest.raises(nats.errors.TimeoutError):
        await fetch(subscription(connected=False), 100, timeout=0.01)
    assert calls == []
    assert time.monotonic() - started >= 0.05  # it idled, whatever the fetch's own timeout


@pytest.mark.parametrize("error", [nats.errors.OutboundBufferLimitError, nats.errors.ConnectionReconnectingError,
                                   nats.errors.ConnectionClosedError])
async def test_a_connection_lost_mid_fetch_reads_as_an_empty_batch(fetch_with, error) -> None:  # type: ignore[no-untyped-def]
    async def original(self: Any, *args: Any, **kwargs: Any) -> list[Any]:
        raise error

    fetch = fetch_with(original)
    with pytest.raises(nats.errors.TimeoutError) as raised:
        await fetch(subscription(connected=True), 100, timeout=1.0)
    assert isinstance(raised.value.__cause__, error)


async def test_the_builtin_timeout_becomes_the_nats_timeout(fetch_with) -> None:  # type: ignore[no-untyped-def]
    async def original(self: Any, *args: Any, **kwargs: Any) -> list[Any]:
        raise TimeoutError

    fetch = fetch_with(original)
    with pytest.raises(nats.errors.TimeoutError):
        await fetch(subscription(connected=True), 100, timeout=1.0)


async def test_a_connected_fetch_returns_what_nats_py_returns(fetch_with) -> None:  # type: ignore[no-untyped-def]
    async def original(self: Any, batch: int, timeout: float) -> list[Any]:
        return [f"message {i}" for i in range(batch)]

    fetch = fetch_with(original)
    assert await fetch(subscription(connected=True), 2, timeout=1.0) == ["message 0", "message 1"]
    assert fetch_with(fetch) is fetch  # installing twice wraps once
