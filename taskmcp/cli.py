"""The ``taskmcp`` command: read configuration, build an app, serve it.

Configuration sources, highest precedence first: command-line flags, the process
environment, ``.env`` in the current directory, the defaults in ``taskmcp.config``.
This module (with the ``run_*.py`` shims that call it) is the only place that reads
the environment; ``os.environ`` is never modified.

Configuration errors print one line, ``taskmcp: configuration error: NAME: problem``,
and exit with status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import ssl
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from dotenv import dotenv_values

from taskmcp import __version__
from taskmcp.auth_app import create_auth_app
from taskmcp.config import (
    AUTH_SOURCES,
    RESOURCE_SOURCES,
    STANDIN_SOURCES,
    AuthSettings,
    ConfigError,
    ResourceSettings,
    Source,
    StandinSettings,
)
from taskmcp.logs import configure_logging
from taskmcp.resource_app import create_resource_app
from taskmcp.runner import ServeError, serve
from taskmcp.secret_key import resolve_secret_key
from taskmcp.standin import create_standin_app, open_standin_store, seed_store, utcnow
from taskmcp.storage import StorageConfigError, StorageUnavailableError, open_storage
from taskmcp.tls import server_ssl_context
from taskmcp.tools import default_registry

__all__ = ["build_parser", "load_settings", "main", "read_environ"]

PROG = "taskmcp"
EXIT_CONFIG = 2
RESERVED = {
    "dev": "reserved: run the whole system locally (not implemented yet)",
}
STANDIN_HELP = "run a development stand-in for TaskManager (not TaskManager)"
STANDIN_DESCRIPTION = (
    "Run a DEVELOPMENT STAND-IN that imitates the TaskManager web app's HTTP API "
    "(login, OAuth provider, projects and tasks; revision jan or dec) for local "
    "development and tests. It is NOT TaskManager: do not put real data in it."
)

_HOST = ("host", "interface to listen on (default 127.0.0.1)")
_LOG_LEVEL = ("log_level", "debug, info, warning or error (default info)")
_TASKMANAGER = ("taskmanager_url", "browser-facing TaskManager URL (default http://localhost:4321)")
_TLS = (
    ("tls_cert", "PEM certificate chain: serve HTTPS (needs --tls-key)"),
    ("tls_key", "PEM private key for --tls-cert"),
)
FLAG_HELP: Mapping[str, tuple[tuple[str, str], ...]] = {
    "auth": (
        _HOST,
        ("port", "port to listen on (default 9000)"),
        _LOG_LEVEL,
        ("data_dir", "directory for the development key and database (default .taskmcp)"),
        ("public_url", "public issuer URL (default http://localhost:PORT)"),
        ("mcp_server_url", "public MCP server URL, without /mcp (default http://localhost:8001)"),
        _TASKMANAGER,
        ("storage_url", "memory:// or sqlite:///PATH (default sqlite:///DATA_DIR/auth.db)"),
        *_TLS,
    ),
    "taskmanager": (
        _HOST,
        ("port", "port to listen on (default 4321)"),
        _LOG_LEVEL,
        ("revision", "upstream revision to imitate: jan or dec (default jan)"),
        ("db", "memory:// or sqlite:///PATH (default memory://)"),
    ),
    "resource": (
        _HOST,
        ("port", "port to listen on (default 8001)"),
        _LOG_LEVEL,
        (
            "mcp_server_url",
            "public URL of this server, without /mcp (default http://localhost:PORT)",
        ),
        ("auth_server", "internal authorization server URL (default http://localhost:9000)"),
        ("auth_server_public_url", "public issuer URL (default: the --auth-server value)"),
        _TASKMANAGER,
        *_TLS,
    ),
}
SERVICES = (
    ("auth", "run the OAuth authorization server", AUTH_SOURCES),
    ("resource", "run the MCP resource server", RESOURCE_SOURCES),
)
ALIASES: Mapping[str, tuple[str, ...]] = {"public_url": ("--public-url",)}

S = TypeVar("S", AuthSettings, ResourceSettings, StandinSettings)
Command = Callable[[argparse.Namespace, Mapping[str, str]], int]

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None) -> int:
    """Entry point of the ``taskmcp`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command in RESERVED:
        print(f"{PROG}: {args.command}: not implemented yet", file=sys.stderr)
        return EXIT_CONFIG
    env = read_environ(Path.cwd(), os.environ if environ is None else environ)
    try:
        return COMMANDS[args.command](args, env)
    except (ConfigError, StorageConfigError) as exc:
        print(f"{PROG}: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except (ServeError, StorageUnavailableError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def read_environ(cwd: Path, process_env: Mapping[str, str]) -> dict[str, str]:
    """``cwd/.env`` overlaid by the process environment (which wins)."""
    dotenv = dotenv_values(cwd / ".env")
    return {**{k: v for k, v in dotenv.items() if v is not None}, **process_env}


def load_settings(cls: type[S], args: argparse.Namespace, environ: Mapping[str, str]) -> S:
    """Settings from the flags actually given (``None`` = not given) over ``environ``."""
    overrides = {field: value for field, value in vars(args).items() if field in cls.SOURCES}
    return cls.load(environ, overrides)


def run_auth(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = load_settings(AuthSettings, args, environ)
    ssl_context = server_ssl_context(settings)
    _start_logging(settings)
    # Resolved before listening so that a missing production key, or an unusable key
    # file, fails at startup.
    secret_key = resolve_secret_key(settings)
    log.info("issuer %s, resource %s", settings.public_url, settings.mcp_resource)
    asyncio.run(_serve_auth(settings, secret_key, ssl_context))
    return 0


async def _serve_auth(
    settings: AuthSettings, secret_key: bytes, ssl_context: ssl.SSLContext | None
) -> None:
    async with open_storage(settings.storage_url) as storage:
        app = create_auth_app(settings, storage=storage, secret_key=secret_key)
        await serve(app, host=settings.host, port=settings.port, ssl_context=ssl_context)


def run_resource(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = load_settings(ResourceSettings, args, environ)
    ssl_context = server_ssl_context(settings)
    _start_logging(settings)
    log.info("resource %s, authorization server %s", settings.mcp_resource, settings.auth_server)
    app = create_resource_app(settings, tools=default_registry())
    # Handler cancellation: a modern client closing its stream cancels its request.
    serving = serve(
        app,
        host=settings.host,
        port=settings.port,
        ssl_context=ssl_context,
        handler_cancellation=True,
    )
    asyncio.run(serving)
    return 0


def run_taskmanager(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = load_settings(StandinSettings, args, environ)
    _start_logging(settings)
    asyncio.run(_serve_standin(settings))
    return 0


async def _serve_standin(settings: StandinSettings) -> None:
    async with open_standin_store(settings.db) as store:
        await seed_store(store, settings.users, settings.clients, now=utcnow())
        names = ", ".join(user.username for user in settings.users)
        log.info("TaskManager stand-in, revision %s, users %s", settings.revision, names)
        app = create_standin_app(settings, store)
        await serve(app, host=settings.host, port=settings.port)


def _start_logging(settings: AuthSettings | ResourceSettings | StandinSettings) -> None:
    configure_logging(settings.log_level)
    for warning in settings.startup_warnings():
        log.warning(warning)


COMMANDS: Mapping[str, Command] = {
    "auth": run_auth,
    "resource": run_resource,
    "taskmanager": run_taskmanager,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="OAuth-protected remote MCP server for TaskManager tasks and projects.",
        epilog="Flags beat the environment, which beats .env in the current directory.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text, sources in SERVICES:
        _add_flags(commands.add_parser(name, help=text, description=text), name, sources)
    standin = commands.add_parser("taskmanager", help=STANDIN_HELP, description=STANDIN_DESCRIPTION)
    _add_flags(standin, "taskmanager", STANDIN_SOURCES)
    _add_seed_flags(standin)
    for name, text in RESERVED.items():
        reserved = commands.add_parser(name, help=text, description=text)
        reserved.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
        reserved.add_argument("--port", help="port to listen on")
    return parser


def _add_flags(parser: argparse.ArgumentParser, name: str, sources: Mapping[str, Source]) -> None:
    """One string flag per field in ``FLAG_HELP[name]``, named by its ``Source``."""
    for field, help_text in FLAG_HELP[name]:
        source = sources[field]
        parser.add_argument(
            str(source.flag),
            *ALIASES.get(field, ()),
            dest=field,
            metavar="VALUE",
            help=f"{help_text} [env {source.env}]",
        )
    if "oauth_strict" in sources:
        parser.add_argument(
            "--oauth-strict",
            dest="oauth_strict",
            action=argparse.BooleanOptionalAction,
            help="strict OAuth checks (default on; turn off only for development) "
            f"[env {sources['oauth_strict'].env}]",
        )
    if "no_auth" in sources:
        parser.add_argument(
            "--no-auth",
            dest="no_auth",
            action="store_true",
            default=None,
            help="DISABLE authentication on /mcp (loopback host only; for the conformance "
            f"suite) [env {sources['no_auth'].env}]",
        )


def _add_seed_flags(parser: argparse.ArgumentParser) -> None:
    """The repeatable account flags of ``taskmcp taskmanager``."""
    parser.add_argument(
        "--user",
        dest="users",
        action="append",
        metavar="NAME:PASSWORD",
        help="an account (repeatable; created, or its password updated; default demo:demo) "
        f"[env {STANDIN_SOURCES['users'].env}, space-separated]",
    )
    parser.add_argument(
        "--client",
        dest="clients",
        action="append",
        metavar="ID:SECRET:REDIRECT_URI",
        help="an OAuth client owned by the first user, grant types authorization_code and "
        "refresh_token, scopes read write (repeatable) "
        f"[env {STANDIN_SOURCES['clients'].env}, space-separated]",
    )


if __name__ == "__main__":
    raise SystemExit(main())
