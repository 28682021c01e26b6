"""Serve an aiohttp application until SIGINT or SIGTERM, then stop gracefully.

Graceful means: stop accepting connections, give in-flight requests up to
``SHUTDOWN_TIMEOUT`` seconds, then run the app's cleanup contexts
(``web.AppRunner.cleanup``). ``running`` does the same for one app inside a
``with`` block, so that one process can serve several apps (``taskmcp dev``).

Slow clients: a connection is closed once it has been idle for ``KEEPALIVE_TIMEOUT``
seconds, counted from its start or from its last response, and "idle" includes
sending a request's headers too slowly (aiohttp's own default is an hour, so a client
trickling its headers could hold a connection that long). Bodies have their own
deadline in the apps that read them (``TransportOptions.body_timeout``).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiohttp import web

from taskmcp.logs import AccessLogger

__all__ = [
    "KEEPALIVE_TIMEOUT",
    "SHUTDOWN_TIMEOUT",
    "ServeError",
    "running",
    "serve",
    "wait_for_signal",
]

SHUTDOWN_TIMEOUT = 10.0
KEEPALIVE_TIMEOUT = 75.0  # above the usual 60 s idle timeout of proxies and load balancers
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
    async with running(
        app,
        host=host,
        port=port,
        ssl_context=ssl_context,
        handler_cancellation=handler_cancellation,
    ):
        await (stop.wait() if stop is not None else wait_for_signal())
    log.info("stopped")


@asynccontextmanager
async def running(
    app: web.Application,
    *,
    host: str,
    port: int,
    ssl_context: ssl.SSLContext | None = None,
    handler_cancellation: bool = False,
    keepalive_timeout: float = KEEPALIVE_TIMEOUT,
) -> AsyncIterator[None]:
    """Serve ``app`` on ``host:port`` while the block runs (arguments as ``serve``);
    on leaving it, shut down gracefully. Raises ``ServeError`` if it cannot listen."""
    runner = web.AppRunner(
        app,
        access_log_class=AccessLogger,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
        handler_cancellation=handler_cancellation,
        keepalive_timeout=keepalive_timeout,
    )
    await runner.setup()
    try:
        await _listen(runner, host, port, ssl_context)
        yield
    finally:
        await runner.cleanup()


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


async def wait_for_signal(ready: Callable[[], None] | None = None) -> None:
    """Return once SIGINT or SIGTERM arrives (Unix event loops only). ``ready`` runs as
    soon as the signals are caught, so that whoever it tells may send one at once."""
    loop = asyncio.get_running_loop()
    received = asyncio.Event()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, received.set)
    try:
        if ready is not None:
            ready()
        await received.wait()
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
    log.info("stop signal received, shutting down")
