"""Structured logs that can never carry a national register number.

Every record passes through `NationalNumberMaskFilter` before it is formatted, so even an
exception message that quotes a payload is masked. JSON lines by default (operations ship them
to a log store), readable text for a developer's terminal.

One handler on the root logger formats every line of a service process: Loket's own, uvicorn's
(started with `log_config=None`, so its loggers propagate here) and FastStream's (each broker is
given a propagating logger, see `broker_logger`, instead of the coloured stdout handler it would
make for itself). FastStream's "Received"/"Processed" line per message is logged at DEBUG.

A line repeated word for word is written once a minute at most (`RepeatedLineFilter`): during
a broker or database outage the clients retry many times a second and log each attempt
(aiokafka wrote 300 lines a second per service), which would fill an operator's disk with one
sentence. The next line after the minute says how many were left out.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from loket.contracts.national_number import mask_national_numbers
from loket.infra.log_context import current_correlation_id

# FastStream writes one line per message received and one per message processed at this level.
BROKER_MESSAGE_LEVEL = logging.DEBUG


class NationalNumberMaskFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_national_numbers(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now so the masked text is what gets written.
            record.exc_text = mask_national_numbers(
                logging.Formatter().formatException(record.exc_info)
            )
            record.exc_info = None
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


class RepeatedLineFilter(logging.Filter):
    """Let a line through once per `window_s` per (logger, level, text, failure); count the others
    and say so on the next one let through. Remembers at most `max_lines` distinct lines (the
    oldest are forgotten first), so lines that each differ (an event id in each) cost nothing.

    A line with a traceback counts as the same only with the same exception raised along the same
    path: uvicorn logs every unhandled error as "Exception in ASGI application", and with the text
    alone one traceback a minute was written for all of them (22 of 32 different 500s in a fuzz of
    the pages left none)."""

    def __init__(self, window_s: float = 60.0, max_lines: int = 1024,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.window_s, self.max_lines, self.clock = window_s, max_lines, clock
        self._seen: dict[tuple[str, int, str, str], list[float | int]] = {}  # key -> [since, left out]

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, record.getMessage(), _failure(record))
        now = self.clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen[0] < self.window_s:
            seen[1] += 1
            return False
        if seen is not None:
            del self._seen[key]  # re-inserted below, as the newest
            if seen[1]:
                record.msg, record.args = (
                    f"{key[2]} (repeated {seen[1]} more times in the last {now - seen[0]:.0f} s, not written)", None)
        self._seen[key] = [now, 0]
        if len(self._seen) > self.max_lines:
            del self._seen[next(iter(self._seen))]
        return True


def _failure(record: logging.LogRecord) -> str:
    """The exception's type and every frame it passed through ("" for a line without one)."""
    if not record.exc_info or record.exc_info[1] is None:
        return ""
    exc = record.exc_info[1]
    frames, tb = [], exc.__traceback__
    while tb is not None:
        frames.append(f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}")
        tb = tb.tb_next
    return f"{type(exc).__qualname__} at {' < '.join(reversed(frames))}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("service", "topic", "consumer", "event_id", "event_type", "reason"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        correlation_id = getattr(record, "correlation_id", None) or current_correlation_id()
        if correlation_id:
            entry["correlation_id"] = correlation_id
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "json", service: str | None = None) -> None:
    # FastStream configures its "faststream" logger when it is first imported (a coloured text
    # handler, no propagation). Imported here, first, so that the settings below are the last
    # word: a service process that configured logging before it imported its broker wrote
    # FastStream's lines as coloured text into its JSON log.
    import faststream  # noqa: F401

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RepeatedLineFilter())  # first: a dropped line is not masked or formatted
    handler.addFilter(NationalNumberMaskFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if service:
        handler.addFilter(_ServiceTag(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("faststream", "uvicorn", "uvicorn.error", "uvicorn.access"):
        # Whatever handler a library put there itself, its lines go through the root's format.
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


def broker_logger(service: str) -> logging.Logger:
    """The logger a FastStream broker writes to: it propagates to the root's JSON handler (the
    logger FastStream makes by default does not, and writes coloured text to stdout)."""
    logger = logging.getLogger(f"faststream.access.{service}")
    logger.propagate = True
    return logger


class _ServiceTag(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        return True
