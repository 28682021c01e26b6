"""Logging setup: plain text on stderr, and an access log that never records secrets.

aiohttp's default access log prints the whole request line, query string included,
and OAuth puts authorization codes and ``state`` in query strings (RFC 6749 §4.1.2).
``AccessLogger`` therefore logs the path without the query.
"""

from __future__ import annotations

import logging
import sys

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

__all__ = ["LOG_FORMAT", "AccessLogger", "configure_logging"]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Send every record at ``level`` (debug/info/warning/error) and above to stderr."""
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT, stream=sys.stderr, force=True)


class AccessLogger(AbstractAccessLogger):
    """``METHOD /path STATUS DURATIONms``: no query string, no headers, no body."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.1fms", request.method, request.path, response.status, time * 1000
        )
