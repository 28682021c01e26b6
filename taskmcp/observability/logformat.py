"""Log record formatting: ``text`` (the classic one-line format) or ``json`` (one JSON
object per line, for log shippers).

A JSON line always has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and
``message``; a record logged while a request is handled also has that request's
``request_id`` (``RequestIdFilter`` copies ``CURRENT_REQUEST_ID`` onto the record when
it is created), and the access log adds the fields in ``ACCESS_FIELDS``. Tracebacks
go to ``exception``. Other ``extra`` keys are left out on purpose: only these named
fields are ever written, so a stray object passed as ``extra`` cannot spill into the
log.
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime
from typing import Literal

__all__ = [
    "ACCESS_FIELDS",
    "CURRENT_REQUEST_ID",
    "TEXT_FORMAT",
    "JsonFormatter",
    "LogFormat",
    "RequestIdFilter",
    "formatter_for",
]

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ACCESS_FIELDS = ("request_id", "method", "route", "status", "duration_ms", "client_id")

CURRENT_REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "taskmcp_request_id", default=None
)
"""The id of the request being handled by the current task (set by the middleware)."""


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id (handlers format later)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "request_id" not in record.__dict__:
            request_id = CURRENT_REQUEST_ID.get()
            if request_id is not None:
                record.request_id = request_id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": _timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ACCESS_FIELDS:
            value = record.__dict__.get(name)
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def _timestamp(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


def formatter_for(log_format: LogFormat) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
