"""taskmcp: an OAuth-protected remote MCP server for TaskManager tasks and projects."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
