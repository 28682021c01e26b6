"""``tools/call`` and authorization (mcp-protocol §6, §8.1): scope step-up, the upstream
TaskManager credential per caller, and dead upstream credentials as HTTP 401."""

from __future__ import annotations

import logging

import pytest

from tests.mcp.conftest import MakeStack, Stack
from tests.mcp.support import introspection, read_sse

STEP_UP = (
    'Bearer error="insufficient_scope", error_description="The write_tool tool needs the '
    'tasks:write scope", resource_metadata="http://localhost:8001/.well-known/'
    'oauth-protected-resource/mcp", scope="tasks:write"'
)


@pytest.mark.parametrize("era", ["legacy", "modern"])
async def test_a_tool_outside_the_tokens_scopes_is_a_403_step_up(stack: Stack, era: str) -> None:
    """RFC 6750 §3.1 insufficient_scope; the challenge names what this call needs."""
    mcp = stack.mcp("reader-token")
    call = {"name": "write_tool", "arguments": {}}
    if era == "legacy":
        response = await mcp.legacy(await mcp.initialize(), "tools/call", call)
    else:
        response = await mcp.modern("tools/call", call)
    assert response.status == 403
    assert response.headers["WWW-Authenticate"] == STEP_UP
    assert (await response.json())["error"] == "insufficient_scope"


async def test_a_read_tool_works_with_the_read_scope(stack: Stack) -> None:
    response = await stack.mcp("reader-token").modern(
        "tools/call", {"name": "get_time", "arguments": {}}
    )
    assert response.status == 200


async def test_user_mode_calls_taskmanager_with_the_users_upstream_token(stack: Stack) -> None:
    """No token passthrough: TaskManager sees the upstream token, never ours."""
    response = await stack.mcp().modern("tools/call", {"name": "count_projects", "arguments": {}})
    assert (await response.json())["result"]["structuredContent"] == {"count": 1}
    assert stack.taskmanager.seen == ["Bearer up-alice"]


async def test_a_dead_upstream_token_is_an_http_401_and_drops_the_cache(stack: Stack) -> None:
    stack.taskmanager.valid_tokens.clear()
    mcp = stack.mcp()
    response = await mcp.modern("tools/call", {"name": "count_projects", "arguments": {}})
    assert response.status == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer error="invalid_token"')
    assert (
        'resource_metadata="http://localhost:8001/.well-known/oauth-protected-resource/mcp"'
        in challenge
    )
    assert stack.auth.calls == ["alice-token"]
    await mcp.modern("tools/list")
    assert stack.auth.calls == ["alice-token", "alice-token"]  # introspected again


async def test_a_dead_upstream_token_in_a_legacy_session_is_also_401(stack: Stack) -> None:
    stack.taskmanager.valid_tokens.clear()
    mcp = stack.mcp()
    response = await mcp.legacy(await mcp.initialize(), "tools/call", {"name": "count_projects"})
    assert response.status == 401


async def test_a_dead_upstream_token_after_progress_is_a_jsonrpc_error_on_the_stream(
    stack: Stack,
) -> None:
    """Once the SSE response has started, the status cannot become 401 any more."""
    stack.taskmanager.valid_tokens.clear()
    params = {"name": "progress_then_projects", "arguments": {}}
    response = await stack.mcp().modern("tools/call", params, progressToken="t", id="x")
    assert response.status == 200
    messages = await read_sse(response)
    assert messages[0]["method"] == "notifications/progress"
    assert messages[-1] == {
        "jsonrpc": "2.0",
        "id": "x",
        "error": {"code": -32001, "message": "Authorization failed; sign in again"},
    }


async def test_no_upstream_token_means_sign_in_again(stack: Stack) -> None:
    stack.auth.tokens["bare-token"] = introspection("dave", upstream=None)
    mcp = stack.mcp("bare-token")
    assert (await mcp.modern("tools/list")).status == 200
    response = await mcp.modern("tools/call", {"name": "get_time", "arguments": {}})
    assert response.status == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


async def test_service_mode_uses_the_service_account(make_stack: MakeStack) -> None:
    env = {
        "TASKMCP_TASKMANAGER_AUTH": "service",
        "TASKMANAGER_USERNAME": "svc",
        "TASKMANAGER_PASSWORD": "service-pw",
    }
    stack = await make_stack(env)
    stack.auth.tokens["bare-token"] = introspection("dave", upstream=None)
    response = await stack.mcp("bare-token").modern(
        "tools/call", {"name": "count_projects", "arguments": {}}
    )
    assert (await response.json())["result"]["structuredContent"] == {"count": 1}
    assert stack.taskmanager.seen == [None]  # the session cookie, no bearer token


async def test_a_refused_service_account_is_a_logged_internal_error(
    make_stack: MakeStack, caplog: pytest.LogCaptureFixture
) -> None:
    env = {
        "TASKMCP_TASKMANAGER_AUTH": "service",
        "TASKMANAGER_USERNAME": "svc",
        "TASKMANAGER_PASSWORD": "wrong",
    }
    stack = await make_stack(env)
    with caplog.at_level(logging.ERROR):
        response = await stack.mcp().modern(
            "tools/call", {"name": "count_projects", "arguments": {}}, id=5
        )
    assert response.status == 200
    assert (await response.json())["error"]["code"] == -32603
    assert "TaskManager refused the configured credential" in caplog.text


async def test_an_unexpected_tool_exception_is_a_generic_internal_error(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    # echo with a non-numeric delay raises ValueError inside the tool
    with caplog.at_level(logging.ERROR):
        response = await stack.mcp().modern(
            "tools/call", {"name": "echo", "arguments": {"delay": "soon"}}
        )
    body = await response.json()
    assert (response.status, body["error"]) == (200, {"code": -32603, "message": "Internal error"})
    assert "tools/call failed" in caplog.text


@pytest.mark.parametrize("params", [{"name": 3}, {"name": "echo", "arguments": [1]}])
async def test_invalid_call_params_are_32602(stack: Stack, params: dict[str, object]) -> None:
    session_mcp = stack.mcp()
    session_id = await session_mcp.initialize()
    response = await session_mcp.legacy(session_id, "tools/call", params)
    assert (await response.json())["error"]["code"] == -32602


async def test_missing_arguments_are_an_empty_object(stack: Stack) -> None:
    response = await stack.mcp().modern("tools/call", {"name": "get_time"})
    assert (await response.json())["result"]["structuredContent"]["timezone"] == "UTC"
