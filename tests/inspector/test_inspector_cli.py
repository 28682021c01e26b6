"""The official MCP Inspector CLI (``@modelcontextprotocol/inspector@2.12.0`` under
Node 22, mcp-protocol §9.2) against the whole system on real sockets (issue #7): the
stand-in, the authorization server and the resource server, with a bearer token that
the real OAuth flow issued (our consent page, the stand-in's login and consent pages,
our callback, ``/token``).

Every run is non-interactive: no TTY on stdin, ``--format json`` (one JSON object on
stdout, or one error line on stderr) and ``--stored-auth-only``, so that a rejected
token ends with the ``auth_required`` exit code instead of an interactive login. The
Inspector keeps its catalog and auth state under ``$HOME/.mcp-inspector``; ``HOME`` is
the test's temporary directory. Node 22 and the Inspector live in ``.tools/``
(``scripts/install-node-tools.sh``); see ``tests.support.node_tools``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from taskmcp.tools import ALL_TOOLS
from tests.conftest import storage_url
from tests.support.node_tools import node_env, require_tool
from tests.support.stack import Stack, run_stack

ERAS = ["legacy", "modern"]
RUN_TIMEOUT = 60
# Inspector 2.12 exit codes (mcp-protocol §9.2).
EXIT_OK, EXIT_ERROR, EXIT_AUTH_REQUIRED, EXIT_TOOL_ERROR = 0, 1, 3, 5


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def result(self) -> dict[str, Any]:
        """``--format json`` prints exactly one object, ``{"result": …}``."""
        assert self.code == EXIT_OK, (self.code, self.stderr)
        body: dict[str, Any] = json.loads(self.stdout)
        assert list(body) == ["result"]
        result: dict[str, Any] = body["result"]
        return result

    def error(self) -> dict[str, Any]:
        """Failures print one JSON line on stderr: ``{"error": {"code", "message"}}``."""
        line = self.stderr.strip().splitlines()[-1]
        error: dict[str, Any] = json.loads(line)["error"]
        return error


@dataclass
class Inspector:
    binary: Path
    stack: Stack
    home: Path

    async def run(self, token: str, era: str, *args: str) -> Run:
        process = await asyncio.create_subprocess_exec(
            str(self.binary), "--cli", self.stack.resource, "--transport", "http",
            "--protocol-era", era, "--format", "json", "--stored-auth-only",
            "--header", f"Authorization: Bearer {token}", *args,
            env={**node_env(), "HOME": str(self.home)},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            out, err = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        assert process.returncode is not None
        return Run(process.returncode, out.decode(), err.decode())

    async def call(self, token: str, era: str, tool: str, arguments: dict[str, Any]) -> Run:
        return await self.run(
            token, era, "--method", "tools/call", "--tool-name", tool,
            "--tool-args-json", json.dumps(arguments),
        )  # fmt: skip


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with run_stack(storage_url("sqlite", tmp_path), with_resource=True) as running:
        yield running


@pytest.fixture
def inspector(stack: Stack, tmp_path: Path) -> Inspector:
    home = tmp_path / "home"
    home.mkdir()
    return Inspector(require_tool("inspector"), stack, home)


async def _access_token(stack: Stack, **extra: str) -> str:
    """A token from the real flow: registration, our consent page, the stand-in's login
    and consent pages, our callback, then the code exchange at ``/token``."""
    client_id = str((await stack.register(client_name="MCP Inspector"))["client_id"])
    code, verifier = await stack.code_flow(client_id, **extra)
    resp = await stack.exchange(client_id, code, verifier)
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["scope"] == extra.get("scope", "tasks:read tasks:write")
    token: str = body["access_token"]
    return token


@pytest.mark.parametrize("era", ERAS)
async def test_tools_list_shows_every_tool_in_order(inspector: Inspector, era: str) -> None:
    token = await _access_token(inspector.stack)
    result = (await inspector.run(token, era, "--method", "tools/list")).result()
    assert [tool["name"] for tool in result["tools"]] == [tool.name for tool in ALL_TOOLS]
    create = next(tool for tool in result["tools"] if tool["name"] == "create_task")
    assert create["inputSchema"]["additionalProperties"] is False
    assert create["annotations"]["readOnlyHint"] is False


@pytest.mark.parametrize("era", ERAS)
async def test_a_task_created_with_the_inspector_is_listed(inspector: Inspector, era: str) -> None:
    """``--tool-args-json`` passes the arguments verbatim; ``--tool-arg`` coerces
    ``limit=5`` to a number. Only modern-era results carry the ``_meta`` envelope, which
    shows that the era asked for is the one spoken."""
    token = await _access_token(inspector.stack)
    title = f"Ship the Inspector check ({era})"
    created = (await inspector.call(token, era, "create_task", {"title": title})).result()
    assert created.get("isError") is not True
    assert created["structuredContent"]["task"]["title"] == title
    assert ("_meta" in created) == (era == "modern")
    listed = await inspector.run(
        token, era, "--method", "tools/call", "--tool-name", "list_tasks", "--tool-arg", "limit=5"
    )
    tasks = listed.result()["structuredContent"]["tasks"]
    assert [task["title"] for task in tasks] == [title]
    assert json.loads(listed.result()["content"][0]["text"])["tasks"] == tasks


@pytest.mark.parametrize("era", ERAS)
async def test_a_bad_token_ends_with_the_auth_required_exit_code(
    inspector: Inspector, era: str
) -> None:
    run = await inspector.run("not-a-token", era, "--method", "tools/list")
    assert run.code == EXIT_AUTH_REQUIRED, run.stderr
    assert run.stdout == ""
    assert run.error()["code"] == "auth_required"


async def test_a_tool_error_ends_with_the_tool_error_exit_code(inspector: Inspector) -> None:
    token = await _access_token(inspector.stack)
    run = await inspector.call(token, "legacy", "get_task", {"task_id": 424242})
    assert run.code == EXIT_TOOL_ERROR
    result = json.loads(run.stdout)["result"]
    assert result["isError"] is True
    assert result["content"] == [{"type": "text", "text": "Task 424242 was not found."}]
    assert run.error()["code"] == "tool_is_error"


@pytest.mark.parametrize("era", ERAS)
async def test_a_read_only_token_cannot_create_tasks(inspector: Inspector, era: str) -> None:
    """The resource server answers 403 ``insufficient_scope`` naming ``tasks:write``.
    Inspector 2.12.0 reports that as a general error (exit 1) carrying the missing
    scope, not as ``auth_required`` (exit 3, which it keeps for 401)."""
    token = await _access_token(inspector.stack, scope="tasks:read")
    assert (await inspector.run(token, era, "--method", "tools/list")).code == EXIT_OK
    run = await inspector.call(token, era, "create_task", {"title": "Not allowed"})
    assert run.code == EXIT_ERROR, run.stderr
    assert 'required "tasks:write"' in run.error()["message"]
    listed = (await inspector.call(token, era, "list_tasks", {})).result()
    assert listed["structuredContent"]["tasks"] == []
