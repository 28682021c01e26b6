"""The OAuth 2.1 authorization server for MCP clients (issue #4): one module per RFC
concept, e.g. ``pkce``, ``register``, ``token``, ``introspect``, ``revoke``."""
