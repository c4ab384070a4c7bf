"""`run_rounds`: busy rounds follow each other at once, a dry round pauses, failures in a row
back off (doubling up to a cap, never below the loop's own pause) and are logged once with a
traceback, then one line each, then the recovery once."""

from __future__ import annotations

import asyncio
import logging

import pytest

from loket.infra import rounds
from loket.infra.rounds import MAX_FAILURE_PAUSE_S, failure_pause, run_rounds


def test_failure_pauses_double_from_the_loops_pause_up_to_the_cap() -> None:
    assert [failure_pause(0.2, n) for n in range(1, 8)] == [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, MAX_FAILURE_PAUSE_S]
    assert failure_pause(0.2, 10_000) == MAX_FAILURE_PAUSE_S


def test_a_slow_loop_never_retries_sooner_than_its_own_pause() -> None:
    assert failure_pause(60.0, 1) == failure_pause(60.0, 5) == 60.0


async def test_failures_back_off_and_the_log_says_each_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(rounds.asyncio, "sleep", sleep)
    outcomes = iter([True, ConnectionRefusedError("database gone"), ConnectionRefusedError("database gone"),
                     ConnectionRefusedError("database gone"), False, True, False])

    async def round_() -> bool:
        outcome = next(outcomes, None)
        if outcome is None:
            raise asyncio.CancelledError
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    caplog.set_level(logging.INFO, logger=rounds.__name__)
    with pytest.raises(asyncio.CancelledError):
        await run_rounds(round_, 0.5, "dispatch")

    # busy: no wait; three failures: 0.5, 1.0, 2.0; dry: 0.5; busy: none; dry: 0.5
    assert waits == [0.5, 1.0, 2.0, 0.5, 0.5]
    records = [(r.levelname, r.getMessage(), r.exc_info is not None) for r in caplog.records]
    assert records == [
        ("ERROR", "dispatch round failed; retrying in 0.5 s", True),
        ("WARNING", "dispatch round failed again (2 in a row): database gone; retrying in 1.0 s", False),
        ("WARNING", "dispatch round failed again (3 in a row): database gone; retrying in 2.0 s", False),
        ("INFO", "dispatch round works again after 3 failed in a row", False),
    ]
