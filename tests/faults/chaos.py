"""A misbehaving TaskManager: an in-process proxy in front of the real stand-in whose
behaviour a test switches at will.

=========  ==============================================================
mode       what the resource server sees
=========  ==============================================================
pass       the stand-in, forwarded as is
down       nothing listens: connections are refused
slow       every answer comes after ``delay`` seconds (longer than the
           resource server's TaskManager timeout)
html       200 with an HTML body where JSON was expected
error      502 with an HTML body, as from a proxy in front of a dead app
garbage    bytes that are not HTTP at all, then the connection closes
=========  ==============================================================
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

import aiohttp
from aiohttp import web

__all__ = ["ChaosProxy", "Mode"]

Mode = Literal["pass", "down", "slow", "html", "error", "garbage"]
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}
GARBAGE = b"\x16\x03\x01 this is not HTTP \xff\xfe\r\n\r\n"


class ChaosProxy:
    def __init__(self, upstream: str, port: int, *, delay: float = 3.0) -> None:
        self.upstream = upstream
        self.port = port
        self.delay = delay
        self.mode: Mode = "down"
        self.requests = 0
        self._runner: web.AppRunner | None = None
        self._raw: asyncio.Server | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def set(self, mode: Mode) -> None:
        """Switch behaviour; switching to or from ``down``/``garbage`` changes what
        listens on the port (existing connections are closed)."""
        wants_http = mode in ("pass", "slow", "html", "error")
        if not wants_http:
            await self._stop_http()
        if mode != "garbage":
            await self._stop_raw()
        self.mode = mode
        if wants_http and self._runner is None:
            await self._start_http()
        elif mode == "garbage" and self._raw is None:
            self._raw = await asyncio.start_server(self._garbage, "127.0.0.1", self.port)

    async def close(self) -> None:
        await self._stop_http()
        await self._stop_raw()
        if self._http is not None:
            await self._http.close()

    async def _start_http(self) -> None:
        if self._http is None:
            self._http = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _stop_http(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _stop_raw(self) -> None:
        if self._raw is not None:
            server, self._raw = self._raw, None
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1)

    async def _garbage(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            await reader.read(65536)
            writer.write(GARBAGE)
            await writer.drain()
        writer.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        if self.mode == "html":
            return web.Response(text="<html><body>Welcome!</body></html>", content_type="text/html")
        if self.mode == "error":
            return web.Response(status=502, text="<h1>Bad Gateway</h1>", content_type="text/html")
        if self.mode == "slow":
            await asyncio.sleep(self.delay)
        return await self._forward(request)

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with self._http.request(
            request.method,
            self.upstream + request.path_qs,
            headers=headers,
            data=await request.read(),
            allow_redirects=False,
        ) as resp:
            body = await resp.read()
            out = {k: v for k, v in resp.headers.items() if k.lower() not in HOP_HEADERS}
            return web.Response(status=resp.status, body=body, headers=out)
