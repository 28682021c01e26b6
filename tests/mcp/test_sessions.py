"""The in-process ``SessionStore`` (mcp-protocol §4.2), on a fake clock."""

from __future__ import annotations

import dataclasses

import pytest

from taskmcp.mcp.sessions import MemorySessionStore, SessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> MemorySessionStore:
    return MemorySessionStore(idle_ttl=60, max_per_user=2, clock=clock)


async def _open(store: SessionStore, owner: str) -> str:
    session = await store.create(
        owner, protocol_version="2025-11-25", client_capabilities={}, client_info={}
    )
    return session.id


async def test_a_session_is_found_only_by_its_owner(store: MemorySessionStore) -> None:
    session_id = await _open(store, "alice")
    assert await store.get(session_id, "bob") is None
    found = await store.get(session_id, "alice")
    assert found is not None
    assert found.owner == "alice"


async def test_idle_sessions_expire_and_activity_keeps_them(
    store: MemorySessionStore, clock: Clock
) -> None:
    session_id = await _open(store, "alice")
    clock.now += 50
    assert await store.get(session_id, "alice") is not None
    clock.now += 50
    assert await store.get(session_id, "alice") is not None
    clock.now += 61
    assert await store.get(session_id, "alice") is None
    assert len(store) == 0


async def test_sweep_forgets_expired_sessions(store: MemorySessionStore, clock: Clock) -> None:
    old = await _open(store, "alice")
    clock.now += 30
    young = await _open(store, "bob")
    clock.now += 31
    assert await store.sweep() == [old]
    assert await store.get(young, "bob") is not None


async def test_the_cap_evicts_the_owners_least_recently_used(store: MemorySessionStore) -> None:
    first, second = await _open(store, "alice"), await _open(store, "alice")
    other = await _open(store, "bob")
    await store.get(first, "alice")
    third = await _open(store, "alice")
    assert await store.get(second, "alice") is None
    assert {await store.get(s, "alice") is not None for s in (first, third)} == {True}
    assert await store.get(other, "bob") is not None


async def test_delete_needs_the_owner(store: MemorySessionStore) -> None:
    session_id = await _open(store, "alice")
    assert not await store.delete(session_id, "bob")
    assert await store.delete(session_id, "alice")
    assert not await store.delete(session_id, "alice")


async def test_save_keeps_changes_but_never_revives(store: MemorySessionStore) -> None:
    session_id = await _open(store, "alice")
    session = await store.get(session_id, "alice")
    assert session is not None
    await store.save(dataclasses.replace(session, log_level="info"))
    saved = await store.get(session_id, "alice")
    assert saved is not None
    assert saved.log_level == "info"
    await store.delete(session_id, "alice")
    await store.save(saved)
    assert await store.get(session_id, "alice") is None
