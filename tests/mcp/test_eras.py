"""Picking the era of each request (mcp-protocol §2) and legacy version negotiation."""

from __future__ import annotations

import pytest

from taskmcp.mcp.jsonrpc import HeaderMismatch, UnsupportedProtocolVersion
from taskmcp.mcp.versions import era_for_post, negotiate_legacy
from tests.mcp.conftest import Stack
from tests.mcp.support import LEGACY, META, MODERN, Mcp, modern_headers, rpc


def test_the_header_decides_the_era() -> None:
    assert era_for_post(MODERN, {}) == "modern"
    for version in ("2025-03-26", "2025-06-18", "2025-11-25"):
        assert era_for_post(version, {"params": {"_meta": META}}) == "legacy"
    assert era_for_post(None, rpc("tools/list")) == "legacy"


@pytest.mark.parametrize("header", ["2024-11-05", "1999-01-01", "v999.0.0", ""])
def test_any_other_header_is_an_unsupported_version(header: str) -> None:
    with pytest.raises(UnsupportedProtocolVersion) as info:
        era_for_post(header, {})
    assert info.value.data == {"supported": [MODERN], "requested": header}


def test_a_modern_envelope_without_its_header_is_a_header_mismatch() -> None:
    with pytest.raises(HeaderMismatch):
        era_for_post(None, rpc("tools/list", {"_meta": META}, id=3))


@pytest.mark.parametrize(
    ("requested", "negotiated"),
    [
        ("2025-03-26", "2025-03-26"),
        ("2025-06-18", "2025-06-18"),
        ("2025-11-25", "2025-11-25"),
        ("2024-11-05", "2025-11-25"),
        ("2026-07-28", "2025-11-25"),
        ("garbage", "2025-11-25"),
    ],
)
def test_legacy_negotiation_echoes_or_offers_the_latest(requested: str, negotiated: str) -> None:
    """§4.1: echo a supported version, else the latest legacy one."""
    assert negotiate_legacy(requested) == negotiated


async def test_an_unknown_version_header_is_400_32022(mcp: Mcp) -> None:
    response = await mcp.post(rpc("tools/list", id=5), {"MCP-Protocol-Version": "1999-01-01"})
    assert response.status == 400
    body = await response.json()
    assert (body["id"], body["error"]["code"]) == (5, -32022)
    assert body["error"]["data"] == {"supported": [MODERN], "requested": "1999-01-01"}


async def test_a_modern_body_without_the_header_is_400_32020(mcp: Mcp) -> None:
    response = await mcp.post(rpc("tools/list", {"_meta": META}, id=4))
    assert response.status == 400
    body = await response.json()
    assert (body["id"], body["error"]["code"]) == (4, -32020)


async def test_no_header_and_no_session_is_the_legacy_400(mcp: Mcp) -> None:
    response = await mcp.post(rpc("tools/list"))
    assert response.status == 400
    assert (await response.json())["error"]["code"] == -32600


@pytest.mark.parametrize("version", ["2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"])
async def test_initialize_negotiates_over_http(mcp: Mcp, version: str) -> None:
    params = {
        "protocolVersion": version,
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    }
    response = await mcp.post(rpc("initialize", params))
    assert response.status == 200
    result = (await response.json())["result"]
    expected = LEGACY if version == MODERN else version
    assert result["protocolVersion"] == expected
    assert response.headers["MCP-Protocol-Version"] == expected


async def test_initialize_sent_as_modern_is_an_unknown_method(mcp: Mcp) -> None:
    params = {
        "protocolVersion": MODERN,
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    }
    response = await mcp.modern("initialize", params, id=8)
    assert response.status == 404
    body = await response.json()
    assert (body["id"], body["error"]["code"]) == (8, -32601)
    assert "Mcp-Session-Id" not in response.headers


async def test_initialize_without_a_version_is_an_invalid_params_error(mcp: Mcp) -> None:
    response = await mcp.post(rpc("initialize", {"capabilities": {}}, id=2))
    assert response.status == 200
    body = await response.json()
    assert (body["id"], body["error"]["code"]) == (2, -32602)


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_get_and_delete_without_a_session_are_405(stack: Stack, method: str) -> None:
    headers = {"Authorization": "Bearer alice-token", "Accept": "text/event-stream"}
    plain = await stack.client.request(method, "/mcp", headers=headers)
    modern = await stack.client.request(
        method, "/mcp", headers={**headers, **modern_headers("x"), "Mcp-Session-Id": "abc"}
    )
    for response in (plain, modern):
        assert response.status == 405
        assert response.headers["Allow"] == "POST"
        assert (await response.json())["error"]["code"] == -32600


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_get_and_delete_with_an_unknown_session_are_404(stack: Stack, method: str) -> None:
    headers = {
        "Authorization": "Bearer alice-token",
        "Accept": "text/event-stream",
        "Mcp-Session-Id": "nope",
    }
    response = await stack.client.request(method, "/mcp", headers=headers)
    assert response.status == 404


async def test_get_with_an_unsupported_version_header_is_400(stack: Stack) -> None:
    headers = {
        "Authorization": "Bearer alice-token",
        "Accept": "text/event-stream",
        "Mcp-Session-Id": "abc",
        "MCP-Protocol-Version": "1999-01-01",
    }
    response = await stack.client.get("/mcp", headers=headers)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == -32022


async def test_claude_ai_style_headers_on_legacy_requests_are_not_validated(mcp: Mcp) -> None:
    """claude.ai sends Mcp-Method/Mcp-Name on 2025-11-25 requests; only modern checks them."""
    session_id = await mcp.initialize()
    headers = {**mcp.session_headers(session_id), "Mcp-Method": "something/else", "Mcp-Name": "x"}
    response = await mcp.post(rpc("tools/list"), headers)
    assert response.status == 200
