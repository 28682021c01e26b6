"""Fixtures for the Chromium tests: the stand-in and the authorization server on real
127.0.0.1 ports, the client's loopback listener, and Chromium itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.browser.support import LoopbackClient, loopback_client, require_chromium
from tests.conftest import storage_url
from tests.support.stack import Stack, run_stack


@pytest.fixture(autouse=True)
def _chromium_available() -> None:
    require_chromium()


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with run_stack(storage_url("sqlite", tmp_path)) as running:
        yield running


@pytest.fixture
async def client_app() -> AsyncIterator[LoopbackClient]:
    async with loopback_client() as client:
        yield client
