"""oauth-checklist §16 "Durability", at the level of the running service: the
authorization server runs as a subprocess on SQLite and is killed with SIGKILL right
after issuing, after consuming a code, and after revoking. After each restart the
issued tokens still introspect active, the consumed code stays consumed, the
revocation persists, and the registered client survives (§15: ``synchronous=FULL``).

The storage-level crash test (a writer killed mid-stream) is
``tests/test_storage_sqlite.py::test_acknowledged_writes_survive_sigkill``; the
rollback of a failed token insert is
``tests/test_storage_contract.py::test_a_failed_token_insert_leaves_the_code_unconsumed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from taskmcp.config import StandinSettings
from taskmcp.standin import create_standin_app, open_standin_store, seed_store
from taskmcp.storage import open_storage
from tests.security.support import serve
from tests.support.stack import (
    RS_CLIENT_ID,
    RS_SECRET,
    SECRET_KEY,
    UPSTREAM_SECRET,
    FakeClock,
    Stack,
    free_port,
)

ROOT = Path(__file__).resolve().parents[2]


class AuthProcess:
    """``taskmcp auth`` in a subprocess, restartable on the same database."""

    def __init__(self, tmp_path: Path, port: int, taskmanager: str) -> None:
        self.port, self.tmp_path = port, tmp_path
        self.args = [
            sys.executable,
            "-m",
            "taskmcp.cli",
            "auth",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-url",
            f"sqlite:///{tmp_path / 'auth.db'}",
            "--taskmanager-url",
            taskmanager,
        ]
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "TASKMCP_DATA_DIR": str(tmp_path / "data"),
            "MCP_AUTH_SERVER_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "MCP_SERVER_URL": "http://127.0.0.1:9",
            "TASKMANAGER_CLIENT_SECRET": UPSTREAM_SECRET,
            "TASKMCP_SECRET_KEY": SECRET_KEY.decode(),
            "TASKMCP_INTROSPECTION_CLIENT_ID": RS_CLIENT_ID,
            "TASKMCP_INTROSPECTION_CLIENT_SECRET": RS_SECRET,
        }
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, http: aiohttp.ClientSession) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            *self.args,
            cwd=self.tmp_path,
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        async with asyncio.timeout(20):
            while True:
                assert self.proc.returncode is None, "the authorization server exited"
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"http://127.0.0.1:{self.port}/healthz") as resp:
                        if resp.status == 200:
                            return
                await asyncio.sleep(0.1)

    async def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        assert await self.proc.wait() == -signal.SIGKILL

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


@contextlib.asynccontextmanager
async def _reaped(process: AuthProcess) -> AsyncIterator[AuthProcess]:
    try:
        yield process
    finally:
        await process.stop()


@pytest.fixture
async def crashing(tmp_path: Path) -> AsyncIterator[tuple[Stack, AuthProcess]]:
    as_port, tm_port = free_port(), free_port()
    issuer, taskmanager = f"http://127.0.0.1:{as_port}", f"http://127.0.0.1:{tm_port}"
    clock = FakeClock()
    standin = StandinSettings.load(
        {},
        {
            "revision": "jan",
            "users": ["alice:pw"],
            "clients": [f"brooks:{UPSTREAM_SECRET}:{issuer}/oauth/callback"],
        },
    )
    async with contextlib.AsyncExitStack() as stack:
        tm_store = await stack.enter_async_context(open_standin_store("memory://"))
        await seed_store(tm_store, standin.users, standin.clients, now=clock())
        await stack.enter_async_context(serve(create_standin_app(standin, tm_store), tm_port))
        placeholder = await stack.enter_async_context(open_storage("memory://"))
        http = await stack.enter_async_context(aiohttp.ClientSession())
        process = await stack.enter_async_context(
            _reaped(AuthProcess(tmp_path, as_port, taskmanager))
        )
        await process.start(http)
        # Stack's HTTP helpers only; its storage is a placeholder (the real one is in
        # the subprocess), so nothing here reads storage directly.
        yield Stack(issuer, taskmanager, placeholder, clock, http, "http://127.0.0.1:9"), process


async def test_issued_consumed_and_revoked_state_survives_sigkill(
    crashing: tuple[Stack, AuthProcess],
) -> None:
    stack, process = crashing
    client_id = str((await stack.register())["client_id"])
    issued = await stack.tokens(client_id)

    await process.kill9()  # right after issuing
    await process.start(stack.http)
    assert (await stack.introspect(str(issued["access_token"])))[1]["active"] is True
    refresh = str(issued["refresh_token"])
    assert (await stack.introspect(refresh, token_type_hint="refresh_token"))[1]["active"] is True

    code, verifier = await stack.code_flow(client_id)  # the client survived: it can sign in
    first = await stack.exchange(client_id, code, verifier)
    assert first.status == 200
    await process.kill9()  # right after consuming
    await process.start(stack.http)
    replay = await stack.exchange(client_id, code, verifier)
    assert replay.status == 400
    assert await replay.json() == {
        "error": "invalid_grant",
        "error_description": "authorization code already used",
    }

    revoked = await stack.post("/revoke", {"token": refresh, "client_id": client_id})
    assert revoked.status == 200
    await process.kill9()  # right after revoking
    await process.start(stack.http)
    assert await stack.introspect(str(issued["access_token"])) == (200, {"active": False})
    assert await stack.introspect(refresh) == (200, {"active": False})
    again = await stack.post(
        "/token", {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": client_id}
    )
    assert again.status == 400
    assert (await again.json())["error"] == "invalid_grant"
