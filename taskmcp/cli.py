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
    AuthSettings,
    ConfigError,
    ResourceSettings,
    Source,
)
from taskmcp.logs import configure_logging
from taskmcp.resource_app import create_resource_app
from taskmcp.runner import ServeError, serve
from taskmcp.secret_key import resolve_secret_key
from taskmcp.storage import StorageConfigError, StorageUnavailableError, open_storage

__all__ = ["build_parser", "load_settings", "main", "read_environ"]

PROG = "taskmcp"
EXIT_CONFIG = 2
RESERVED = {
    "taskmanager": "reserved: TaskManager stand-in (not implemented yet)",
    "dev": "reserved: run the whole system locally (not implemented yet)",
}

_HOST = ("host", "interface to listen on (default 127.0.0.1)")
_LOG_LEVEL = ("log_level", "debug, info, warning or error (default info)")
_TASKMANAGER = ("taskmanager_url", "browser-facing TaskManager URL (default http://localhost:4321)")
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
    ),
}
SERVICES = (
    ("auth", "run the OAuth authorization server", AUTH_SOURCES),
    ("resource", "run the MCP resource server", RESOURCE_SOURCES),
)
ALIASES: Mapping[str, tuple[str, ...]] = {"public_url": ("--public-url",)}

S = TypeVar("S", AuthSettings, ResourceSettings)
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
    _start_logging(settings)
    # Resolved before listening so that a missing production key, or an unusable key
    # file, fails at startup; the token modules will receive it from here.
    resolve_secret_key(settings)
    log.info("issuer %s, resource %s", settings.public_url, settings.mcp_resource)
    asyncio.run(_serve_auth(settings))
    return 0


async def _serve_auth(settings: AuthSettings) -> None:
    async with open_storage(settings.storage_url) as storage:
        app = create_auth_app(settings, storage=storage)
        await serve(app, host=settings.host, port=settings.port)


def run_resource(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = load_settings(ResourceSettings, args, environ)
    _start_logging(settings)
    log.info("resource %s, authorization server %s", settings.mcp_resource, settings.auth_server)
    app = create_resource_app(settings)
    asyncio.run(serve(app, host=settings.host, port=settings.port))
    return 0


def _start_logging(settings: AuthSettings | ResourceSettings) -> None:
    configure_logging(settings.log_level)
    for warning in settings.startup_warnings():
        log.warning(warning)


COMMANDS: Mapping[str, Command] = {"auth": run_auth, "resource": run_resource}


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


if __name__ == "__main__":
    raise SystemExit(main())
