"""Fixtures for the stand-in: a real server on 127.0.0.1 per test, once per revision.

``standin`` is parametrised over DEC and JAN; a test narrows or extends that with
``@pytest.mark.parametrize("revision", [...])``. Accounts: alice and bob (password
``pw``); one confidential client ``cid`` owned by alice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pytest_aiohttp import AiohttpClient, AiohttpServer

from taskmcp.config import StandinSettings
from taskmcp.standin import StandinStore, create_standin_app, open_standin_store, seed_store

REVISIONS = ["dec", "jan"]
PASSWORD = "pw"
CLIENT_ID, CLIENT_SECRET = "cid", "secretsecret1"
REDIRECT_URI = "http://127.0.0.1:9/cb"


class FakeClock:
    """Starts at the real time (cookies must not look expired to the client's jar)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Standin:
    revision: str
    server: TestServer
    store: StandinStore
    clock: FakeClock
    new_client: Callable[[], Awaitable[TestClient]]

    async def anonymous(self) -> TestClient:
        return await self.new_client()

    async def login(self, username: str, password: str = PASSWORD) -> TestClient:
        client = await self.new_client()
        response = await client.post(
            "/api/auth/login", json={"username": username, "password": password}
        )
        assert response.status == 200, await response.text()
        return client


def settings_for(revision: str) -> StandinSettings:
    overrides = {
        "revision": revision,
        "users": ["alice:pw", "bob:pw"],
        "clients": [f"{CLIENT_ID}:{CLIENT_SECRET}:{REDIRECT_URI}"],
    }
    return StandinSettings.load({}, overrides)


@pytest.fixture(params=REVISIONS)
def revision(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
async def standin(
    revision: str, aiohttp_server: AiohttpServer, aiohttp_client: AiohttpClient
) -> AsyncIterator[Standin]:
    settings, clock = settings_for(revision), FakeClock()
    async with open_standin_store("memory://") as store:
        await seed_store(store, settings.users, settings.clients, now=clock())
        server = await aiohttp_server(create_standin_app(settings, store, clock=clock))

        async def new_client() -> TestClient:
            return await aiohttp_client(server)

        yield Standin(revision, server, store, clock, new_client)


@pytest.fixture
async def alice(standin: Standin) -> TestClient:
    return await standin.login("alice")


@pytest.fixture
async def bob(standin: Standin) -> TestClient:
    return await standin.login("bob")
