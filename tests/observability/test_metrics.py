"""``/metrics`` on both services (issue #7): Prometheus text from a registry of the
app's own, labelled by route pattern and status (never a raw path or query), the
TaskManager call metrics, the introspection cache and the session gauge; and who may
scrape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import make_mocked_request
from prometheus_client import REGISTRY
from pydantic import SecretStr
from pytest_aiohttp import AiohttpClient

from taskmcp.auth_app import create_auth_app
from taskmcp.config import AuthSettings, ResourceSettings
from taskmcp.observability.endpoint import is_loopback_peer, scrape_allowed
from taskmcp.resource.access import AccessInfo
from taskmcp.resource_app import create_resource_app
from taskmcp.storage import Storage, open_storage
from taskmcp.tools import default_registry
from tests.observability.support import call_tool, scrape, serving
from tests.support.stack import Stack, free_port, run_stack

KEY = b"k" * 32
METRICS_TOKEN = "metrics-token-0123456789-abcdefghijkl"
REQUESTS = "taskmcp_http_requests_total"
UPSTREAM = "taskmcp_upstream_requests_total"


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    async with run_stack("memory://", with_resource=True) as running:
        yield running


@pytest.fixture
async def storage() -> AsyncIterator[Storage]:
    async with open_storage("memory://") as opened:
        yield opened


async def test_requests_are_counted_by_route_pattern_never_by_raw_path(stack: Stack) -> None:
    secret_query = "code=query-secret-value-0123456789"
    await stack.http.get(f"{stack.issuer}/authorize?client_id=nobody&{secret_query}")
    await stack.http.get(f"{stack.issuer}/no/such/path-secret-segment")
    await stack.http.post(f"{stack.mcp_server}/mcp?{secret_query}", json={})
    auth, resource = (
        await scrape(stack.http, stack.issuer),
        await scrape(stack.http, stack.mcp_server),
    )
    assert auth.value(REQUESTS, route="/authorize", method="GET", status="400") == 1
    assert auth.value(REQUESTS, route="unmatched", method="GET", status="404") == 1
    assert resource.value(REQUESTS, route="/mcp", method="POST", status="401") == 1
    assert (
        auth.value("taskmcp_http_request_duration_seconds_count", route="/authorize", method="GET")
        == 1
    )
    for samples in (auth, resource):
        assert "secret" not in samples.text
        assert all(route.startswith("/") or route == "unmatched"
                   for route in samples.label_values(REQUESTS, "route"))  # fmt: skip


async def test_each_app_has_a_registry_of_its_own(
    aiohttp_client: AiohttpClient, storage: Storage
) -> None:
    first = await aiohttp_client(
        create_auth_app(AuthSettings.load({}), storage=storage, secret_key=KEY)
    )
    second = await aiohttp_client(
        create_auth_app(AuthSettings.load({}), storage=storage, secret_key=KEY)
    )
    for _ in range(3):
        await first.get("/healthz")
    one = await (await first.get("/metrics")).text()
    two = await (await second.get("/metrics")).text()
    assert 'route="/healthz"' in one
    assert 'route="/healthz"' not in two
    assert not any(family.name.startswith("taskmcp_") for family in REGISTRY.collect())


async def test_upstream_calls_are_counted_by_operation_and_outcome(stack: Stack) -> None:
    client_id = str((await stack.register())["client_id"])
    tokens = await stack.tokens(client_id)
    result = await call_tool(stack.http, stack.resource, str(tokens["access_token"]),
                             "get_task", {"task_id": 4242})  # fmt: skip
    outcome = result["result"]
    assert isinstance(outcome, dict)
    assert outcome["isError"] is True
    auth = await scrape(stack.http, stack.issuer)
    assert auth.value(UPSTREAM, operation="POST /api/oauth/token", outcome="2xx") == 1
    assert (
        auth.value(
            "taskmcp_upstream_request_duration_seconds_count", operation="POST /api/oauth/token"
        )
        == 1
    )
    resource = await scrape(stack.http, stack.mcp_server)
    assert resource.value(UPSTREAM, operation="GET /api/todos/{id}", outcome="4xx") == 1
    assert "4242" not in resource.text


async def test_an_unreachable_taskmanager_counts_as_errors(aiohttp_client: AiohttpClient) -> None:
    class Verifier:
        async def verify(self, token: str) -> AccessInfo | None:
            return AccessInfo(sub="7", client_id="c", scopes=frozenset({"tasks:read"}),
                              aud=("http://localhost:8001/mcp",),
                              upstream_token=SecretStr("up"))  # fmt: skip

    settings = ResourceSettings.load({"TASKMANAGER_OAUTH_HOST": f"http://127.0.0.1:{free_port()}"})
    app = create_resource_app(settings, tools=default_registry(), verifier=Verifier())
    async with serving(app) as base, aiohttp.ClientSession() as http:
        await call_tool(http, f"{base}/mcp", "any-token", "list_projects", {})
        samples = await scrape(http, base)
    assert samples.value(UPSTREAM, operation="GET /api/projects", outcome="error") >= 1


async def test_the_introspection_cache_and_the_session_gauge(stack: Stack) -> None:
    before = await scrape(stack.http, stack.mcp_server)
    assert before.value("taskmcp_mcp_sessions_active") == 0
    assert before.value("taskmcp_introspection_cache_requests_total", result="hit") == 0
    client_id = str((await stack.register())["client_id"])
    token = str((await stack.tokens(client_id))["access_token"])
    await call_tool(stack.http, stack.resource, token, "list_projects", {})
    await stack.http.post(stack.resource, json={}, headers={"Authorization": "Bearer nope"})
    after = await scrape(stack.http, stack.mcp_server)
    cache = "taskmcp_introspection_cache_requests_total"
    assert after.value(cache, result="miss") == 2  # the good token once, "nope" once
    assert after.value(cache, result="hit") == 2  # initialized, tools/call
    assert after.value("taskmcp_introspections_total", outcome="active") == 1
    assert after.value("taskmcp_introspections_total", outcome="inactive") == 1
    assert after.value("taskmcp_mcp_sessions_active") == 1
    assert after.value("taskmcp_mcp_streams_active") == 0
    assert client_id not in after.text


async def test_a_configured_token_is_required_to_scrape(
    aiohttp_client: AiohttpClient, storage: Storage
) -> None:
    settings = AuthSettings.load({"TASKMCP_METRICS_TOKEN": METRICS_TOKEN})
    client = await aiohttp_client(create_auth_app(settings, storage=storage, secret_key=KEY))
    missing = await client.get("/metrics")
    assert missing.status == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
    assert wrong.status == 401
    right = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert right.status == 200
    assert "taskmcp_tokens_issued_total" in await right.text()


async def test_without_a_token_only_direct_loopback_clients_may_scrape(
    aiohttp_client: AiohttpClient,
) -> None:
    client = await aiohttp_client(
        create_resource_app(ResourceSettings.load({}), tools=default_registry())
    )
    assert (await client.get("/metrics")).status == 200
    for header in ("X-Forwarded-For", "Forwarded"):
        proxied = await client.get("/metrics", headers={header: "203.0.113.9"})
        assert proxied.status == 403, header


class _Peer:
    def __init__(self, host: str) -> None:
        self.host = host

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return (self.host, 40000) if name == "peername" else default


@pytest.mark.parametrize(
    ("remote", "allowed"),
    [("127.0.0.1", True), ("::1", True), ("::ffff:127.0.0.1", True),
     ("10.0.0.5", False), ("192.168.1.20", False), ("2001:db8::1", False)],
)  # fmt: skip
def test_remote_scrapers_need_the_token(remote: str, allowed: bool) -> None:
    assert is_loopback_peer(remote) is allowed
    request = make_mocked_request("GET", "/metrics", transport=_Peer(remote))
    assert scrape_allowed(request, None) is allowed
    with_token = make_mocked_request(
        "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        transport=_Peer(remote),
    )  # fmt: skip
    assert scrape_allowed(with_token, SecretStr(METRICS_TOKEN)) is True
    assert not is_loopback_peer(None)
