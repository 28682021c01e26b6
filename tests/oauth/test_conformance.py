"""The official MCP conformance suite's authorization-server scenarios
(``authorization-server-metadata-endpoint`` and ``authorization-code-grant``,
@modelcontextprotocol/conformance 0.2.0-alpha.12; mcp-protocol §9.1), against our
authorization server on SQLite with the TaskManager stand-in behind it.

The suite prints an authorization URL and waits on its own callback; the scripted
browser clicks through our consent page and the stand-in's login and consent pages,
exactly as a person would, and delivers the code to the suite's callback."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from tests.conftest import storage_url
from tests.support.browser import Browser
from tests.support.node_tools import node_env, require_tool
from tests.support.stack import free_port, run_stack

URL_RE = re.compile(r"(https?://\S+/authorize\?\S+)")


async def test_the_authorization_scenarios_pass(tmp_path: Path) -> None:
    conformance = require_tool("conformance")
    port = free_port()
    callback = f"http://127.0.0.1:{port}/callback"
    async with run_stack(storage_url("sqlite", tmp_path)) as stack:
        client = await stack.register(redirect_uris=[callback], client_name="conformance")
        proc = await asyncio.create_subprocess_exec(
            str(conformance),
            "authorization",
            "--url",
            stack.issuer,
            "--client-id",
            str(client["client_id"]),
            "--resource",
            stack.resource,
            "-p",
            str(port),
            "-o",
            str(tmp_path / "results"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=node_env(),
        )
        output: list[str] = []
        try:
            assert proc.stdout is not None
            url = await asyncio.wait_for(_authorize_url(proc.stdout, output), timeout=60)
            browser = Browser()
            try:
                final = await stack.authorize(browser, url, redirect=callback)
                assert final.location is not None, final.text
                await browser.get(final.location)
            finally:
                await browser.close()
            rest = await asyncio.wait_for(proc.stdout.read(), timeout=60)
            output.append(rest.decode(errors="replace"))
            await asyncio.wait_for(proc.wait(), timeout=30)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    log = "".join(output)
    assert proc.returncode == 0, log
    assert re.search(r"authorization-server-metadata-endpoint: \d+ passed, 0 failed", log), log
    assert re.search(r"authorization-code-grant: \d+ passed, 0 failed", log), log


async def _authorize_url(stream: asyncio.StreamReader, output: list[str]) -> str:
    while True:
        line = (await stream.readline()).decode(errors="replace")
        if not line:
            raise AssertionError("conformance exited before printing a URL:\n" + "".join(output))
        output.append(line)
        found = URL_RE.search(line)
        if found:
            return found.group(1)
