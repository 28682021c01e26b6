"""Fixtures of the attack suite: every test runs inside the loopback-only network jail;
authorization-server tests run over both storage backends (oauth-checklist §16), and
``mcp_stack`` adds the resource server in front of the same authorization server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, storage_url
from tests.security.netguard import NetworkJail, loopback_only
from tests.support.stack import Stack, run_stack


@pytest.fixture(autouse=True)
def jail() -> Iterator[NetworkJail]:
    with loopback_only() as refused:
        yield refused


@pytest.fixture(params=BACKENDS)
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    async with run_stack(storage_url(request.param, tmp_path)) as running:
        yield running


@pytest.fixture
async def mcp_stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """Stand-in, authorization server and resource server (default cache settings)."""
    async with run_stack(storage_url("sqlite", tmp_path), with_resource=True) as running:
        yield running
