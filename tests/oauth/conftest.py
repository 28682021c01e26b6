"""Every authorization-server test runs over both storage backends against the
TaskManager stand-in on real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, storage_url
from tests.support.stack import Stack, run_stack


@pytest.fixture(params=BACKENDS)
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    async with run_stack(storage_url(request.param, tmp_path)) as running:
        yield running
