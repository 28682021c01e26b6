"""Shared fixtures: every storage test runs once per backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from taskmcp.storage import Storage, open_storage

BACKENDS = ["memory", "sqlite"]


def storage_url(backend: str, tmp_path: Path) -> str:
    return "memory://" if backend == "memory" else f"sqlite:///{tmp_path / 'auth.db'}"


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    async with open_storage(storage_url(request.param, tmp_path)) as storage:
        yield storage
