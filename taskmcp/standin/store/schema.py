"""The stand-in's own small schema (SQLite), shaped after TaskManager's data model (§5).

Differences from TaskManager's PostgreSQL tables, all invisible over HTTP:

* Timestamps are ISO text with milliseconds and ``Z``; dates are ``YYYY-MM-DD`` text;
  ``estimated_hours``/``actual_hours`` are text already formatted with two decimals.
* Value checks (priority, status, lengths, numbers, dates) happen in
  ``taskmcp.standin.columns`` before a write, with PostgreSQL's messages.
* Codes, tokens and client secrets are stored as SHA-256 digests, never in clear.
* Foreign keys have no cascade, as upstream: a client that issued a code or token
  cannot be deleted (§3.2).

Every statement is ``IF NOT EXISTS``, so opening an existing file is idempotent.
"""

from __future__ import annotations

__all__ = ["SCHEMA"]

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL UNIQUE,
        email TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        expires_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS oauth_clients (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        client_id TEXT NOT NULL UNIQUE,
        secret_hash TEXT,
        name TEXT NOT NULL,
        redirect_uris TEXT NOT NULL,
        grant_types TEXT NOT NULL,
        scopes TEXT NOT NULL,
        is_public INTEGER NOT NULL DEFAULT 0,
        is_active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id))""",
    """CREATE TABLE IF NOT EXISTS authorization_codes (
        code_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES oauth_clients(client_id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        redirect_uri TEXT NOT NULL,
        scope TEXT NOT NULL,
        code_challenge TEXT,
        code_challenge_method TEXT,
        expires_at TEXT NOT NULL,
        used INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS access_tokens (
        token_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES oauth_clients(client_id),
        user_id INTEGER REFERENCES users(id),
        scope TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        access_token_hash TEXT NOT NULL,
        client_id TEXT NOT NULL REFERENCES oauth_clients(client_id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        scope TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS projects (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        color TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        is_active INTEGER NOT NULL DEFAULT 1,
        user_id INTEGER NOT NULL REFERENCES users(id))""",
    """CREATE TABLE IF NOT EXISTS todos (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id INTEGER REFERENCES projects(id),
        title TEXT NOT NULL,
        description TEXT,
        priority TEXT,
        estimated_hours TEXT,
        actual_hours TEXT,
        status TEXT NOT NULL DEFAULT 'pending',
        due_date TEXT,
        completed_date TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        context TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id),
        time_horizon TEXT)""",
    "CREATE INDEX IF NOT EXISTS todos_user ON todos (user_id)",
)
