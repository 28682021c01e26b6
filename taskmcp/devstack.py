"""``taskmcp dev``: the whole system on this machine, in one process.

Three aiohttp apps on one event loop, each behind its own ``web.AppRunner``, wired as
a production deployment is: the TaskManager stand-in (``--taskmanager-port``, 4321),
the authorization server (``--auth-port``, 9000), and the MCP resource server
(``--resource-port``, 8001) checking tokens at the authorization server's
``/introspect`` over HTTP. With ``--revision dec`` the stand-in imitates the December
API and the resource server calls it with the ``service`` strategy, signed in as the
first ``--user``.

Public URLs use ``localhost`` (``http://localhost:8001/mcp``, issuer
``http://localhost:9000``): browsers, the Inspector and Claude Code all write it, and
issuer, resource, and redirect URIs must be one exact string each. Server-to-server
calls use the listening address itself. ``--host`` must be loopback unless
``--allow-remote`` is given (the demo accounts would be reachable from other machines).

Everything persists in the data directory (``--data-dir``, default ``.taskmcp``), so a
restart keeps registered clients, grants and tokens:

* ``auth.db``, ``taskmanager.db``: the two SQLite databases;
* ``secret.key``: the authorization server's development key (``taskmcp.secret_key``);
* ``upstream-client.secret``: the secret of our client ``brooks`` at the stand-in,
  registered there at every start with redirect ``<issuer>/oauth/callback``;
* ``introspection.secret``: the resource server's credentials at ``/introspect``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from taskmcp.auth_app import CALLBACK_PATH, create_auth_app
from taskmcp.config import (
    DEFAULT_STANDIN_USER,
    AuthSettings,
    DevSettings,
    ResourceSettings,
    StandinSettings,
)
from taskmcp.resource_app import create_resource_app
from taskmcp.runner import running, wait_for_signal
from taskmcp.secret_key import resolve_secret_key, stored_secret
from taskmcp.standin import create_standin_app, open_standin_store, seed_store, utcnow
from taskmcp.storage import open_storage
from taskmcp.tools import default_registry

__all__ = ["DevStack", "banner", "plan_dev_stack", "run_dev_stack"]

UPSTREAM_CLIENT_ID = "brooks"
UPSTREAM_CLIENT_FILE = "upstream-client.secret"
INTROSPECTION_FILE = "introspection.secret"
# The MCP Inspector's UI (its default port), for a --host that is not loopback.
INSPECTOR_ORIGINS = ("http://localhost:6274", "http://127.0.0.1:6274")
INSPECTOR = "npx @modelcontextprotocol/inspector@2.12.0"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DevStack:
    """The three services' settings and the key, derived from ``DevSettings``."""

    dev: DevSettings
    standin: StandinSettings
    auth: AuthSettings
    resource: ResourceSettings
    secret_key: bytes

    @property
    def standin_url(self) -> str:
        return self.auth.taskmanager_url


def public_url(port: int) -> str:
    return f"http://localhost:{port}"


def internal_url(host: str, port: int) -> str:
    """Where this process reaches its own listener on ``host``."""
    target = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104
    return f"http://[{target}]:{port}" if ":" in target else f"http://{target}:{port}"


def plan_dev_stack(dev: DevSettings) -> DevStack:
    """Create the data directory and its secrets if needed; settle every setting.
    Raises ``ConfigError``."""
    dev.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    upstream = stored_secret(dev.data_dir / UPSTREAM_CLIENT_FILE).decode()
    introspection = stored_secret(dev.data_dir / INTROSPECTION_FILE).decode()
    auth = _auth_settings(dev, upstream, introspection)
    return DevStack(
        dev=dev,
        standin=_standin_settings(dev, upstream, auth.public_url),
        auth=auth,
        resource=_resource_settings(dev, introspection),
        secret_key=resolve_secret_key(auth),
    )


def _common(dev: DevSettings) -> dict[str, object]:
    return {
        "env": "development",
        "log_level": dev.log_level,
        "log_format": dev.log_format,
        "host": dev.host,
        "mcp_server_url": public_url(dev.resource_port),
        "taskmanager_url": public_url(dev.taskmanager_port),
        "taskmanager_internal_url": internal_url(dev.host, dev.taskmanager_port),
    }


def _standin_settings(dev: DevSettings, upstream: str, issuer: str) -> StandinSettings:
    client = f"{UPSTREAM_CLIENT_ID}:{upstream}:{issuer}{CALLBACK_PATH}"
    return StandinSettings.load(
        {},
        {
            "host": dev.host,
            "port": dev.taskmanager_port,
            "revision": dev.revision,
            "db": f"sqlite:///{dev.data_dir}/taskmanager.db",
            "users": list(dev.users),
            "clients": [client],
            "log_level": dev.log_level,
            "log_format": dev.log_format,
        },
    )


