"""Serve an aiohttp application until SIGINT or SIGTERM, then stop gracefully.

Graceful means: stop accepting connections, give in-flight requests up to
``SHUTDOWN_TIMEOUT`` seconds, then run the app's cleanup contexts
(``web.AppRunner.cleanup``).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import ssl

from aiohttp import web

from taskmcp.logs import AccessLogger

__all__ = ["SHUTDOWN_TIMEOUT", "ServeError", "serve", "wait_for_signal"]

SHUTDOWN_TIMEOUT = 10.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

log = logging.getLogger(__name__)


class ServeError(Exception):
    """The server could not start (for example, the port is taken); one line."""


async def serve(
    app: web.Application,
    *,
    host: str,
    port: int,
    stop: asyncio.Event | None = None,
    ssl_context: ssl.SSLContext | None = None,
    handler_cancellation: bool = False,
) -> None:
    """Serve ``app`` on ``host:port`` until ``stop`` is set (default: a stop signal).

    ``ssl_context`` serves HTTPS. ``handler_cancellation`` cancels a request's handler
    when its client disconnects (aiohttp's default is to let it run on)."""
    runner = web.AppRunner(
        app,
        access_log_class=AccessLogger,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
        handler_cancellation=handler_cancellation,
    )
    await runner.setup()
    try:
        await _listen(runner, host, port, ssl_context)
        await (stop.wait() if stop is not None else wait_for_signal())
    finally:
        await runner.cleanup()
    log.info("stopped")


async def _listen(
    runner: web.AppRunner, host: str, port: int, ssl_context: ssl.SSLContext | None
) -> None:
    scheme = "https" if ssl_context is not None else "http"
    url = f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"
    try:
        await web.TCPSite(runner, host, port, ssl_context=ssl_context).start()
    except OSError as exc:
        raise ServeError(f"cannot listen on {url}: {exc.strerror or exc}") from None
    log.info("listening on %s", url)


async def wait_for_signal() -> None:
    """Return once SIGINT or SIGTERM arrives (Unix event loops only)."""
    loop = asyncio.get_running_loop()
    received = asyncio.Event()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, received.set)
    try:
        await received.wait()
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
    log.info("stop signal received, shutting down")
