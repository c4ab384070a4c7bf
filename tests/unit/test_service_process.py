"""A benchmark's process runs the services' code as `loket serve` runs it: uvloop, settled heap."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from loket.infra.service_process import YOUNG_GENERATION_THRESHOLD, run_like_a_service


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


async def _where_am_i() -> tuple[str, int]:
    return type(asyncio.get_running_loop()).__module__, gc.get_threshold()[0]


def test_the_coroutine_runs_on_uvloop_with_the_services_collector_settings(restored_collector: None) -> None:
    loop_module, young_threshold = run_like_a_service(_where_am_i())
    assert loop_module.startswith("uvloop")
    assert young_threshold == YOUNG_GENERATION_THRESHOLD
    assert gc.get_freeze_count() > 0  # start-up objects are out of the collector's scans


def test_the_coroutine_result_comes_back(restored_collector: None) -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert run_like_a_service(answer()) == 42
