"""Structured logs that can never carry a national register number.

Every record passes through `NationalNumberMaskFilter` before it is formatted, so even an
exception message that quotes a payload is masked. JSON lines by default (operations ship them
to a log store), readable text for a developer's terminal.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from loket.contracts.national_number import mask_national_numbers


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
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "json", service: str | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
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
    # FastStream logs every message at INFO: far too chatty (and slow) for production.
    logging.getLogger("faststream").setLevel(logging.WARNING)
    logging.getLogger("faststream.access").setLevel(logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


class _ServiceTag(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        return True
