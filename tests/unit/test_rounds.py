"""`run_rounds`: busy rounds follow each other at once, a dry round pauses, failures in a row
back off (doubling up to a 2 s cap, never below the loop's own pause) and are logged once with a
traceback, then one line every 30 s, then the recovery once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

from loket.infra import rounds
from loket.infra.errors import described
from loket.infra.rounds import MAX_FAILURE_PAUSE_S, failure_pause, run_rounds


def _rounds_from(outcomes: list[bool | Exception]) -> Callable[[], Awaitable[bool]]:
    """A round that returns or raises the next outcome, and stops the loop after the last."""
    left = iter(outcomes)

    async def round_() -> bool:
        outcome = next(left, None)
        if outcome is None:
            raise asyncio.CancelledError
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return round_


def test_failure_pauses_double_from_the_loops_pause_up_to_the_cap() -> None:
    assert [failure_pause(0.2, n) for n in range(1, 6)] == [0.2, 0.4, 0.8, 1.6, MAX_FAILURE_PAUSE_S]
    assert MAX_FAILURE_PAUSE_S == 2.0  # the recovery waits at most this long after the database is back
    assert failure_pause(0.2, 10_000) == MAX_FAILURE_PAUSE_S


def test_a_slow_loop_never_retries_sooner_than_its_own_pause() -> None:
    assert failure_pause(60.0, 1) == failure_pause(60.0, 5) == 60.0


async def test_failures_back_off_and_the_log_says_each_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    waits: list[float] = []
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(rounds.asyncio, "sleep", sleep)
    monkeypatch.setattr(rounds.time, "monotonic", lambda: clock[0])
    gone = ConnectionRefusedError("database gone")
    # busy, then 40 failures in a row (about a minute at the capped pause), dry, busy, dry
    round_ = _rounds_from([True, *[gone] * 40, False, True, False])

    caplog.set_level(logging.INFO, logger=rounds.__name__)
    with pytest.raises(asyncio.CancelledError):
        await run_rounds(round_, 0.5, "dispatch")

    # busy: no wait; failures: 0.5, 1.0, then 2.0 each; dry: 0.5; busy: none; dry: 0.5
    assert waits == [0.5, 1.0, *[2.0] * 38, 0.5, 0.5]
    records = [(r.levelname, r.getMessage(), r.exc_info is not None) for r in caplog.records]
    assert records == [
        ("ERROR", "dispatch round failed; retrying in 0.5 s", True),
        ("WARNING", "dispatch round still failing (18 in a row): ConnectionRefusedError: database gone; retrying "
                    "every 2.0 s", False),
        ("WARNING", "dispatch round still failing (33 in a row): ConnectionRefusedError: database gone; retrying "
                    "every 2.0 s", False),
        ("INFO", "dispatch round works again after 40 failed in a row", False),
    ]


def test_an_error_without_a_message_is_still_named_in_the_log() -> None:
    # asyncpg's command timeout raises a bare TimeoutError: "relay paused: " said nothing.
    assert described(TimeoutError()) == "TimeoutError"
    assert described(ConnectionRefusedError("database gone")) == "ConnectionRefusedError: database gone"


async def test_a_daily_loop_retries_a_failed_round_within_the_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    """The retention job's loop: a day between rounds, an hour after a failed one (it used to be a
    day: data past its period kept a day longer for one failed statement)."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(rounds.asyncio, "sleep", sleep)
    round_ = _rounds_from([RuntimeError("refused"), RuntimeError("refused"), False])

    with pytest.raises(asyncio.CancelledError):
        await run_rounds(round_, 86_400.0, "retention", retry_s=3_600.0)
    assert waits == [3_600.0, 3_600.0, 86_400.0]
