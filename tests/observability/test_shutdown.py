"""Graceful shutdown of real processes (issue #7): on SIGTERM a service stops
accepting, lets in-flight requests finish, ends SSE streams (``subscriptions/listen``
with its final result, legacy GET streams at once), closes storage, and exits 0. Run
with ``--log-format json --log-level debug``, so every stderr line must also parse as
one JSON object.

An upload still in progress when shutdown starts cannot finish: aiohttp stops reading
every connection once it begins closing them. "In flight" here means a handler that is
waiting on TaskManager (held by ``GatedTaskManager``)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from taskmcp.storage import open_storage
from tests.mcp.support import LEGACY, META, MODERN, next_event
from tests.support.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
ACCEPT = "application/json, text/event-stream"


@contextmanager
def _process(tmp_path: Path, *args: str, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "TASKMCP_DATA_DIR": str(tmp_path / "data"),
        **env,
    }
    command = [sys.executable, "-m", "taskmcp.cli", *args, "--host", "127.0.0.1"]
    command += ["--log-format", "json", "--log-level", "debug"]
    with (tmp_path / "stderr.log").open("wb") as stderr:
        proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=stderr, stderr=stderr)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


async def _wait_healthy(proc: subprocess.Popen[bytes], base: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            assert proc.poll() is None, "the server exited before becoming healthy"
            try:
                async with http.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("the server never became healthy")


class GatedTaskManager:
    """Just enough TaskManager for a service account and a readiness probe; requests to
    ``/api/projects`` and ``/api/todos`` wait for ``gate`` (``entered`` says they came)."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/auth/login", self._login)
        app.router.add_get("/api/projects", self._projects)
        app.router.add_get("/api/todos", self._todos)
        return app

    async def _login(self, request: web.Request) -> web.Response:
        response = web.json_response({"data": {"user": {"id": 7, "username": "svc"}}})
        response.set_cookie("session", "svc-session")
        return response

    async def _held(self) -> None:
        self.entered.set()
        await self.gate.wait()

    async def _projects(self, request: web.Request) -> web.Response:
        await self._held()
        return web.json_response({"data": [{"id": 1, "name": "Inbox"}]})

    async def _todos(self, request: web.Request) -> web.Response:
        await self._held()
        raise web.HTTPFound("/login?return_to=%2Fapi%2Ftodos")


async def _exit_code(proc: subprocess.Popen[bytes]) -> int:
    return await asyncio.to_thread(proc.wait, 20)


def _log_lines(tmp_path: Path) -> list[dict[str, object]]:
    lines = (tmp_path / "stderr.log").read_text().splitlines()
    return [json.loads(line) for line in lines]  # every line is one JSON object


async def _post_json(
    http: aiohttp.ClientSession, url: str, body: object, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    async with http.post(url, json=body, headers={"Accept": ACCEPT, **headers}) as response:
        return response.status, await response.json()


async def _legacy_get_stream(http: aiohttp.ClientSession, base: str) -> aiohttp.ClientResponse:
    init = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": LEGACY, "capabilities": {},
                       "clientInfo": {"name": "ops", "version": "1"}}}  # fmt: skip
    async with http.post(f"{base}/mcp", json=init, headers={"Accept": ACCEPT}) as response:
        assert response.status == 200
        session = {"Mcp-Session-Id": response.headers["Mcp-Session-Id"],
                   "MCP-Protocol-Version": LEGACY}  # fmt: skip
    ack = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    async with http.post(f"{base}/mcp", json=ack, headers={"Accept": ACCEPT, **session}) as r:
        assert r.status == 202
    stream = await http.get(f"{base}/mcp", headers={"Accept": "text/event-stream", **session})
    assert stream.status == 200
    return stream


async def _listen_stream(http: aiohttp.ClientSession, base: str) -> aiohttp.ClientResponse:
    listen = {"jsonrpc": "2.0", "id": "L1", "method": "subscriptions/listen",
              "params": {"notifications": {}, "_meta": META}}  # fmt: skip
    headers = {"Accept": ACCEPT, "MCP-Protocol-Version": MODERN,
               "Mcp-Method": "subscriptions/listen"}  # fmt: skip
    stream = await http.post(f"{base}/mcp", json=listen, headers=headers)
    assert stream.status == 200
    assert (await next_event(stream))["method"] == "notifications/subscriptions/acknowledged"
    return stream


