"""The ceiling: a bare aiohttp handler on the same runner, with no MCP and no auth.

``POST /mcp`` reads the JSON-RPC body and answers ``{"jsonrpc", "id", "result"}`` with
a ``tools/call`` result captured from taskmcp earlier in the run (the orchestrator
writes them to ``bare_results.json``): the ``get_time`` one for ``Mcp-Name: get_time``,
the 50-record ``list_tasks`` one otherwise. The result is serialised per request, as a
real handler would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.spec import Spec

__all__ = ["RESULTS_FILE", "bare_app"]

RESULTS_FILE = "bare_results.json"


def bare_app(spec: Spec) -> web.Application:
    results: dict[str, Any] = json.loads((Path(spec.run_dir) / RESULTS_FILE).read_text())

    async def handle(request: web.Request) -> web.Response:
        message = json.loads(await request.read())
        result = results.get(request.headers.get("Mcp-Name", ""), results["list_tasks"])
        return web.json_response({"jsonrpc": "2.0", "id": message["id"], "result": result})

    app = web.Application()
    app.router.add_post("/mcp", handle)
    return app
