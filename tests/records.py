"""Builders for storage records, named after the protocol step that creates them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from taskmcp.storage import (
    AccessToken,
    AuthorizationCode,
    Client,
    Consent,
    Grant,
    PendingAuthorization,
    RefreshToken,
)

T0 = datetime(2026, 11, 26, 12, 0, 0, 123456, tzinfo=UTC)
RESOURCE = "https://mcp.example.test/mcp"
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def registered_client(
    client_id: str = "client-1",
    *,
    source: str = "dynamic",
    expires_at: datetime | None = T0 + DAY,
) -> Client:
    return Client.model_validate(
        {
            "client_id": client_id,
            "source": source,
            "secret_hash": "s" * 64,
            "secret_expires_at": None,
            "token_endpoint_auth_method": "client_secret_post",
            "redirect_uris": ("https://claude.ai/api/mcp/auth_callback", "http://127.0.0.1/cb"),
            "application_type": "web",
            "client_name": "Claude <script>",
            "scope": "tasks:read tasks:write",
            "metadata": {"client_name": "Claude <script>", "contacts": ["a@b.example"], "n": 1},
            "created_at": T0,
            "expires_at": expires_at,
        }
    )


def pending_authorization(
    state_hash: str = "state-1", *, ttl: timedelta = 10 * MINUTE
) -> PendingAuthorization:
    return PendingAuthorization(
        state_hash=state_hash,
        client_id="client-1",
        redirect_uri="http://127.0.0.1/cb",
        redirect_uri_explicit=True,
        scopes=("tasks:read",),
        resource=RESOURCE,
        code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        client_state="xyz",
        sealed_upstream_verifier="v1.abcd.sealed",
        browser_binding_hash="b" * 64,
        created_at=T0,
        expires_at=T0 + ttl,
    )


def approved_grant(
    grant_id: str = "grant-1",
    *,
    user_id: str = "user-1",
    client_id: str = "client-1",
    created_at: datetime = T0,
    ttl: timedelta = 30 * DAY,
) -> Grant:
    return Grant(
        grant_id=grant_id,
        user_id=user_id,
        client_id=client_id,
        resource=RESOURCE,
        scopes=("tasks:read", "tasks:write"),
        sealed_upstream="v1.abcd.upstream",
        upstream_expires_at=T0 + HOUR,
        created_at=created_at,
        expires_at=created_at + ttl,
    )


def issued_code(
    code_hash: str = "code-1", *, grant: Grant | None = None, ttl: timedelta = MINUTE
) -> AuthorizationCode:
    grant = grant or approved_grant()
    return AuthorizationCode(
        code_hash=code_hash,
        grant_id=grant.grant_id,
        client_id=grant.client_id,
        user_id=grant.user_id,
        redirect_uri="http://127.0.0.1/cb",
        redirect_uri_explicit=True,
        code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        scopes=grant.scopes,
        resource=grant.resource,
        created_at=T0,
        expires_at=T0 + ttl,
    )


def access_token(
    token_hash: str, *, grant: Grant | None = None, at: datetime = T0, ttl: timedelta = HOUR
) -> AccessToken:
    grant = grant or approved_grant()
    return AccessToken(
        token_hash=token_hash,
        grant_id=grant.grant_id,
        client_id=grant.client_id,
        user_id=grant.user_id,
        scopes=grant.scopes,
        resource=grant.resource,
        created_at=at,
        expires_at=at + ttl,
    )


def refresh_token(
    token_hash: str,
    *,
    grant: Grant | None = None,
    parent_hash: str | None = None,
    at: datetime = T0,
    ttl: timedelta = 30 * DAY,
) -> RefreshToken:
    grant = grant or approved_grant()
    return RefreshToken(
        token_hash=token_hash,
        grant_id=grant.grant_id,
        client_id=grant.client_id,
        user_id=grant.user_id,
        scopes=grant.scopes,
        resource=grant.resource,
        parent_hash=parent_hash,
        created_at=at,
        expires_at=at + ttl,
    )


def recorded_consent(user_id: str = "user-1", client_id: str = "client-1") -> Consent:
    return Consent(
        user_id=user_id,
        client_id=client_id,
        redirect_uri="http://127.0.0.1/cb",
        scopes=("tasks:read",),
        resource=RESOURCE,
        granted_at=T0,
        expires_at=T0 + 30 * DAY,
    )
