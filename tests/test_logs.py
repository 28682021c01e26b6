"""Log hygiene that does not depend on a running service."""

from __future__ import annotations

import logging
import sys

from taskmcp.logs import ProtocolErrorRedactor, configure_logging


def test_aiohttp_protocol_errors_lose_the_request_bytes() -> None:
    try:
        raise ValueError("Invalid header: Authorization: Bearer s3cr3t-token")
    except ValueError:
        record = logging.LogRecord(
            "aiohttp.server",
            logging.ERROR,
            __file__,
            1,
            "Error handling request from %s",
            ("127.0.0.1",),
            sys.exc_info(),
        )
    assert ProtocolErrorRedactor().filter(record)
    assert record.getMessage() == "error handling request: ValueError"
    assert record.exc_info is None
    assert "s3cr3t" not in logging.Formatter().format(record)


def test_configure_logging_installs_the_redactor_once() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("info")
        configure_logging("debug")
        filters = logging.getLogger("aiohttp.server").filters
        assert sum(isinstance(f, ProtocolErrorRedactor) for f in filters) == 1
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
