"""Start and stop of the transport's background work (style rules 12 and 13).

* ``session_sweeper`` (cleanup context): forgets expired sessions every
  ``sweep_interval`` seconds and closes their GET streams; at cleanup it cancels
  whatever requests are still running.
* ``close_streams`` (``on_shutdown``): runs *before* aiohttp waits for in-flight
  handlers, so that GET and ``subscriptions/listen`` streams end at once (listen
  streams with their final response) instead of holding shutdown for the whole grace
  period; detached requests are cancelled too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from taskmcp.keys import SESSIONS, STREAMS, TASKS, TRANSPORT

__all__ = ["close_streams", "session_sweeper"]

log = logging.getLogger(__name__)


async def _sweep_forever(app: web.Application, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            for session_id in await app[SESSIONS].sweep():
                app[STREAMS].close_session(session_id)
        except Exception:
            log.exception("session sweep failed")


async def session_sweeper(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(
        _sweep_forever(app, app[TRANSPORT].sweep_interval), name="session-sweeper"
    )
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    app[TASKS].cancel_all()


async def close_streams(app: web.Application) -> None:
    app[STREAMS].close_all()
    app[TASKS].cancel_detached()
