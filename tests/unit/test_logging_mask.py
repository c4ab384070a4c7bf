"""No national register number reaches a log line, not even through an exception."""

from __future__ import annotations

import io
import json
import logging

from loket.infra.log_context import correlation
from loket.infra.logging_setup import JsonFormatter, NationalNumberMaskFilter


def logger_into(buffer: io.StringIO) -> logging.Logger:
    handler = logging.StreamHandler(buffer)
    handler.addFilter(NationalNumberMaskFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(f"mask-test-{id(buffer)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_numbers_in_messages_arguments_and_tracebacks_are_masked() -> None:
    buffer = io.StringIO()
    log = logger_into(buffer)
    log.info("letter for %s refused", "85073003328")
    log.warning("formatted 85.07.30-033.28 and BIS 85493003331 seen")
    try:
        raise ValueError("citizen 17073003384 unknown")
    except ValueError:
        log.exception("lookup failed")
    text = buffer.getvalue()
    for number in ("85073003328", "85.07.30-033.28", "85493003331", "17073003384"):
        assert number not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["msg"] == "letter for *********** refused"
    assert "ValueError" in lines[2]["exc"]


def test_other_numbers_are_left_alone() -> None:
    buffer = io.StringIO()
    logger_into(buffer).info("order 12345678901 from +32470123456")
    assert "12345678901" in buffer.getvalue() and "+32470123456" in buffer.getvalue()


def test_a_line_carries_the_correlation_id_of_the_work_at_hand() -> None:
    buffer = io.StringIO()
    log = logger_into(buffer)
    with correlation("6f1c2a4e-0000-4000-8000-000000000001"):
        log.info("handled")
    log.info("idle")
    inside, outside = (json.loads(line) for line in buffer.getvalue().splitlines())
    assert inside["correlation_id"] == "6f1c2a4e-0000-4000-8000-000000000001"
    assert "correlation_id" not in outside
