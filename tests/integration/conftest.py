"""Fixtures the bridge's integration tests share: its eBox key pair and the eBox simulator that
trusts it, one of each per test module (a module may still define its own, e.g. a simulator
per test when a test changes its faults)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from services.ebox_bridge.ebox_client.credentials import write_self_signed_keypair
from tests.support.bridge_harness import Simulator, simulator


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """The bridge's signing key and self-signed certificate (valid a day)."""
    key, cert = write_self_signed_keypair(tmp_path_factory.mktemp("bridge-keys"), "bridge", valid_days=1)
    return SimpleNamespace(key=key, cert=cert)


@pytest.fixture(scope="module")
async def sim(keys: SimpleNamespace) -> AsyncIterator[Simulator]:
    """The eBox simulator over real HTTP, trusting `keys`."""
    async with simulator(keys.cert) as running:
        yield running
