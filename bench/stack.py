"""taskmcp's three services for the benchmark, built with the production factories:
the TaskManager stand-in (one user, ``TASKS`` tasks, one upstream token), the
authorization server on SQLite (``synchronous=FULL``, as in production) with one
grant per benchmark user, and the resource server introspecting at it.

Seeding goes through the public store APIs, not the browser flow: the grants, tokens
and sealed upstream credentials are exactly what a completed authorization leaves.
The authorization server's rate limits stay on, with limits raised so that a load
test measures the endpoints rather than the limiter (``bench_policy``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from aiohttp import web

from bench.spec import CLIENT_ID, RS_CLIENT_ID, TASKS, UPSTREAM_CLIENT, Spec
from taskmcp.auth_app import create_auth_app
from taskmcp.config import AuthSettings, ResourceSettings, StandinSettings
from taskmcp.crypto import Sealer, TokenHasher
from taskmcp.oauth.policy import OAuthPolicy, RateLimit
from taskmcp.resource_app import create_resource_app
from taskmcp.standin import StandinStore, create_standin_app, seed_store
from taskmcp.standin.clock import iso_ms
from taskmcp.standin.store import IssuedTokens
from taskmcp.standin.tokens import digest
from taskmcp.storage import AccessToken, AuthorizationCode, Client, Grant, RefreshToken, Storage
from taskmcp.tools import default_registry

__all__ = [
    "auth_app",
    "auth_settings",
    "bench_policy",
    "resource_app",
    "resource_environ",
    "seed_auth",
    "seed_standin",
    "standin_app",
    "standin_settings",
]

UNLIMITED = RateLimit(1_000_000_000, 60)
PRIORITIES = ("low", "medium", "high", "urgent", None)
SCOPES = ("tasks:read", "tasks:write")
REDIRECT_URI = "http://127.0.0.1:9/cb"


def standin_settings(spec: Spec) -> StandinSettings:
    callback = f"{spec.issuer}/oauth/callback"
    return StandinSettings.load(
        {},
        {
            "revision": "jan",
            "users": ["bench:bench-password"],
            "clients": [f"{UPSTREAM_CLIENT}:{spec.upstream_secret}:{callback}"],
        },
    )


async def seed_standin(spec: Spec, store: StandinStore, settings: StandinSettings) -> None:
    """One user with ``TASKS`` tasks in two projects, and the upstream access token."""
    now = datetime.now(UTC)
    stamp = iso_ms(now)
    (user,) = await seed_store(store, settings.users, settings.clients, now=now)
    projects = [
        await store.projects.create(
            user.id, name=f"bench-{name}", description="Benchmark project", color="#3366ff",
            now=stamp,
        )
        for name in ("work", "home")
    ]  # fmt: skip
    for n in range(TASKS):
        fields: dict[str, str | int | None] = {
            "title": f"Task {n}: prepare the quarterly report section {n}",
            "description": ("Collect the numbers, check them with the team and write it up. " * 3),
            "priority": PRIORITIES[n % len(PRIORITIES)],
            "status": "pending" if n % 3 else "in_progress",
            "due_date": (date(2026, 12, 1) + timedelta(days=n)).isoformat() if n % 4 else None,
            "project_id": projects[n % 2].id,
            "tags": '["bench", "q4"]',
        }
        await store.tasks.create(user.id, fields, now=stamp)
    expires = iso_ms(now + timedelta(days=30))
    tokens = IssuedTokens(digest(spec.upstream_token), None, UPSTREAM_CLIENT, user.id, "read write")
    await store.grants.issue(tokens, expires_at=expires)


def standin_app(store: StandinStore, settings: StandinSettings) -> web.Application:
    return create_standin_app(settings, store)


def auth_settings(spec: Spec) -> AuthSettings:
    env = {
        "MCP_AUTH_SERVER_PUBLIC_URL": spec.issuer,
        "MCP_SERVER_URL": spec.mcp_server,
        "TASKMANAGER_OAUTH_HOST": spec.taskmanager,
        "TASKMANAGER_CLIENT_SECRET": spec.upstream_secret,
        "TASKMCP_INTROSPECTION_CLIENT_ID": RS_CLIENT_ID,
        "TASKMCP_INTROSPECTION_CLIENT_SECRET": spec.rs_secret,
        "TASKMCP_STORAGE_URL": f"sqlite:///{spec.auth_db}",
        "TASKMCP_SECRET_KEY": spec.secret_key,
        "TASKMCP_LOG_LEVEL": "warning",
    }
    return AuthSettings.load(env, {"port": spec.auth_port})


def bench_policy(settings: AuthSettings) -> OAuthPolicy:
    """Production lifetimes; every per-IP and per-client limit still checked, never hit."""
    return replace(
        OAuthPolicy.from_settings(settings),
        token_limit=UNLIMITED,
        introspect_limit=UNLIMITED,
        revoke_limit=UNLIMITED,
    )


async def seed_auth(spec: Spec, storage: Storage) -> None:
    """A public client and, per user, a grant holding the sealed upstream tokens, and
    the token pair of a redeemed code: ``spec.access_tokens[i]``, ``spec.refresh_tokens[i]``."""
    now = datetime.now(UTC)
    hasher, sealer = TokenHasher(spec.secret_key.encode()), Sealer(spec.secret_key.encode())
    await storage.save_client(
        Client(
            client_id=CLIENT_ID, source="dynamic",
            token_endpoint_auth_method="none",  # noqa: S106 (a method name, not a secret)
            redirect_uris=(REDIRECT_URI,), client_name="Benchmark client",
            created_at=now, last_used_at=now, expires_at=now + timedelta(days=90),
        )
    )  # fmt: skip
    upstream = json.dumps({"access_token": spec.upstream_token, "refresh_token": None})
    for index, (access, refresh) in enumerate(
        zip(spec.access_tokens, spec.refresh_tokens, strict=True)
    ):
        grant = Grant(
            grant_id=f"grant-{index:04d}", user_id=spec.user(index), client_id=CLIENT_ID,
            resource=f"{spec.mcp_server}/mcp", scopes=SCOPES,
            sealed_upstream=sealer.seal(upstream.encode(), context=f"grant-{index:04d}"),
            upstream_expires_at=now + timedelta(days=30), created_at=now,
            expires_at=now + timedelta(days=365),
        )  # fmt: skip
        await storage.save_grant(grant)
        await _redeem(storage, grant, hasher.hash(access), hasher.hash(refresh), now)


async def _redeem(storage: Storage, grant: Grant, access: str, refresh: str, now: datetime) -> None:
    """Store and redeem one code of ``grant``: what the token endpoint does."""
    common = {"grant_id": grant.grant_id, "client_id": grant.client_id,
              "user_id": grant.user_id, "scopes": grant.scopes, "resource": grant.resource,
              "created_at": now}  # fmt: skip
    code = AuthorizationCode(
        code_hash=f"code-{grant.grant_id}", redirect_uri=REDIRECT_URI, redirect_uri_explicit=True,
        code_challenge="unused", expires_at=now + timedelta(minutes=2), **common,
    )  # fmt: skip
    await storage.save_code(code)
    pair = (
        AccessToken(token_hash=access, expires_at=now + timedelta(hours=1), **common),
        RefreshToken(token_hash=refresh, expires_at=now + timedelta(days=30), **common),
    )
    if not await storage.redeem_code(code.code_hash, now=now, access=pair[0], refresh=pair[1]):
        raise RuntimeError("seeding: the code was not redeemed")


def auth_app(spec: Spec, storage: Storage, settings: AuthSettings) -> web.Application:
    return create_auth_app(
        settings,
        storage=storage,
        secret_key=spec.secret_key.encode(),
        policy=bench_policy(settings),
    )


def resource_environ(spec: Spec) -> dict[str, str]:
    """The resource server's configuration (also the environment of ``taskmcp resource``
    in the cold-start scenario). The per-user rate limit stays on, raised so that one
    benchmark user per connection is never refused."""
    return {
        "TASKMCP_MCP_RATE_LIMIT": str(UNLIMITED.limit),
        "TASKMCP_MCP_RATE_BURST": str(UNLIMITED.limit),
        "MCP_SERVER_URL": spec.mcp_server,
        "MCP_AUTH_SERVER": spec.issuer,
        "MCP_AUTH_SERVER_PUBLIC_URL": spec.issuer,
        "TASKMANAGER_OAUTH_HOST": spec.taskmanager,
        "TASKMCP_INTROSPECTION_CLIENT_ID": RS_CLIENT_ID,
        "TASKMCP_INTROSPECTION_CLIENT_SECRET": spec.rs_secret,
        "TASKMCP_LOG_LEVEL": "warning",
    }


def resource_app(spec: Spec) -> web.Application:
    settings = ResourceSettings.load(resource_environ(spec), {"port": spec.taskmcp_port})
    return create_resource_app(settings, tools=default_registry())
