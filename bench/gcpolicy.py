"""The garbage-collector settings every benchmarked server runs with.

All servers use CPython's default thresholds, set explicitly so that no library can
have changed them, and start measuring from a collected heap.
"""

from __future__ import annotations

import gc

__all__ = ["THRESHOLDS", "collect", "configure", "on_ready"]

THRESHOLDS = (700, 10, 10)


def configure() -> None:
    gc.enable()
    gc.set_threshold(*THRESHOLDS)


def collect() -> None:
    """Once the server is ready: collect start-up garbage (nothing is frozen)."""
    gc.collect()


async def on_ready(app: object) -> None:
    collect()