async def test_sigterm_on_the_resource_server_ends_streams_and_finishes_a_tool_call(
    tmp_path: Path, aiohttp_server: AiohttpServer
) -> None:
    taskmanager = GatedTaskManager()
    upstream = str((await aiohttp_server(taskmanager.app())).make_url("/")).rstrip("/")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    service = {"TASKMCP_TASKMANAGER_AUTH": "service", "TASKMANAGER_USERNAME": "svc",
               "TASKMANAGER_PASSWORD": "pw", "TASKMANAGER_OAUTH_HOST": upstream}  # fmt: skip
    args = ("resource", "--port", str(port), "--no-auth")
    with _process(tmp_path, *args, env=service) as proc:
        await _wait_healthy(proc, base)
        async with aiohttp.ClientSession() as http:
            listen, legacy = await _listen_stream(http, base), await _legacy_get_stream(http, base)
            call = {
                "jsonrpc": "2.0",
                "id": 7,
                "method": "tools/call",
                "params": {"name": "get_all_projects", "arguments": {}, "_meta": META},
            }
            headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call",
                       "Mcp-Name": "get_all_projects"}  # fmt: skip
            in_flight = asyncio.create_task(_post_json(http, f"{base}/mcp", call, headers))
            await asyncio.wait_for(taskmanager.entered.wait(), 10)
            proc.send_signal(signal.SIGTERM)
            final = await next_event(listen)
            assert (final["id"], final["result"]["resultType"]) == ("L1", "complete")
            with pytest.raises(EOFError):  # the legacy protocol has no final message
                await next_event(legacy)
            await asyncio.sleep(0.3)
            assert not in_flight.done()
            taskmanager.gate.set()
            status, answer = await asyncio.wait_for(in_flight, 10)
        assert await _exit_code(proc) == 0
    assert status == 200
    assert answer["result"]["structuredContent"]["projects"][0]["name"] == "Inbox"
    logs = _log_lines(tmp_path)
    assert any(line["message"] == "stop signal received, shutting down" for line in logs)
    assert [line["status"] for line in logs if line.get("route") == "/mcp"][-1] == 200
    assert not any("Traceback" in str(line) for line in logs)


async def test_sigterm_on_the_auth_server_finishes_a_probe_then_closes_storage(
    tmp_path: Path, aiohttp_server: AiohttpServer
) -> None:
    taskmanager = GatedTaskManager()
    upstream = str((await aiohttp_server(taskmanager.app())).make_url("/")).rstrip("/")
    port, database = free_port(), f"sqlite:///{tmp_path / 'auth.db'}"
    base = f"http://127.0.0.1:{port}"
    args = ("auth", "--port", str(port), "--storage-url", database)
    with _process(tmp_path, *args, env={"TASKMANAGER_OAUTH_HOST": upstream}) as proc:
        await _wait_healthy(proc, base)
        async with aiohttp.ClientSession() as http:
            registration = {"client_name": "Kept", "redirect_uris": ["http://127.0.0.1:9/cb"],
                            "token_endpoint_auth_method": "none"}  # fmt: skip
            status, client = await _post_json(http, f"{base}/register", registration, {})
            assert status == 201
            probe = asyncio.create_task(
                http.get(f"{base}/readyz", headers={"X-Request-Id": "last-probe"})
            )
            await asyncio.wait_for(taskmanager.entered.wait(), 10)
            proc.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.3)
            taskmanager.gate.set()
            response = await asyncio.wait_for(probe, 10)
            assert (response.status, await response.json()) == (200, {"status": "ready"})
        assert await _exit_code(proc) == 0
    async with open_storage(database) as storage:  # closed cleanly: it opens, with the client
        stored = await storage.get_client(str(client["client_id"]), now=datetime.now(UTC))
    assert stored is not None
    assert stored.client_name == "Kept"
    logs = _log_lines(tmp_path)
    probes = [line for line in logs if line.get("route") == "/readyz"]
    assert [(p["status"], p["request_id"]) for p in probes] == [(200, "last-probe")]
    assert not any(line["logger"] == "aiosqlite" for line in logs)  # quiet even at debug
    assert all(set(line) >= {"time", "level", "logger", "message"} for line in logs)
