"""The tools through the real MCP transport with the official ``mcp`` 2.3.0 client
(mcp-protocol §9.3), in both eras, against the TaskManager stand-in: JAN in ``user``
mode (each MCP token carries that user's real upstream OAuth token), DEC in
``service`` mode (one service account). Token validation is an injected verifier;
everything else is the production wiring of ``create_resource_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import mcp
import pytest
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr
from pytest_aiohttp import AiohttpServer

from taskmcp.config import ResourceSettings
from taskmcp.resource.access import AccessInfo
from taskmcp.resource_app import create_resource_app
from taskmcp.tools import READ, WRITE, default_registry
from tests.tools.support import PASSWORD, Upstream, access_token

ERAS = [("legacy", "2025-11-25"), ("2026-07-28", "2026-07-28")]


class FixedVerifier:
    """Our authorization server's introspection answers, fixed per MCP token."""

    def __init__(self, tokens: dict[str, AccessInfo]) -> None:
        self._tokens = tokens

    async def verify(self, token: str) -> AccessInfo | None:
        return self._tokens.get(token)


def _settings(upstream: Upstream) -> ResourceSettings:
    environ = {
        "MCP_AUTH_SERVER": "http://127.0.0.1:9",
        "TASKMCP_INTROSPECTION_CLIENT_ID": "rs",
        "TASKMCP_INTROSPECTION_CLIENT_SECRET": "rs-secret",
        "TASKMCP_TASKMANAGER_INTERNAL_URL": upstream.base_url,
    }
    if upstream.revision == "dec":
        environ |= {
            "TASKMCP_TASKMANAGER_AUTH": "service",
            "TASKMANAGER_USERNAME": "alice",
            "TASKMANAGER_PASSWORD": PASSWORD,
        }
    return ResourceSettings.load(environ)


async def _tokens(upstream: Upstream, settings: ResourceSettings) -> dict[str, AccessInfo]:
    async def info(sub: str, scopes: set[str], upstream_token: str | None) -> AccessInfo:
        return AccessInfo(
            sub=sub,
            client_id="e2e",
            scopes=frozenset(scopes),
            aud=(settings.mcp_resource,),
            upstream_token=SecretStr(upstream_token) if upstream_token else None,
        )

    jan = upstream.revision == "jan"
    alice = await access_token(upstream.base_url, "alice") if jan else None
    return {
        "alice": await info("alice", {READ, WRITE}, alice),
        "reader": await info("alice", {READ}, alice),
        "stale": await info("alice", {READ, WRITE}, "revoked-upstream-token" if jan else None),
    }


@pytest.fixture
async def mcp_url(upstream: Upstream, aiohttp_server: AiohttpServer) -> str:
    settings = _settings(upstream)
    verifier = FixedVerifier(await _tokens(upstream, settings))
    app = create_resource_app(settings, tools=default_registry(), verifier=verifier)
    server = await aiohttp_server(app, host="127.0.0.1")
    return str(server.make_url("/mcp"))


