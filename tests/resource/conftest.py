"""The resource tests use the same stack as the transport tests."""

from __future__ import annotations

from tests.mcp.conftest import make_stack, mcp, stack

__all__ = ["make_stack", "mcp", "stack"]
