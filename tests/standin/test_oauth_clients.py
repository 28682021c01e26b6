"""OAuth client registration, ``/api/oauth/clients`` (taskmanager-api §3.2, §5.4)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.standin.conftest import CLIENT_ID, Standin
from tests.standin.helpers import code_for

HEX32, HEX64 = re.compile(r"^[0-9a-f]{32}$"), re.compile(r"^[0-9a-f]{64}$")
BODY = {
    "name": "my-mcp",
    "redirectUris": ["http://127.0.0.1:9000/oauth/callback"],
    "grantTypes": ["authorization_code", "refresh_token"],
    "scopes": ["read", "write"],
}
REQUIRED = {"error": "Invalid request", "message": "Name and redirect URIs are required"}
STRONG_SECRET = "Abcdefghijklmnopqrstuvwxyz012345"  # 32 characters, 3 classes


async def _create(client: TestClient, **changes: Any) -> tuple[int, Any]:
    response = await client.post("/api/oauth/clients", json=BODY | changes)
    return response.status, await response.json()


@pytest.mark.parametrize("revision", ["dec"])
async def test_dec_registration_returns_json_string_lists_and_the_secret(alice: TestClient) -> None:
    status, body = await _create(alice)
    assert status == 201
    assert set(body) == {"id", "client_id", "name", "redirect_uris", "user_id", "client_secret"}
    assert HEX32.match(body["client_id"])
    assert HEX64.match(body["client_secret"])
    assert body["redirect_uris"] == '["http://127.0.0.1:9000/oauth/callback"]'
    assert (body["name"], body["user_id"]) == ("my-mcp", 1)


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_registration_adds_the_auth_method(alice: TestClient) -> None:
    status, body = await _create(alice)
    assert status == 201
    assert body["is_public"] is False
    assert body["token_endpoint_auth_method"] == "client_secret_post"
    assert HEX64.match(body["client_secret"])


@pytest.mark.parametrize("revision", ["jan"])
@pytest.mark.parametrize("flag", [{"isPublic": True}, {"token_endpoint_auth_method": "none"}])
async def test_jan_public_clients_get_no_secret(alice: TestClient, flag: dict[str, Any]) -> None:
    status, body = await _create(alice, **flag)
    assert status == 201
    assert (body["is_public"], body["token_endpoint_auth_method"]) == (True, "none")
    assert "client_secret" not in body


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_ignores_camel_case_token_endpoint_auth_method(alice: TestClient) -> None:
    status, body = await _create(alice, tokenEndpointAuthMethod="none")
    assert (status, body["is_public"]) == (201, False)
    assert "client_secret" in body


@pytest.mark.parametrize("revision", ["dec"])
async def test_dec_ignores_public_flags(alice: TestClient) -> None:
    status, body = await _create(alice, isPublic=True, token_endpoint_auth_method="none")
    assert status == 201
    assert "is_public" not in body
    assert HEX64.match(body["client_secret"])


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": None},
        {"redirectUris": []},
        {"redirectUris": "http://x/cb"},
        {"redirectUris": None},
    ],
)
async def test_name_and_redirect_uris_are_required(
    alice: TestClient, changes: dict[str, Any]
) -> None:
    body = {k: v for k, v in (BODY | changes).items() if v is not None}
    response = await alice.post("/api/oauth/clients", json=body)
    assert (response.status, await response.json()) == (400, REQUIRED)


async def test_snake_case_fields_are_not_understood(alice: TestClient) -> None:
    body = {"client_name": "x", "redirect_uris": ["http://x/cb"]}
    response = await alice.post("/api/oauth/clients", json=body)
    assert (response.status, await response.json()) == (400, REQUIRED)


async def test_redirect_uris_are_not_validated(alice: TestClient) -> None:
    status, body = await _create(alice, redirectUris=["not a url"])
    assert (status, body["redirect_uris"]) == (201, '["not a url"]')


async def test_a_body_that_is_not_json_is_a_plain_500(alice: TestClient) -> None:
    response = await alice.post("/api/oauth/clients", data="name=x")
    assert response.status == 500
    assert response.headers["Content-Type"] == "text/plain;charset=UTF-8"
    assert await response.text() == "Server error"


@pytest.mark.parametrize(
    ("revision", "secret", "message"),
    [
        ("dec", "a" * 10, "Custom client secret must be at least 16 characters"),
        ("dec", "a" * 11, None),
        ("jan", "aA1" * 10, "Custom client secret must be at least 32 characters"),
        (
            "jan",
            "a" * 40,
            "Client secret must contain at least 2 of: "
            "lowercase, uppercase, numbers, special characters",
        ),
        ("jan", STRONG_SECRET, None),
        ("jan", "a" * 31 + "!", None),
    ],
)
async def test_custom_secret_rules_per_revision(
    alice: TestClient, secret: str, message: str | None
) -> None:
    status, body = await _create(alice, clientSecret=secret)
    if message is None:
        assert (status, body["client_secret"]) == (201, secret)
    else:
        assert (status, body) == (400, {"error": "Invalid request", "message": message})


async def test_the_list_is_owner_only_newest_first_without_secrets(
    alice: TestClient, bob: TestClient
) -> None:
    _, first = await _create(alice, name="first", scopes=None, grantTypes=None)
    _, second = await _create(alice, name="second")
    response = await alice.get("/api/oauth/clients")
    listed = await response.json()
    assert [c["client_id"] for c in listed] == [second["client_id"], first["client_id"], CLIENT_ID]
    assert listed[1] == {
        "id": first["id"],
        "client_id": first["client_id"],
        "name": "first",
        "redirect_uris": '["http://127.0.0.1:9000/oauth/callback"]',
        "grant_types": '["authorization_code"]',
        "scopes": '["read"]',
        "is_active": True,
        "created_at": listed[1]["created_at"],
        "user_id": 1,
    }
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", listed[1]["created_at"])
    assert all("client_secret" not in c and "secret_hash" not in c for c in listed)
    assert await (await bob.get("/api/oauth/clients")).json() == []


async def test_put_replaces_the_client_and_answers_the_list_shape(alice: TestClient) -> None:
    _, created = await _create(alice)
    path = f"/api/oauth/clients/{created['client_id']}"
    response = await alice.put(path, json={"name": "renamed", "redirectUris": ["http://n/cb"]})
    body = await response.json()
    assert response.status == 200
    assert (body["name"], body["redirect_uris"]) == ("renamed", '["http://n/cb"]')
    assert json.loads(body["scopes"]) == ["read", "write"]
    name_only = await alice.put(path, json={"name": "x"})
    assert (name_only.status, await name_only.json()) == (400, REQUIRED)


async def test_put_and_delete_are_owner_only(alice: TestClient, bob: TestClient) -> None:
    path = f"/api/oauth/clients/{CLIENT_ID}"
    put = await bob.put(path, json={"name": "mine", "redirectUris": ["http://b/cb"]})
    assert (put.status, await put.json()) == (
        404,
        {"error": "Client not found or you do not have permission to modify it"},
    )
    delete = await bob.delete(path)
    assert (delete.status, await delete.json()) == (
        404,
        {"error": "Client not found or you do not have permission to delete it"},
    )
    missing = await alice.delete("/api/oauth/clients/nope")
    assert missing.status == 404


async def test_delete_removes_an_unused_client(alice: TestClient) -> None:
    _, created = await _create(alice)
    path = f"/api/oauth/clients/{created['client_id']}"
    response = await alice.delete(path)
    assert (response.status, await response.json()) == (200, {"success": True})
    listed = await (await alice.get("/api/oauth/clients")).json()
    assert created["client_id"] not in [c["client_id"] for c in listed]
    again = await alice.delete(path)
    assert again.status == 404


async def test_delete_fails_once_the_client_issued_a_code(alice: TestClient) -> None:
    """§3.2: foreign keys without cascade → 500 text/plain "Server error"."""
    await code_for(alice)
    response = await alice.delete(f"/api/oauth/clients/{CLIENT_ID}")
    assert response.status == 500
    assert await response.text() == "Server error"
    listed = await (await alice.get("/api/oauth/clients")).json()
    assert [c["client_id"] for c in listed] == [CLIENT_ID]


async def test_clients_need_authentication(standin: Standin) -> None:
    anonymous = await standin.anonymous()
    response = await anonymous.get("/api/oauth/clients", allow_redirects=False)
    assert response.status == 302
