"""Protected Resource Metadata (RFC 9728; mcp-protocol §8.2) and ``--no-auth``."""

from __future__ import annotations

import pytest

from taskmcp.cli import main
from taskmcp.config import ConfigError, ResourceSettings
from tests.mcp.conftest import MakeStack, Stack

PATHS = ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]


@pytest.mark.parametrize("path", PATHS)
async def test_metadata_describes_the_mcp_endpoint(stack: Stack, path: str) -> None:
    response = await stack.client.get(path)
    assert response.status == 200
    document = await response.json()
    assert document["resource"] == "http://localhost:8001/mcp"
    assert document["authorization_servers"] == [stack.settings.auth_server_public_url]
    assert document["scopes_supported"] == ["tasks:read", "tasks:write"]
    assert document["bearer_methods_supported"] == ["header"]
    assert "offline_access" not in document["scopes_supported"]


async def test_the_issuer_is_one_exact_string(make_stack: MakeStack) -> None:
    env = {
        "MCP_SERVER_URL": "https://mcp.example.com",
        "MCP_AUTH_SERVER_PUBLIC_URL": "https://auth.example.com/tenant1",
    }
    stack = await make_stack(env)
    document = await (await stack.client.get(PATHS[0], headers={"Host": "mcp.example.com"})).json()
    assert document["authorization_servers"] == ["https://auth.example.com/tenant1"]
    assert document["resource"] == "https://mcp.example.com/mcp"


async def test_metadata_is_readable_cross_origin(stack: Stack) -> None:
    response = await stack.client.get(PATHS[0], headers={"Origin": "https://inspector.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://inspector.example"


async def test_other_well_known_paths_are_404(stack: Stack) -> None:
    """Clients try the next discovery candidate on 4xx and stop on 5xx."""
    for path in (
        "/.well-known/oauth-authorization-server",
        "/.well-known/oauth-protected-resource/other",
    ):
        assert (await stack.client.get(path)).status == 404


# -- --no-auth ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ",
    [
        {"TASKMCP_NO_AUTH": "true", "TASKMCP_RESOURCE_HOST": "0.0.0.0"},  # noqa: S104
        {"TASKMCP_NO_AUTH": "true", "TASKMCP_RESOURCE_HOST": "192.168.1.4"},
        {
            "TASKMCP_NO_AUTH": "true",
            "TASKMCP_ENV": "production",
            "TASKMCP_INTROSPECTION_CLIENT_SECRET": "s",
        },
    ],
)
def test_no_auth_is_refused_off_loopback_and_in_production(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match=r"^TASKMCP_NO_AUTH: "):
        ResourceSettings.load(environ)


def test_no_auth_warns_loudly() -> None:
    settings = ResourceSettings.load({"TASKMCP_NO_AUTH": "1", "TASKMCP_RESOURCE_HOST": "::1"})
    assert any("AUTHENTICATION IS DISABLED" in line for line in settings.startup_warnings())


async def test_no_auth_serves_a_fixed_local_user_with_both_scopes(make_stack: MakeStack) -> None:
    stack = await make_stack({"TASKMCP_NO_AUTH": "true"})
    mcp = stack.mcp(token=None)
    assert (await mcp.modern("tools/call", {"name": "write_tool", "arguments": {}})).status == 200
    echo = await mcp.modern("tools/call", {"name": "echo", "arguments": {"value": 1}})
    assert (await echo.json())["result"]["structuredContent"]["user"] == "local"
    assert stack.auth.calls == []


async def test_no_auth_user_mode_has_no_taskmanager_credential(make_stack: MakeStack) -> None:
    stack = await make_stack({"TASKMCP_NO_AUTH": "true"})
    response = await stack.mcp(token=None).modern(
        "tools/call", {"name": "count_projects", "arguments": {}}
    )
    assert response.status == 200
    assert (await response.json())["error"]["code"] == -32603


def test_the_cli_refuses_no_auth_on_a_public_interface(capsys: pytest.CaptureFixture[str]) -> None:
    all_interfaces = "0.0.0.0"  # noqa: S104
    assert main(["resource", "--no-auth", "--host", all_interfaces], environ={}) == 2
    err = capsys.readouterr().err
    assert err.startswith("taskmcp: configuration error: TASKMCP_NO_AUTH: ")
    assert err.count("\n") == 1