def _auth_settings(dev: DevSettings, upstream: str, introspection: str) -> AuthSettings:
    return AuthSettings.load(
        {},
        {
            **_common(dev),
            "port": dev.auth_port,
            "public_url": public_url(dev.auth_port),
            "data_dir": str(dev.data_dir),
            "storage_url": f"sqlite:///{dev.data_dir}/auth.db",
            "client_id": UPSTREAM_CLIENT_ID,
            "client_secret": upstream,
            "introspection_client_secret": introspection,
        },
    )


def _resource_settings(dev: DevSettings, introspection: str) -> ResourceSettings:
    service = dev.revision == "dec"  # that API ignores OAuth tokens: one service account
    first = dev.users[0]
    return ResourceSettings.load(
        {},
        {
            **_common(dev),
            "port": dev.resource_port,
            "auth_server": internal_url(dev.host, dev.auth_port),
            "auth_server_public_url": public_url(dev.auth_port),
            "introspection_client_secret": introspection,
            "allowed_origins": list(INSPECTOR_ORIGINS),
            "taskmanager_auth": "service" if service else "user",
            "taskmanager_username": first.username if service else None,
            "taskmanager_password": first.password.get_secret_value() if service else None,
        },
    )


async def run_dev_stack(
    stack: DevStack,
    *,
    stop: asyncio.Event | None = None,
    ready: Callable[[], None] | None = None,
) -> None:
    """Serve all three until ``stop`` is set (default: SIGINT or SIGTERM); ``ready``
    runs once all three listen. Raises ``ServeError`` if a port is taken."""
    async with contextlib.AsyncExitStack() as exits:
        await _start_standin(exits, stack.standin)
        await _start_auth(exits, stack)
        resource = create_resource_app(stack.resource, tools=default_registry())
        await exits.enter_async_context(
            running(resource, host=stack.dev.host, port=stack.dev.resource_port,
                    handler_cancellation=True)
        )  # fmt: skip
        if stop is None:
            await wait_for_signal(ready)
        else:
            if ready is not None:
                ready()
            await stop.wait()
    log.info("stopped")


async def _start_standin(exits: contextlib.AsyncExitStack, settings: StandinSettings) -> None:
    store = await exits.enter_async_context(open_standin_store(settings.db))
    await seed_store(store, settings.users, settings.clients, now=utcnow())
    app = create_standin_app(settings, store)
    await exits.enter_async_context(running(app, host=settings.host, port=settings.port))


async def _start_auth(exits: contextlib.AsyncExitStack, stack: DevStack) -> None:
    storage = await exits.enter_async_context(open_storage(stack.auth.storage_url))
    app = create_auth_app(stack.auth, storage=storage, secret_key=stack.secret_key)
    await exits.enter_async_context(running(app, host=stack.auth.host, port=stack.auth.port))


def banner(stack: DevStack) -> str:
    """What a person needs: where to connect, how to sign in, where the data is."""
    mcp, dev = stack.resource.mcp_resource, stack.dev
    lines = [
        "taskmcp dev is running. Ctrl-C stops it.",
        "",
        f"  MCP server     {mcp}",
        f"  Sign in as     {_login_hint(dev)}",
        f"  TaskManager    {stack.standin_url} (development stand-in, revision {dev.revision})",
        f"  Issuer         {stack.auth.public_url}",
        f"  Data           {dev.data_dir} (kept across restarts; delete it to start over)",
        "",
        "Connect a client:",
        f"  Claude Code    claude mcp add --transport http taskmcp {mcp}",
        f"  MCP Inspector  {INSPECTOR}   (Node 22), then connect to",
        f"                 {mcp} with transport Streamable HTTP",
    ]
    if dev.revision == "dec":
        lines.append(f"Revision dec: every MCP user sees {dev.users[0].username}'s tasks.")
    return "\n".join(lines)


def _login_hint(dev: DevSettings) -> str:
    """The default demo account in full; other passwords are not repeated."""
    if dev.users == (DEFAULT_STANDIN_USER,):
        name, password = DEFAULT_STANDIN_USER.username, DEFAULT_STANDIN_USER.password
        return f"{name} / {password.get_secret_value()}"
    names = ", ".join(user.username for user in dev.users)
    return f"{names} (with the passwords given to --user)"
