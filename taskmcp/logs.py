"""Logging setup: text or JSON lines on stderr, and an access log that never records
secrets.

aiohttp's default access log prints the whole request line, query string included,
and OAuth puts authorization codes and ``state`` in query strings (RFC 6749 §4.1.2).
``AccessLogger`` therefore logs the matched route *pattern* (never the raw path or
the query), the status, the duration, the request id and the OAuth client id when
the handler learned it (``taskmcp.observability.requests``); no headers, no body.
With ``--log-format json`` these are fields of the JSON object
(``taskmcp.observability.logformat``).

``CHATTY_LOGGERS`` stay at INFO or above even with ``--log-level debug``: aiosqlite's
DEBUG output prints every SQL statement with its parameters (token hashes, sealed
upstream tokens), which is no use for debugging taskmcp and should not reach logs.
"""

from __future__ import annotations

import logging
import sys

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

from taskmcp.observability.logformat import (
    TEXT_FORMAT,
    LogFormat,
    RequestIdFilter,
    formatter_for,
)
from taskmcp.observability.requests import access_fields

__all__ = [
    "CHATTY_LOGGERS",
    "LOG_FORMAT",
    "AccessLogger",
    "ProtocolErrorRedactor",
    "configure_logging",
]

LOG_FORMAT = TEXT_FORMAT
CHATTY_LOGGERS = ("aiosqlite",)


def configure_logging(level: str, log_format: LogFormat = "text") -> None:
    """Send every record at ``level`` (debug/info/warning/error) and above to stderr,
    as text lines or JSON objects (``log_format``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(log_format))
    handler.addFilter(RequestIdFilter())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    floor = max(logging.INFO, logging.getLevelNamesMapping()[level.upper()])
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(floor)
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, ProtocolErrorRedactor) for f in server_log.filters):
        server_log.addFilter(ProtocolErrorRedactor())


class ProtocolErrorRedactor(logging.Filter):
    """aiohttp logs a malformed or oversized request with its exception, whose message
    quotes the offending bytes (an ``Authorization`` header, say). Keep only the
    exception's type: the request itself never reaches the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = "error handling request: %s"
            record.args = (type(record.exc_info[1]).__name__,)
            record.exc_info = None
            record.exc_text = None
        return True


class AccessLogger(AbstractAccessLogger):
    """``METHOD ROUTE STATUS DURATIONms request_id=… client_id=…``."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        fields = access_fields(request, response, time)
        tail = "".join(
            f" {name}={fields[name]}" for name in ("request_id", "client_id") if name in fields
        )
        self.logger.info(
            "%s %s %s %.1fms%s", fields["method"], fields["route"], fields["status"],
            fields["duration_ms"], tail, extra=fields,
        )  # fmt: skip
