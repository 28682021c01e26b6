"""The facts one harness run shares between its processes: ports, secrets, tokens.

The orchestrator makes a fresh ``Spec`` per run (random secrets and tokens, free
ports), writes it as JSON into the run's private directory, and every server process
reads it from there. Nothing in it outlives the run.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.procs import free_port

__all__ = ["CLIENT_ID", "MIN_USERS", "RS_CLIENT_ID", "TASKS", "UPSTREAM_CLIENT", "Spec"]

MIN_USERS = 64
"""Users seeded at the authorization server, at least: one per connection at c64.
Scenario 5 needs more (32 sessions per user, the per-user cap), and each refresh
round 16 fresh refresh-token chains; ``Spec.fresh`` is told how many."""
TASKS = 50
CLIENT_ID = "bench-client"
RS_CLIENT_ID = "taskmcp-resource"
UPSTREAM_CLIENT = "brooks"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Spec:
    run_dir: str
    standin_port: int
    auth_port: int
    taskmcp_port: int
    sdk_port: int
    bare_port: int
    secret_key: str
    rs_secret: str
    upstream_secret: str
    upstream_token: str
    access_tokens: tuple[str, ...]
    refresh_tokens: tuple[str, ...]

    @classmethod
    def fresh(cls, run_dir: Path, users: int = MIN_USERS) -> Spec:
        users = max(users, MIN_USERS)
        return cls(
            run_dir=str(run_dir),
            standin_port=free_port(),
            auth_port=free_port(),
            taskmcp_port=free_port(),
            sdk_port=free_port(),
            bare_port=free_port(),
            secret_key=secrets.token_urlsafe(48),
            rs_secret=secrets.token_urlsafe(32),
            upstream_secret=secrets.token_urlsafe(32),
            upstream_token=secrets.token_hex(32),
            access_tokens=tuple(secrets.token_urlsafe(32) for _ in range(users)),
            refresh_tokens=tuple(secrets.token_urlsafe(32) for _ in range(users)),
        )

    @classmethod
    def load(cls, path: Path) -> Spec:
        data = json.loads(path.read_text())
        data["access_tokens"] = tuple(data["access_tokens"])
        data["refresh_tokens"] = tuple(data["refresh_tokens"])
        return cls(**data)

    def save(self) -> Path:
        path = Path(self.run_dir) / "spec.json"
        path.write_text(json.dumps(asdict(self)))
        path.chmod(0o600)
        return path

    def url(self, port: int) -> str:
        return f"http://{HOST}:{port}"

    @property
    def issuer(self) -> str:
        return self.url(self.auth_port)

    @property
    def taskmanager(self) -> str:
        return self.url(self.standin_port)

    @property
    def mcp_server(self) -> str:
        """taskmcp's public URL; access tokens carry ``<this>/mcp`` as their audience."""
        return self.url(self.taskmcp_port)

    @property
    def auth_db(self) -> Path:
        return Path(self.run_dir) / "auth.db"

    def user(self, index: int) -> str:
        return f"user-{index:04d}"
