"""One server process of the benchmark: ``python -m bench.serve KIND SPEC_JSON``.

Kinds: ``standin`` (TaskManager stand-in), ``auth`` (authorization server on SQLite;
``--seed`` fills the database first), ``taskmcp`` (the resource server), ``sdk`` (the
same tools on the official ``mcp`` SDK's ``MCPServer``), ``bare`` (a bare aiohttp
handler, the ceiling). Every process logs at WARNING (no access log) and applies the
same GC settings (``gcpolicy``) once it is ready. SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bench import gcpolicy
from bench.spec import Spec

__all__ = ["main"]

HOST = "127.0.0.1"


async def _serve_aiohttp(app: object, port: int, *, handler_cancellation: bool = False) -> None:
    from aiohttp import web

    from taskmcp.runner import serve

    assert isinstance(app, web.Application)
    app.on_startup.append(gcpolicy.on_ready)
    await serve(app, host=HOST, port=port, handler_cancellation=handler_cancellation)


async def _standin(spec: Spec, seed: bool) -> None:
    from bench.stack import seed_standin, standin_app, standin_settings
    from taskmcp.standin import open_standin_store

    settings = standin_settings(spec)
    async with open_standin_store("memory://") as store:
        await seed_standin(spec, store, settings)
        await _serve_aiohttp(standin_app(store, settings), spec.standin_port)


async def _auth(spec: Spec, seed: bool) -> None:
    from bench.stack import auth_app, auth_settings, seed_auth
    from taskmcp.storage import open_storage

    settings = auth_settings(spec)
    async with open_storage(settings.storage_url) as storage:
        if seed:
            await seed_auth(spec, storage)
        await _serve_aiohttp(auth_app(spec, storage, settings), spec.auth_port)


async def _taskmcp(spec: Spec, seed: bool) -> None:
    from bench.stack import resource_app

    # as ``taskmcp resource`` does: a client closing a modern stream cancels its request
    await _serve_aiohttp(resource_app(spec), spec.taskmcp_port, handler_cancellation=True)


async def _sdk(spec: Spec, seed: bool) -> None:
    from bench.sdk_server import serve_sdk

    await serve_sdk(spec, HOST, on_ready=gcpolicy.collect)


async def _bare(spec: Spec, seed: bool) -> None:
    from bench.bare_server import bare_app

    await _serve_aiohttp(bare_app(spec), spec.bare_port)


KINDS: dict[str, Callable[[Spec, bool], Coroutine[Any, Any, None]]] = {
    "standin": _standin,
    "auth": _auth,
    "taskmcp": _taskmcp,
    "sdk": _sdk,
    "bare": _bare,
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("spec", type=Path)
    parser.add_argument("--seed", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    gcpolicy.configure()
    spec = Spec.load(args.spec)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(KINDS[args.kind](spec, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
