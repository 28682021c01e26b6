"""SQLite schema and its migrations.

Each migration is a list of statements applied in one ``BEGIN IMMEDIATE`` transaction
together with the bump of ``schema_version``; a database is never left half-migrated.
Times are INTEGER microseconds since the Unix epoch (UTC); lists and objects are JSON
text. Columns carry the names of the model fields in ``taskmcp.storage.models``.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS"]

_V1 = [
    """CREATE TABLE clients (
        client_id TEXT PRIMARY KEY,
        source TEXT NOT NULL CHECK (source IN ('dynamic', 'cimd', 'static')),
        secret_hash TEXT,
        secret_expires_at INTEGER,
        token_endpoint_auth_method TEXT NOT NULL,
        redirect_uris TEXT NOT NULL,
        grant_types TEXT NOT NULL,
        response_types TEXT NOT NULL,
        application_type TEXT NOT NULL,
        client_name TEXT,
        scope TEXT,
        metadata TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        expires_at INTEGER
    )""",
    "CREATE INDEX clients_by_expiry ON clients (expires_at)",
    """CREATE TABLE pending_authorizations (
        state_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        redirect_uri_explicit INTEGER NOT NULL,
        scopes TEXT NOT NULL,
        resource TEXT NOT NULL,
        code_challenge TEXT NOT NULL,
        code_challenge_method TEXT NOT NULL,
        client_state TEXT,
        sealed_upstream_verifier TEXT NOT NULL,
        browser_binding_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        consumed_at INTEGER
    )""",
    "CREATE INDEX pending_by_expiry ON pending_authorizations (expires_at)",
    """CREATE TABLE grants (
        grant_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        resource TEXT NOT NULL,
        scopes TEXT NOT NULL,
        sealed_upstream TEXT,
        upstream_expires_at INTEGER,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
    )""",
    "CREATE INDEX grants_by_owner ON grants (user_id, client_id, resource)",
    "CREATE INDEX grants_by_client ON grants (client_id)",
    "CREATE INDEX grants_by_expiry ON grants (expires_at)",
    """CREATE TABLE authorization_codes (
        code_hash TEXT PRIMARY KEY,
        grant_id TEXT NOT NULL REFERENCES grants (grant_id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        redirect_uri_explicit INTEGER NOT NULL,
        code_challenge TEXT,
        code_challenge_method TEXT,
        scopes TEXT NOT NULL,
        resource TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        consumed_at INTEGER
    )""",
    "CREATE INDEX codes_by_grant ON authorization_codes (grant_id)",
    "CREATE INDEX codes_by_expiry ON authorization_codes (expires_at)",
    """CREATE TABLE access_tokens (
        token_hash TEXT PRIMARY KEY,
        grant_id TEXT NOT NULL REFERENCES grants (grant_id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        scopes TEXT NOT NULL,
        resource TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
    )""",
    "CREATE INDEX access_by_grant ON access_tokens (grant_id)",
    "CREATE INDEX access_by_expiry ON access_tokens (expires_at)",
    """CREATE TABLE refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        grant_id TEXT NOT NULL REFERENCES grants (grant_id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        scopes TEXT NOT NULL,
        resource TEXT NOT NULL,
        parent_hash TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        rotated_at INTEGER,
        grace_closed INTEGER NOT NULL,
        revoked_at INTEGER
    )""",
    "CREATE INDEX refresh_by_grant ON refresh_tokens (grant_id)",
    "CREATE INDEX refresh_by_expiry ON refresh_tokens (expires_at)",
    """CREATE TABLE consents (
        user_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        scopes TEXT NOT NULL,
        resource TEXT NOT NULL,
        granted_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, client_id)
    )""",
    "CREATE INDEX consents_by_expiry ON consents (expires_at)",
]

MIGRATIONS: tuple[list[str], ...] = (_V1,)
"""``MIGRATIONS[i]`` takes a database from schema version ``i`` to ``i + 1``."""
