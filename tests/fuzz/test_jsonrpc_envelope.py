"""The JSON-RPC envelope under fuzzing (JSON-RPC 2.0 §4, §5; mcp-protocol §2, §3, §5.3):
any bytes in, a well-formed JSON-RPC error or result out, never an exception.

Directly: ``parse_json`` + ``era_for_post`` + ``parse_message`` either yield a message
or raise a ``JsonRpcError`` whose ``error_message`` is well formed in both eras.
Through the HTTP handler: the same bytes POSTed to a real ``/mcp`` (a stub verifier
in front, the default tools behind, TaskManager unreachable) under every era and
session header combination get a 2xx/4xx whose body is empty (202), a JSON-RPC
message, a batch of them, or an SSE stream of them; never a 5xx.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from pytest_aiohttp import AiohttpClient

from taskmcp.config import ResourceSettings
from taskmcp.mcp.jsonrpc import (
    Era,
    JsonRpcError,
    Notification,
    Request,
    Response,
    error_message,
    parse_json,
    parse_message,
    request_id_of,
)
from taskmcp.mcp.versions import era_for_post
from taskmcp.resource.access import AccessInfo
from taskmcp.resource_app import create_resource_app
from taskmcp.tools import default_registry
from tests.support.stack import free_port

RESOURCE = "http://localhost:8001/mcp"
VERSIONS = [None, "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28", "2024-11-05", "x"]
ERAS: tuple[Era | None, ...] = ("legacy", "modern", None)
# subscriptions/listen is left out: it holds its stream open by design
METHODS = [
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "prompts/list",
    "prompts/get",
    "logging/setLevel",
    "server/discover",
    "notifications/initialized",
    "notifications/cancelled",
    "",
    "nope",
]
META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
IDS = st.one_of(st.integers(), st.text(max_size=10), st.none(), st.booleans(), st.floats())
PARAMS = st.one_of(
    st.dictionaries(st.text(max_size=8), JSON, max_size=3),
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(["get_time", "list_tasks", "fetch", "nope"]),
            "arguments": st.one_of(
                st.none(), st.dictionaries(st.text(max_size=8), JSON, max_size=3)
            ),
        },
        optional={"_meta": st.just(META)},
    ),
    st.fixed_dictionaries({"_meta": st.just(META)}),
    JSON,
)


@st.composite
def messages(draw: st.DrawFn) -> object:
    message: dict[str, object] = {}
    for key, value in (
        ("jsonrpc", st.sampled_from(["2.0", "1.0", 2.0])),
        ("id", IDS),
        ("method", st.sampled_from(METHODS) | st.text(max_size=10)),
        ("params", PARAMS),
        ("result", JSON),
        ("error", JSON),
    ):
        if draw(st.booleans()) or (key == "jsonrpc" and draw(st.booleans())):
            message[key] = draw(value)
    return message


BODIES = st.one_of(
    st.binary(max_size=300),
    JSON.map(lambda v: json.dumps(v).encode()),
    messages().map(lambda m: json.dumps(m).encode()),
    st.lists(messages(), max_size=4).map(lambda m: json.dumps(m).encode()),
    st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


def _assert_well_formed(message: Any) -> None:
    """A JSON-RPC 2.0 response, or a notification (on SSE streams)."""
    assert isinstance(message, dict), message
    json.dumps(message, allow_nan=False)
    assert message["jsonrpc"] == "2.0"
    if "method" in message:
        assert set(message) <= {"jsonrpc", "method", "params"}
        return
    assert set(message) in ({"jsonrpc", "id", "result"}, {"jsonrpc", "id", "error"}), message
    assert message["id"] is None or type(message["id"]) in (str, int)
    if "error" in message:
        error = message["error"]
        assert set(error) <= {"code", "message", "data"}
        assert type(error["code"]) is int
        assert isinstance(error["message"], str)
    else:
        assert isinstance(message["result"], dict)


# -- directly --------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(raw=BODIES, version=st.sampled_from(VERSIONS))
@example(raw=b"[" * 100_000, version=None)
@example(raw=b'{"jsonrpc":"2.0","id":true,"method":"ping"}', version=None)
@example(raw=b'{"jsonrpc":"2.0","id":1e400,"method":"ping"}', version="2026-07-28")
@example(raw=b"\xff\xfe", version=None)
@example(raw=b'{"jsonrpc":"2.0","id":' + b"9" * 5000 + b',"method":"ping"}', version=None)
def test_the_parser_yields_a_message_or_a_well_formed_error(
    raw: bytes, version: str | None
) -> None:
    try:
        body = parse_json(raw)
        era = era_for_post(version, body)
        items = body if isinstance(body, list) else [body]
        parsed = [parse_message(item) for item in items]
    except JsonRpcError as error:
        refusal: JsonRpcError | None = error
    else:
        refusal = None
    if refusal is not None:
        for shown_era in ERAS:
            _assert_well_formed(error_message(refusal, shown_era))
        assert 400 <= refusal.status_for("modern") < 500
        return
    assert era in ("legacy", "modern")
    for message in parsed:
        if isinstance(message, Request | Response):
            assert type(message.id) in (str, int)
        if isinstance(message, Request | Notification):
            assert isinstance(message.method, str)
            assert message.method
            assert isinstance(message.params, dict)


@settings(max_examples=300, deadline=None)
@given(value=JSON | messages())
def test_request_id_of_never_raises_and_never_returns_a_bool(value: object) -> None:
    found = request_id_of(value)
    assert found is None or type(found) in (str, int)


@settings(max_examples=200, deadline=None)
@given(
    id=st.one_of(st.integers(), st.text(max_size=10)),
    method=st.text(min_size=1, max_size=20),
    params=st.dictionaries(st.text(max_size=8), JSON, max_size=3),
)
def test_a_valid_request_round_trips(id: int | str, method: str, params: dict[str, Any]) -> None:
    raw = json.dumps({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).encode()
    assert parse_message(parse_json(raw)) == Request(id, method, params)


# -- through the HTTP handler ----------------------------------------------------------


class _Everyone:
    """Every token is a valid token of one user with both scopes."""

    async def verify(self, token: str) -> AccessInfo | None:
        return AccessInfo(
            sub="fuzzer",
            client_id="fuzz",
            scopes=frozenset({"tasks:read", "tasks:write"}),
            aud=(RESOURCE,),
            upstream_token=SecretStr("unusable"),
        )


@pytest.fixture
async def client(aiohttp_client: AiohttpClient) -> TestClient[Any, Any]:
    settings_ = ResourceSettings.load(
        {
            "TASKMCP_TASKMANAGER_INTERNAL_URL": f"http://127.0.0.1:{free_port()}",
            "TASKMCP_INTROSPECTION_CLIENT_SECRET": "unused-secret-0123456789",
            # one fuzzing user sends hundreds of requests: keep the per-user limit away
            "TASKMCP_MCP_RATE_LIMIT": "100000",
            "TASKMCP_MCP_RATE_BURST": "100000",
        }
    )
    app = create_resource_app(settings_, tools=default_registry(), verifier=_Everyone())
    return await aiohttp_client(app)


async def _session(client: TestClient[Any, Any]) -> str:
    params = {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "f"}}
    resp = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params},
        headers={"Authorization": "Bearer t", "Accept": "application/json, text/event-stream"},
    )
    assert resp.status == 200
    return resp.headers["Mcp-Session-Id"]


def _check_reply(status: int, content_type: str, body: bytes) -> None:
    assert status in (200, 202, 400, 404, 405, 406, 408, 409, 413, 415, 429), (status, body)
    if status == 202:
        assert body == b""
        return
    if content_type == "text/event-stream":
        events = [line[5:] for line in body.decode().splitlines() if line.startswith("data:")]
        assert events
        for event in events:
            _assert_well_formed(json.loads(event))
        return
    assert content_type == "application/json", (status, content_type, body)
    decoded = json.loads(body)
    for message in decoded if isinstance(decoded, list) else [decoded]:
        _assert_well_formed(message)


HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=BODIES,
    version=st.sampled_from(VERSIONS),
    session=st.sampled_from(["none", "live", "random"]),
    method_header=st.one_of(st.none(), st.sampled_from(METHODS), HEADER_TEXT),
    name_header=st.one_of(st.none(), st.sampled_from(["get_time", "list_tasks"]), HEADER_TEXT),
)
@example(raw=b"[" * 100_000, version=None, session="none", method_header=None, name_header=None)
async def test_any_body_gets_a_well_formed_answer_and_never_a_5xx(
    client: TestClient[Any, Any],
    raw: bytes,
    version: str | None,
    session: str,
    method_header: str | None,
    name_header: str | None,
) -> None:
    headers = {
        "Authorization": "Bearer t",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
    }
    if version is not None:
        headers["MCP-Protocol-Version"] = version
    if session == "live":
        headers["Mcp-Session-Id"] = await _session(client)
    elif session == "random":
        headers["Mcp-Session-Id"] = "not-a-session"
    if method_header is not None:
        headers["Mcp-Method"] = method_header
    if name_header is not None:
        headers["Mcp-Name"] = name_header
    resp = await client.post("/mcp", data=raw, headers=headers)
    body = await resp.read()
    _check_reply(resp.status, resp.content_type, body)
