"""The official MCP conformance suite (``@modelcontextprotocol/conformance``
0.2.0-alpha.12, mcp-protocol §9.1) against the resource server, once per protocol era.

The server runs in-process with ``--no-auth`` (the suite's server runner cannot send an
``Authorization`` header) and the suite's fixture tools (``tests/conformance/fixtures.py``,
test code only). Known failures are listed with their reasons in
``tests/conformance-baseline.yml``; the suite fails the run on any other failure or
warning, and on a baseline entry that now passes.

Node 22 and the suite live in ``.tools/`` (``scripts/install-node-tools.sh``, which
``make test`` runs first); see ``tests.support.node_tools``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from pytest_aiohttp import AiohttpServer

from taskmcp.config import ResourceSettings
from taskmcp.resource_app import create_resource_app
from tests.conformance.fixtures import conformance_registry
from tests.support.node_tools import node_env, require_tool

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "tests" / "conformance-baseline.yml"
RUN_TIMEOUT = 600


def _statuses(results: Path) -> dict[str, int]:
    """How many checks of each status the run wrote to its ``checks.json`` files."""
    counts: dict[str, int] = {}
    for checks in results.rglob("checks.json"):
        for check in json.loads(checks.read_text()):
            counts[check["status"]] = counts.get(check["status"], 0) + 1
    return counts


@pytest.mark.parametrize("revision", ["2025-11-25", "2026-07-28"])
async def test_the_conformance_suite_passes_apart_from_the_baseline(
    aiohttp_server: AiohttpServer, tmp_path: Path, revision: str
) -> None:
    suite = require_tool("conformance")
    settings = ResourceSettings.load({"TASKMCP_NO_AUTH": "true"})
    server = await aiohttp_server(create_resource_app(settings, tools=conformance_registry()))
    env = node_env()
    process = await asyncio.create_subprocess_exec(
        str(suite),
        "server",
        "--url",
        str(server.make_url("/mcp")),
        "--requirements",
        revision,
        "--expected-failures",
        str(BASELINE),
        "-o",
        str(tmp_path),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT)
    text = output.decode(errors="replace")
    summary = text[text.rfind("=== SUMMARY ===") :]
    assert process.returncode == 0, summary[-6000:]
    assert "Baseline check passed" in summary
    assert _statuses(tmp_path).get("SUCCESS", 0) >= 50, "the suite ran (almost) nothing"
