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
    DEV_SOURCES,
    RESOURCE_SOURCES,
    STANDIN_SOURCES,
    AuthSettings,
    ConfigError,
    DevSettings,
    ResourceSettings,
    Source,
    StandinSettings,
)
from taskmcp.devstack import banner, plan_dev_stack, run_dev_stack
from taskmcp.logs import configure_logging
from taskmcp.resource_app import create_resource_app
from taskmcp.runner import ServeError, serve
from taskmcp.secret_key import resolve_secret_key
from taskmcp.serve_app import serve_single_origin
from taskmcp.serve_settings import SERVE_SOURCES, ServeSettings
from taskmcp.standin import create_standin_app, open_standin_store, seed_store, utcnow
from taskmcp.storage import StorageConfigError, StorageUnavailableError, open_storage
from taskmcp.tls import server_ssl_context
from taskmcp.tools import default_registry

__all__ = ["build_parser", "load_settings", "main", "read_environ"]

PROG = "taskmcp"
EXIT_CONFIG = 2
DEV_HELP = "run the whole system locally: TaskManager stand-in, both services, wired"
SERVE_HELP = "run both services in one process on one origin (the simplest deployment)"
STANDIN_HELP = "run a development stand-in for TaskManager (not TaskManager)"
STANDIN_DESCRIPTION = (
    "Run a DEVELOPMENT STAND-IN that imitates the TaskManager web app's HTTP API "
    "(login, OAuth provider, projects and tasks; revision jan or dec) for local "
    "development and tests. It is NOT TaskManager: do not put real data in it."
)

_HOST = ("host", "interface to listen on (default 127.0.0.1)")
_LOG_LEVEL = ("log_level", "debug, info, warning or error (default info)")
_LOG_FORMAT = ("log_format", "text, or json for one JSON object per line (default text)")
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
        _LOG_FORMAT,
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
        _LOG_FORMAT,
        ("revision", "upstream revision to imitate: jan or dec (default jan)"),
        ("db", "memory:// or sqlite:///PATH (default memory://)"),
    ),
    "resource": (
        _HOST,
        ("port", "port to listen on (default 8001)"),
        _LOG_LEVEL,
        _LOG_FORMAT,
        (
            "mcp_server_url",
            "public URL of this server, without /mcp (default http://localhost:PORT)",
        ),
        ("auth_server", "internal authorization server URL (default http://localhost:9000)"),
        ("auth_server_public_url", "public issuer URL (default: the --auth-server value)"),
        _TASKMANAGER,
        *_TLS,
    ),
    "serve": (
        _HOST,
        ("port", "port to listen on (default 8001)"),
        _LOG_LEVEL,
        _LOG_FORMAT,
        (
            "mcp_server_url",
            "the one public origin: issuer, and MCP server without /mcp "
            "(default http://localhost:PORT)",
        ),
        ("data_dir", "directory for the development key and database (default .taskmcp)"),
        ("storage_url", "memory:// or sqlite:///PATH (default sqlite:///DATA_DIR/auth.db)"),
        _TASKMANAGER,
        *_TLS,
    ),
    "dev": (
        ("host", "interface to listen on; loopback unless --allow-remote (default 127.0.0.1)"),
        ("taskmanager_port", "port of the TaskManager stand-in (default 4321)"),
        ("auth_port", "port of the authorization server (default 9000)"),
        ("resource_port", "port of the MCP resource server (default 8001)"),
        ("data_dir", "databases and secrets, kept across runs (default .taskmcp)"),
        ("revision", "TaskManager revision: jan, or dec (service account) (default jan)"),
        _LOG_LEVEL,
        _LOG_FORMAT,
    ),
}
SERVICES = (
    ("auth", "run the OAuth authorization server", AUTH_SOURCES),
    ("resource", "run the MCP resource server", RESOURCE_SOURCES),
    ("serve", SERVE_HELP, SERVE_SOURCES),
)
ALIASES: Mapping[str, tuple[str, ...]] = {"public_url": ("--public-url",)}

S = TypeVar("S", AuthSettings, ResourceSettings, StandinSettings, DevSettings)
Command = Callable[[argparse.Namespace, Mapping[str, str]], int]

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None) -> int:
    """Entry point of the ``taskmcp`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
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


def run_serve(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = ServeSettings.load(environ, vars(args))
    ssl_context = server_ssl_context(settings.resource)
    _start_logging(settings.resource, settings.startup_warnings())
    secret_key = resolve_secret_key(settings.auth)
    serving = serve_single_origin(
        settings, secret_key=secret_key, tools=default_registry(), ssl_context=ssl_context
    )
    asyncio.run(serving)
    return 0


def run_dev(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = load_settings(DevSettings, args, environ)
    _start_logging(settings)
    stack = plan_dev_stack(settings)
    asyncio.run(run_dev_stack(stack, ready=lambda: print(banner(stack), flush=True)))
    return 0


def _start_logging(
    settings: AuthSettings | ResourceSettings | StandinSettings | DevSettings,
    warnings: Sequence[str] | None = None,
) -> None:
    """Configure logging, then log ``warnings`` (default: the settings' own)."""
    configure_logging(settings.log_level, settings.log_format)
    for warning in settings.startup_warnings() if warnings is None else warnings:
        log.warning(warning)


COMMANDS: Mapping[str, Command] = {
    "auth": run_auth,
    "resource": run_resource,
    "serve": run_serve,
    "taskmanager": run_taskmanager,
    "dev": run_dev,
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
    dev = commands.add_parser("dev", help=DEV_HELP, description=DEV_HELP)
    _add_flags(dev, "dev", DEV_SOURCES)
    _add_dev_flags(dev)
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


def _add_user_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        dest="users",
        action="append",
        metavar="NAME:PASSWORD",
        help="an account (repeatable; created, or its password updated; default demo:demo) "
        f"[env {STANDIN_SOURCES['users'].env}, space-separated]",
    )


def _add_dev_flags(parser: argparse.ArgumentParser) -> None:
    """``taskmcp dev``'s accounts and its escape hatch for a non-loopback ``--host``."""
    _add_user_flag(parser)
    parser.add_argument(
        "--allow-remote",
        dest="allow_remote",
        action="store_true",
        default=None,
        help="allow a non-loopback --host (e.g. 0.0.0.0 in a container); public URLs stay "
        f"http://localhost:PORT [env {DEV_SOURCES['allow_remote'].env}]",
    )


def _add_seed_flags(parser: argparse.ArgumentParser) -> None:
    """The repeatable account flags of ``taskmcp taskmanager``."""
    _add_user_flag(parser)
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
