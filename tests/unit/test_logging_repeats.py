"""RepeatedLineFilter: a line repeated word for word goes out once per window, the next one
after the window says how many were left out; different lines, loggers or levels are not
held back, and the memory of lines is bounded."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from loket.infra.logging_setup import RepeatedLineFilter, configure_logging


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def record(msg: str, *args: object, name: str = "aiokafka", level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_a_repeated_line_goes_out_once_a_window_and_then_says_how_many_were_left_out() -> None:
    clock = Clock()
    repeats = RepeatedLineFilter(window_s=60.0, clock=clock)
    line = "Unable connect to node with id %s: %s"
    assert repeats.filter(record(line, 3, "[Errno 111] Connection refused"))
    for _ in range(300):
        clock.now += 0.1
        assert not repeats.filter(record(line, 3, "[Errno 111] Connection refused"))
    clock.now = 1061.0
    after = record(line, 3, "[Errno 111] Connection refused")
    assert repeats.filter(after)
    assert after.getMessage() == ("Unable connect to node with id 3: [Errno 111] Connection refused "
                                  "(repeated 300 more times in the last 61 s, not written)")
    clock.now += 1
    assert not repeats.filter(record(line, 3, "[Errno 111] Connection refused"))  # a new window began


def test_other_lines_loggers_and_levels_pass() -> None:
    repeats = RepeatedLineFilter(clock=Clock())
    assert repeats.filter(record("Unable connect to node with id %s", 1))
    assert repeats.filter(record("Unable connect to node with id %s", 2))
    assert repeats.filter(record("Unable connect to node with id %s", 1, name="aiokafka.consumer"))
    assert repeats.filter(record("Unable connect to node with id %s", 1, level=logging.WARNING))
    assert not repeats.filter(record("Unable connect to node with id %s", 1))


def _failed(where: str) -> logging.LogRecord:
    try:
        if where == "keys":
            raise ValueError("invalid byte sequence for encoding UTF8: 0x00")
        raise ValueError("invalid byte sequence for encoding UTF8: 0x00")  # the same error, another line
    except ValueError:
        return logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application", None,
                                 sys.exc_info())


def test_one_message_with_different_failures_behind_it_writes_each_traceback() -> None:
    repeats = RepeatedLineFilter(clock=Clock())
    assert repeats.filter(_failed("keys"))
    assert repeats.filter(_failed("rota"))  # same message and exception, raised elsewhere: written
    assert not repeats.filter(_failed("keys"))  # the same failure again: held back
    assert not repeats.filter(_failed("rota"))


def test_a_line_without_repeats_is_written_unchanged_after_the_window() -> None:
    clock = Clock()
    repeats = RepeatedLineFilter(window_s=60.0, clock=clock)
    assert repeats.filter(record("relay paused"))
    clock.now += 120
    again = record("relay paused")
    assert repeats.filter(again) and again.getMessage() == "relay paused"


def test_it_remembers_a_bounded_number_of_lines() -> None:
    repeats = RepeatedLineFilter(max_lines=10, clock=Clock())
    for i in range(1000):
        assert repeats.filter(record("event %s handled", i))
    assert len(repeats._seen) == 10
    assert repeats.filter(record("event %s handled", 0))  # forgotten long ago: written again


def test_a_service_log_writes_a_flood_as_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", "json", service="reporting")
        for _ in range(500):
            logging.getLogger("aiokafka").error("Unable connect to node with id %s: %s", 1, "refused")
        logging.getLogger("loket.test").warning("something else")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert '"Unable connect to node with id 1: refused"' in lines[0] and "something else" in lines[1]
