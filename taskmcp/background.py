"""Background tasks, run in ``app.cleanup_ctx`` so they stop when the app stops.

The storage sweeper deletes expired rows (codes, pending authorizations, tokens)
every ``SWEEP_INTERVAL`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web

from taskmcp.keys import STORAGE
from taskmcp.storage.sweeper import run_sweeper

__all__ = ["SWEEP_INTERVAL", "storage_sweeper", "utcnow"]

SWEEP_INTERVAL = 60.0


def utcnow() -> datetime:
    return datetime.now(UTC)


async def storage_sweeper(app: web.Application) -> AsyncIterator[None]:
    """Start the sweeper after startup; cancel it and wait for it on cleanup."""
    task = asyncio.create_task(
        run_sweeper(app[STORAGE], interval=SWEEP_INTERVAL, clock=utcnow), name="storage-sweeper"
    )
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
