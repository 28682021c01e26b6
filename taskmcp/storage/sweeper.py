"""Background removal of expired rows (codes, tokens, pending authorizations, clients).

Run it from an application's ``cleanup_ctx`` as a task and cancel it on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from taskmcp.storage.base import Storage
from taskmcp.storage.errors import StorageError

__all__ = ["run_sweeper"]

log = logging.getLogger(__name__)


async def run_sweeper(storage: Storage, *, interval: float, clock: Callable[[], datetime]) -> None:
    """Sweep every ``interval`` seconds until cancelled. A failed sweep is logged and
    retried at the next tick; it never stops the loop."""
    while True:
        await asyncio.sleep(interval)
        try:
            removed = await storage.sweep(now=clock())
        except StorageError as exc:
            log.warning("storage sweep failed: %s", type(exc).__name__)
            continue
        if removed:
            log.info("storage sweep removed %d expired rows", removed)
