"""``/api/oauth/clients``: OAuth client registration, owner-only (§3.2, §5.4).

Input is camelCase JSON (``name``, ``redirectUris``, ``grantTypes``, ``scopes``,
``clientSecret``; JAN also ``isPublic`` or snake_case ``token_endpoint_auth_method``).
List fields go out as JSON-encoded strings; the secret only in the 201 response.
Redirect URIs are not validated, as upstream. A body that is not JSON → 500
``Server error``; deleting a client that issued a code or token → the same 500.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.standin.auth_gate import caller
from taskmcp.standin.bodies import NotJsonError, js_truthy, read_json
from taskmcp.standin.clock import iso_ms
from taskmcp.standin.envelopes import JsonObject, Revision, json_response
from taskmcp.standin.errors import FlatError, PlainTextError
from taskmcp.standin.jsontext import dumps
from taskmcp.standin.keys import CLOCK, REVISION, STORE
from taskmcp.standin.store import ClientSpec, ConstraintError, OAuthClient
from taskmcp.standin.tokens import digest, new_client_id, new_token

__all__ = ["create_client", "delete_client", "list_clients", "update_client"]

REQUIRED = "Name and redirect URIs are required"
NOT_YOURS = "Client not found or you do not have permission to {verb} it"
DEC_MIN_SECRET, JAN_MIN_SECRET = 11, 32
_CLASSES = (str.islower, str.isupper, str.isdigit, lambda ch: not ch.isalnum())


def _invalid(message: str) -> FlatError:
    return FlatError(400, {"error": "Invalid request", "message": message})


async def _body(request: web.Request) -> dict[str, object]:
    try:
        body = await read_json(request)
    except NotJsonError:
        raise PlainTextError(500, "Server error") from None
    return body if isinstance(body, dict) else {}


def _strings(value: object) -> tuple[str, ...] | None:
    return tuple(map(str, value)) if isinstance(value, list) else None


def _spec(body: dict[str, object], *, defaults: bool) -> ClientSpec:
    name, uris = body.get("name"), _strings(body.get("redirectUris"))
    if not isinstance(name, str) or not name or not uris:
        raise _invalid(REQUIRED)
    grants, scopes = _strings(body.get("grantTypes")), _strings(body.get("scopes"))
    if defaults:
        grants, scopes = grants or ("authorization_code",), scopes or ("read",)
    return ClientSpec(name=name, redirect_uris=uris, grant_types=grants, scopes=scopes)


def _custom_secret(secret: str, revision: Revision) -> str:
    """DEC: at least 11 characters (its message says 16). JAN: at least 32, and at
    least 2 of lowercase, uppercase, digits, special characters."""
    if not revision.is_jan:
        if len(secret) < DEC_MIN_SECRET:
            raise _invalid("Custom client secret must be at least 16 characters")
        return secret
    if len(secret) < JAN_MIN_SECRET:
        raise _invalid(f"Custom client secret must be at least {JAN_MIN_SECRET} characters")
    if sum(any(map(test, secret)) for test in _CLASSES) < 2:
        raise _invalid(
            "Client secret must contain at least 2 of: "
            "lowercase, uppercase, numbers, special characters"
        )
    return secret


def _secret(body: dict[str, object], revision: Revision) -> str | None:
    """``None`` for a JAN public client; else the custom or a generated secret."""
    public = body.get("isPublic") is True or body.get("token_endpoint_auth_method") == "none"
    if public and revision.has_public_clients:
        return None
    custom = body.get("clientSecret")
    return _custom_secret(str(custom), revision) if js_truthy(custom) else new_token()


def listed(client: OAuthClient) -> JsonObject:
    """The GET-list shape (also PUT's response): lists as JSON strings, no secret."""
    return {
        "id": client.id,
        "client_id": client.client_id,
        "name": client.name,
        "redirect_uris": dumps(list(client.redirect_uris)),
        "grant_types": dumps(list(client.grant_types)),
        "scopes": dumps(list(client.scopes)),
        "is_active": client.is_active,
        "created_at": client.created_at,
        "user_id": client.user_id,
    }


def _created(client: OAuthClient, secret: str | None, revision: Revision) -> JsonObject:
    body: JsonObject = {
        "id": client.id,
        "client_id": client.client_id,
        "name": client.name,
        "redirect_uris": dumps(list(client.redirect_uris)),
        "user_id": client.user_id,
    }
    if revision.has_public_clients:
        method = "none" if client.is_public else "client_secret_post"
        body |= {"is_public": client.is_public, "token_endpoint_auth_method": method}
    return body | ({"client_secret": secret} if secret is not None else {})


async def list_clients(request: web.Request) -> web.Response:
    clients = await request.app[STORE].clients.owned_by(caller(request).user_id)
    return json_response([listed(client) for client in clients])


async def create_client(request: web.Request) -> web.Response:
    body, revision = await _body(request), request.app[REVISION]
    spec = _spec(body, defaults=True)
    secret = _secret(body, revision)
    client = await request.app[STORE].clients.create(
        spec,
        client_id=new_client_id(),
        secret_hash=None if secret is None else digest(secret),
        user_id=caller(request).user_id,
        now=iso_ms(request.app[CLOCK]()),
    )
    return json_response(_created(client, secret, revision), status=201)


async def update_client(request: web.Request) -> web.Response:
    spec = _spec(await _body(request), defaults=False)
    client_id, user_id = request.match_info["client_id"], caller(request).user_id
    client = await request.app[STORE].clients.update(client_id, user_id, spec)
    if client is None:
        raise FlatError(404, {"error": NOT_YOURS.format(verb="modify")})
    return json_response(listed(client))


async def delete_client(request: web.Request) -> web.Response:
    client_id, user_id = request.match_info["client_id"], caller(request).user_id
    try:
        deleted = await request.app[STORE].clients.delete(client_id, user_id)
    except ConstraintError:
        raise PlainTextError(500, "Server error") from None
    if not deleted:
        raise FlatError(404, {"error": NOT_YOURS.format(verb="delete")})
    return json_response({"success": True})
