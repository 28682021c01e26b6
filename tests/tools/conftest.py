"""Fixtures for the tool tests: a real TaskManager stand-in on 127.0.0.1 per test, once
per revision (JAN with per-user OAuth tokens, DEC with the service account), and the
users alice and bob acting through the tools."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from pytest_aiohttp import AiohttpServer

from taskmcp.config import StandinSettings
from taskmcp.standin import create_standin_app, open_standin_store, seed_store
from tests.tools.support import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    REDIRECT_URI,
    USERS,
    Agent,
    FakeClock,
    Upstream,
)

REVISIONS = ["jan", "dec"]


def standin_settings(revision: str) -> StandinSettings:
    overrides = {
        "revision": revision,
        "users": [f"{user}:{PASSWORD}" for user in USERS],
        "clients": [f"{CLIENT_ID}:{CLIENT_SECRET}:{REDIRECT_URI}"],
    }
    return StandinSettings.load({}, overrides)


@pytest.fixture(params=REVISIONS)
def revision(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
async def upstream(revision: str, aiohttp_server: AiohttpServer) -> AsyncIterator[Upstream]:
    settings, clock = standin_settings(revision), FakeClock()
    async with open_standin_store("memory://") as store, AsyncExitStack() as stack:
        await seed_store(store, settings.users, settings.clients, now=clock())
        server = await aiohttp_server(
            create_standin_app(settings, store, clock=clock), host="127.0.0.1"
        )
        yield Upstream(revision, str(server.make_url("")).rstrip("/"), clock, stack)


@pytest.fixture
async def alice(upstream: Upstream) -> Agent:
    return await upstream.agent("alice")


@pytest.fixture
async def bob(upstream: Upstream) -> Agent:
    return await upstream.agent("bob")
