"""The Node-based MCP test tools that scripts/install-node-tools.sh puts in .tools/:
Node 22, the official conformance suite and the Inspector CLI. Tests that need them
skip with the reason when they are missing (run ``make tools`` or ``.ci/run``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["TOOLS", "node_env", "require_tool"]

TOOLS = Path(__file__).resolve().parents[2] / ".tools"
_BINARIES = {
    "node": TOOLS / "node22" / "node_modules" / ".bin" / "node",
    "conformance": TOOLS / "conformance" / "node_modules" / ".bin" / "conformance",
    "inspector": TOOLS / "inspector" / "node_modules" / ".bin" / "mcp-inspector",
}


def require_tool(name: str) -> Path:
    """The tool's path. Missing tools skip a local run but fail in CI (``CI`` set),
    where .ci/run installs them, so that a broken install can never pass silently."""
    path = _BINARIES[name]
    if not path.exists() or not _BINARIES["node"].exists():
        message = f"{name} is not installed in .tools/ (run scripts/install-node-tools.sh)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def node_env() -> dict[str, str]:
    """The environment with Node 22 first on PATH (npx and #! lines then use it)."""
    bin_dir = str(_BINARIES["node"].parent)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
