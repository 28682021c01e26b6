"""The MCP tools: the registry and the task and project tools (issue #6)."""