@asynccontextmanager
async def _client(
    url: str, mode: str, token: str = "alice", seen: list[httpx2.Response] | None = None
) -> AsyncIterator[mcp.Client]:
    """An SDK client with a fixed bearer token; ``seen`` collects every HTTP response
    (the SDK reports a 401/403 only as a generic error)."""

    async def record(response: httpx2.Response) -> None:
        if seen is not None:
            seen.append(response)

    headers = {"Authorization": f"Bearer {token}"}
    hooks = {"response": [record]}
    async with (
        httpx2.AsyncClient(headers=headers, event_hooks=hooks) as http,
        mcp.Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        yield client


def _challenges(responses: list[httpx2.Response], status: int) -> list[str]:
    return [r.headers.get("WWW-Authenticate", "") for r in responses if r.status_code == status]


@pytest.mark.parametrize(("mode", "negotiated"), ERAS)
async def test_tools_list_shows_every_tool_with_its_schemas(
    mcp_url: str, mode: str, negotiated: str
) -> None:
    async with _client(mcp_url, mode) as client:
        assert client.protocol_version == negotiated
        listed = (await client.list_tools()).tools
    expected = [tool.descriptor() for tool in default_registry().tools]
    assert [tool.name for tool in listed] == [entry["name"] for entry in expected]
    for tool, entry in zip(listed, expected, strict=True):
        assert tool.title == entry["title"]
        assert tool.input_schema == entry["inputSchema"]
        assert tool.output_schema == entry["outputSchema"]
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint == entry["annotations"]["readOnlyHint"]
        assert tool.annotations.destructive_hint == entry["annotations"]["destructiveHint"]
        assert tool.annotations.open_world_hint is False


@pytest.mark.parametrize(("mode", "negotiated"), ERAS)
async def test_a_task_round_trip_through_the_transport(
    mcp_url: str, upstream: Upstream, mode: str, negotiated: str
) -> None:
    async with _client(mcp_url, mode) as client:
        await client.list_tools()  # the client validates structuredContent against these
        project = await client.call_tool(
            "create_project", {"name": f"E2E {mode} {upstream.revision}"}
        )
        assert not project.is_error, project.content
        assert project.structured_content is not None
        project_id = project.structured_content["project"]["id"]
        created = await client.call_tool(
            "create_task",
            {"title": "Ship it", "project_id": project_id, "due_date": "tomorrow", "tags": ["e2e"]},
        )
        assert not created.is_error, created.content
        assert created.structured_content is not None
        task_id = created.structured_content["task"]["id"]
        listed = await client.call_tool("list_tasks", {"project_id": f"project_{project_id}"})
        assert listed.structured_content is not None
        assert [t["id"] for t in listed.structured_content["tasks"]] == [task_id]
        done = await client.call_tool("complete_task", {"task_id": f"task_{task_id}"})
        assert done.structured_content is not None
        assert done.structured_content["task"]["status"] == "completed"
        fetched = await client.call_tool("fetch", {"id": f"task_{task_id}"})
        assert fetched.structured_content is not None
        assert fetched.structured_content["url"] == f"taskmanager://tasks/{task_id}"
        text = fetched.content[0]
        assert text.type == "text"


@pytest.mark.parametrize(("mode", "negotiated"), ERAS)
async def test_business_failures_are_tool_errors_not_protocol_errors(
    mcp_url: str, mode: str, negotiated: str
) -> None:
    async with _client(mcp_url, mode) as client:
        missing = await client.call_tool("get_task", {"task_id": 987654})
        assert missing.is_error
        assert missing.structured_content is None
        assert missing.content[0].type == "text"
        assert missing.content[0].text == "Task 987654 was not found."
        invalid = await client.call_tool("list_tasks", {"limit": 1000})
        assert invalid.is_error
        assert invalid.content[0].type == "text"
        assert invalid.content[0].text == "limit must be at most 100."


@pytest.mark.parametrize(("mode", "negotiated"), ERAS)
async def test_a_read_only_token_reads_but_cannot_write(
    mcp_url: str, mode: str, negotiated: str
) -> None:
    """The transport checks ``tool.scope``: 403 insufficient_scope (RFC 6750 §3.1) for a
    write tool; without an OAuth provider the client cannot step up and raises."""
    seen: list[httpx2.Response] = []
    async with _client(mcp_url, mode, token="reader", seen=seen) as client:
        assert not (await client.call_tool("list_tasks", {})).is_error
        with pytest.raises(mcp.MCPError):
            await client.call_tool("create_task", {"title": "not allowed"})
    [challenge] = _challenges(seen, 403)
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="tasks:write"' in challenge


@pytest.mark.parametrize("revision", ["jan"])
@pytest.mark.parametrize(("mode", "negotiated"), ERAS)
async def test_a_dead_upstream_token_is_an_http_401_not_a_tool_error(
    mcp_url: str, mode: str, negotiated: str
) -> None:
    """clients-in-the-wild §5: the client must see the 401 and re-authenticate."""
    seen: list[httpx2.Response] = []
    async with _client(mcp_url, mode, token="stale", seen=seen) as client:
        with pytest.raises(mcp.MCPError):
            await client.call_tool("list_tasks", {})
    [challenge] = _challenges(seen, 401)
    assert 'error="invalid_token"' in challenge
