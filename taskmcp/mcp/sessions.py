"""Legacy-era sessions (``Mcp-Session-Id``, mcp-protocol §4.2), behind a Protocol.

* Ids are ``secrets.token_urlsafe(32)``: 256 random bits, visible ASCII only.
* A session is **bound to the authenticated user** (the introspected ``sub``). Holding
  the id is never authentication: another user presenting the same id is told 404,
  exactly as for an unknown id, so ids cannot be probed.
* A session expires after ``idle_ttl`` seconds without a request.
* A user holds at most ``max_per_user`` sessions; opening one more evicts that user's
  least recently used session (clients such as claude.ai re-initialize often and never
  send DELETE), so one user can never exhaust memory or evict another user's sessions.

``SessionStore`` is the seam for a shared store (several replicas must share sessions
or run without them, §4.2); ``MemorySessionStore`` is the in-process implementation
and the fake used by tests. Sessions are immutable values: a change is ``save``-d.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["MemorySessionStore", "Session", "SessionStore", "new_session_id"]


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Session:
    id: str
    owner: str
    protocol_version: str
    client_capabilities: Mapping[str, Any] = field(default_factory=dict)
    client_info: Mapping[str, Any] = field(default_factory=dict)
    log_level: str | None = None
    initialized: bool = False


class SessionStore(Protocol):
    async def create(
        self,
        owner: str,
        *,
        protocol_version: str,
        client_capabilities: Mapping[str, Any],
        client_info: Mapping[str, Any],
    ) -> Session:
        """A new live session for ``owner`` (may evict that owner's oldest one)."""

    async def get(self, session_id: str, owner: str) -> Session | None:
        """The live session with this id *and* owner, refreshing its idle timer."""

    async def save(self, session: Session) -> None:
        """Store a changed session; a session that has ended stays ended."""

    async def delete(self, session_id: str, owner: str) -> bool:
        """End a session; False if there was no live session with this id and owner."""

    async def sweep(self) -> list[str]:
        """Forget every expired session; return their ids."""


@dataclass
class _Entry:
    session: Session
    last_seen: float


class MemorySessionStore:
    """In-process sessions, LRU-ordered per user."""

    def __init__(
        self,
        *,
        idle_ttl: float,
        max_per_user: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = idle_ttl
        self._max = max_per_user
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._by_owner: dict[str, OrderedDict[str, None]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def create(
        self,
        owner: str,
        *,
        protocol_version: str,
        client_capabilities: Mapping[str, Any],
        client_info: Mapping[str, Any],
    ) -> Session:
        session = Session(
            id=new_session_id(),
            owner=owner,
            protocol_version=protocol_version,
            client_capabilities=dict(client_capabilities),
            client_info=dict(client_info),
        )
        owned = self._by_owner.setdefault(owner, OrderedDict())
        while len(owned) >= self._max:
            oldest, _ = owned.popitem(last=False)
            self._entries.pop(oldest, None)
        owned[session.id] = None
        self._entries[session.id] = _Entry(session, self._clock())
        return session

    async def get(self, session_id: str, owner: str) -> Session | None:
        entry = self._live(session_id, owner)
        if entry is None:
            return None
        entry.last_seen = self._clock()
        self._by_owner[owner].move_to_end(session_id)
        return entry.session

    async def save(self, session: Session) -> None:
        entry = self._live(session.id, session.owner)
        if entry is not None:
            entry.session = session

    async def delete(self, session_id: str, owner: str) -> bool:
        if self._live(session_id, owner) is None:
            return False
        self._forget(session_id)
        return True

    async def sweep(self) -> list[str]:
        now = self._clock()
        expired = [sid for sid, e in self._entries.items() if now - e.last_seen > self._ttl]
        for session_id in expired:
            self._forget(session_id)
        return expired

    def _live(self, session_id: str, owner: str) -> _Entry | None:
        entry = self._entries.get(session_id)
        if entry is None or entry.session.owner != owner:
            return None
        if self._clock() - entry.last_seen > self._ttl:
            self._forget(session_id)
            return None
        return entry

    def _forget(self, session_id: str) -> None:
        entry = self._entries.pop(session_id, None)
        if entry is None:
            return
        owned = self._by_owner.get(entry.session.owner)
        if owned is not None:
            owned.pop(session_id, None)
            if not owned:
                del self._by_owner[entry.session.owner]
