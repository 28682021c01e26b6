"""The storage contract, run over every backend (``store`` is parametrised in conftest).

Section references are to ``shared/docs/oauth-checklist.md``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from taskmcp.storage import ConflictError, Storage
from tests.records import (
    DAY,
    HOUR,
    MINUTE,
    T0,
    access_token,
    approved_grant,
    issued_code,
    pending_authorization,
    recorded_consent,
    refresh_token,
    registered_client,
)

GRACE = timedelta(seconds=30)


async def _grant_with_code(store: Storage, code_hash: str = "code-1") -> None:
    await store.save_grant(approved_grant())
    await store.save_code(issued_code(code_hash))


async def _redeemed(store: Storage) -> None:
    """A grant whose code was redeemed for access token ``at-1`` and refresh ``rt-1``."""
    await _grant_with_code(store)
    assert await store.redeem_code(
        "code-1", now=T0, access=access_token("at-1"), refresh=refresh_token("rt-1")
    )


async def _rotate(
    store: Storage, old: str, new: str, *, at: timedelta, grace: timedelta = GRACE
) -> str:
    return await store.rotate_refresh_token(
        old,
        now=T0 + at,
        grace=grace,
        access=access_token(f"at-{new}", at=T0 + at),
        refresh=refresh_token(new, parent_hash=old, at=T0 + at),
    )


# -- clients ------------------------------------------------------------------------------


async def test_a_saved_client_reads_back_identically(store: Storage) -> None:
    client = registered_client()
    await store.save_client(client)
    assert await store.get_client("client-1", now=T0) == client
    assert await store.get_client("unknown", now=T0) is None


async def test_an_expired_client_is_not_returned(store: Storage) -> None:
    await store.save_client(registered_client(expires_at=T0 + HOUR))
    assert await store.get_client("client-1", now=T0 + HOUR - MINUTE) is not None
    assert await store.get_client("client-1", now=T0 + HOUR) is None


async def test_a_client_without_expiry_never_expires(store: Storage) -> None:
    await store.save_client(registered_client(source="static", expires_at=None))
    assert await store.get_client("client-1", now=T0 + 1000 * DAY) is not None


async def test_touching_a_client_renews_its_ttl(store: Storage) -> None:
    """checklist G6: the TTL is renewed on each successful use."""
    await store.save_client(registered_client(expires_at=T0 + HOUR))
    assert await store.touch_client("client-1", now=T0 + MINUTE, expires_at=T0 + 90 * DAY)
    client = await store.get_client("client-1", now=T0 + 2 * HOUR)
    assert client is not None
    assert client.last_used_at == T0 + MINUTE
    assert client.expires_at == T0 + 90 * DAY
    assert not await store.touch_client("unknown", now=T0, expires_at=T0 + DAY)


async def test_saving_a_client_again_replaces_it(store: Storage) -> None:
    """A refreshed Client ID Metadata Document replaces the cached one."""
    await store.save_client(registered_client(source="cimd"))
    newer = registered_client(source="cimd").model_copy(update={"client_name": "Renamed"})
    await store.save_client(newer)
    assert await store.get_client("client-1", now=T0) == newer


async def test_deleting_a_client(store: Storage) -> None:
    await store.save_client(registered_client())
    assert await store.delete_client("client-1")
    assert not await store.delete_client("client-1")
    assert await store.get_client("client-1", now=T0) is None


async def test_clients_are_counted_per_source_without_expired_ones(store: Storage) -> None:
    """checklist G5: the global cap on dynamic clients counts live registrations."""
    await store.save_client(registered_client("d1"))
    await store.save_client(registered_client("d2"))
    await store.save_client(registered_client("d3", expires_at=T0 + MINUTE))
    await store.save_client(registered_client("c1", source="cimd"))
    assert await store.count_clients("dynamic", now=T0) == 3
    assert await store.count_clients("dynamic", now=T0 + HOUR) == 2
    assert await store.count_clients("cimd", now=T0) == 1
    assert await store.count_clients("static", now=T0) == 0


# -- pending authorizations -------------------------------------------------------------------


async def test_a_pending_authorization_is_taken_exactly_once(store: Storage) -> None:
    """checklist U9: the upstream state is single-use."""
    pending = pending_authorization()
    await store.save_pending(pending)
    assert await store.take_pending("state-1", now=T0 + MINUTE) == pending.model_copy(
        update={"consumed_at": T0 + MINUTE}
    )
    assert await store.take_pending("state-1", now=T0 + MINUTE) is None
    with pytest.raises(ConflictError):
        await store.save_pending(pending)


async def test_an_expired_pending_authorization_cannot_be_taken(store: Storage) -> None:
    await store.save_pending(pending_authorization(ttl=10 * MINUTE))
    assert await store.take_pending("state-1", now=T0 + 10 * MINUTE) is None
    assert await store.take_pending("state-1", now=T0 + 11 * MINUTE) is None


async def test_a_duplicate_state_is_a_conflict(store: Storage) -> None:
    await store.save_pending(pending_authorization())
    with pytest.raises(ConflictError):
        await store.save_pending(pending_authorization())


async def test_concurrent_takes_of_one_state_have_one_winner(store: Storage) -> None:
    await store.save_pending(pending_authorization())
    results = await asyncio.gather(*(store.take_pending("state-1", now=T0) for _ in range(100)))
    assert sum(r is not None for r in results) == 1


# -- grants -------------------------------------------------------------------------------------


async def test_a_saved_grant_reads_back_identically(store: Storage) -> None:
    grant = approved_grant()
    await store.save_grant(grant)
    assert await store.get_grant("grant-1", now=T0) == grant
    with pytest.raises(ConflictError):
        await store.save_grant(grant)


async def test_an_expired_grant_is_not_returned(store: Storage) -> None:
    await store.save_grant(approved_grant(ttl=DAY))
    assert await store.get_grant("grant-1", now=T0 + DAY) is None


async def test_find_grant_returns_the_newest_live_grant_of_that_user_and_client(
    store: Storage,
) -> None:
    await store.save_grant(approved_grant("old"))
    await store.save_grant(approved_grant("new", created_at=T0 + MINUTE))
    await store.save_grant(approved_grant("other-user", user_id="user-2", created_at=T0 + HOUR))
    await store.save_grant(approved_grant("other-client", client_id="c-2", created_at=T0 + HOUR))
    found = await store.find_grant(
        user_id="user-1", client_id="client-1", resource=approved_grant().resource, now=T0 + HOUR
    )
    assert found is not None
    assert found.grant_id == "new"
    await store.revoke_grant("new", now=T0 + HOUR)
    found = await store.find_grant(
        user_id="user-1", client_id="client-1", resource=approved_grant().resource, now=T0 + HOUR
    )
    assert found is not None
    assert found.grant_id == "old"
    assert (
        await store.find_grant(user_id="user-1", client_id="client-1", resource="x", now=T0) is None
    )


async def test_upstream_update_is_a_compare_and_set_on_the_version(store: Storage) -> None:
    """checklist T12: concurrent upstream refreshers detect a lost race."""
    await store.save_grant(approved_grant())
    updated = await store.update_upstream(
        "grant-1",
        sealed_upstream="v1.abcd.new",
        upstream_expires_at=T0 + 2 * HOUR,
        expected_version=0,
        now=T0,
    )
    assert updated is not None
    assert (updated.sealed_upstream, updated.version) == ("v1.abcd.new", 1)
    assert updated.upstream_expires_at == T0 + 2 * HOUR
    assert await store.get_grant("grant-1", now=T0) == updated
    stale = await store.update_upstream(
        "grant-1",
        sealed_upstream="v1.abcd.lost",
        upstream_expires_at=None,
        expected_version=0,
        now=T0,
    )
    assert stale is None
    grant = await store.get_grant("grant-1", now=T0)
    assert grant is not None
    assert grant.sealed_upstream == "v1.abcd.new"


async def test_upstream_update_of_a_revoked_grant_fails(store: Storage) -> None:
    await store.save_grant(approved_grant())
    await store.revoke_grant("grant-1", now=T0)
    result = await store.update_upstream(
        "grant-1", sealed_upstream="v1.x.y", upstream_expires_at=None, expected_version=0, now=T0
    )
    assert result is None


async def test_revoking_a_grant_kills_every_token_issued_from_it(store: Storage) -> None:
    """checklist V3, C4: revocation by grant."""
    await _redeemed(store)
    assert await _rotate(store, "rt-1", "rt-2", at=MINUTE) == "rotated"
    assert await store.revoke_grant("grant-1", now=T0 + 2 * MINUTE)
    assert not await store.revoke_grant("grant-1", now=T0 + 2 * MINUTE)
    later = T0 + 3 * MINUTE
    assert await store.get_grant("grant-1", now=later) is None
    for token in ("at-1", "at-rt-2"):
        assert await store.find_access_token(token, now=later) is None
    for token in ("rt-1", "rt-2"):
        assert await store.find_refresh_token(token, now=later) is None
    assert await _rotate(store, "rt-2", "rt-3", at=4 * MINUTE) == "invalid"


async def test_revoking_an_unknown_grant_is_false(store: Storage) -> None:
    assert not await store.revoke_grant("nope", now=T0)


# -- authorization codes -------------------------------------------------------------------------


async def test_a_code_reads_back_identically_until_it_expires(store: Storage) -> None:
    await store.save_grant(approved_grant())
    code = issued_code(ttl=MINUTE)
    await store.save_code(code)
    assert await store.find_code("code-1", now=T0) == code
    assert await store.find_code("code-1", now=T0 + MINUTE) is None
    with pytest.raises(ConflictError):
        await store.save_code(code)


async def test_a_code_is_redeemed_once_and_stays_as_a_tombstone(store: Storage) -> None:
    """checklist C4, C6."""
    await _redeemed(store)
    again = await store.redeem_code(
        "code-1", now=T0, access=access_token("at-x"), refresh=refresh_token("rt-x")
    )
    assert not again
    tombstone = await store.find_code("code-1", now=T0)
    assert tombstone is not None
    assert tombstone.consumed_at == T0
    assert await store.find_access_token("at-1", now=T0) == access_token("at-1")
    assert await store.find_refresh_token("rt-1", now=T0) == refresh_token("rt-1")
    assert await store.find_access_token("at-x", now=T0) is None
    assert await store.find_refresh_token("rt-x", now=T0) is None


async def test_an_expired_code_cannot_be_redeemed(store: Storage) -> None:
    await _grant_with_code(store)
    won = await store.redeem_code(
        "code-1", now=T0 + MINUTE, access=access_token("at-1"), refresh=None
    )
    assert not won
    assert await store.find_access_token("at-1", now=T0) is None


async def test_a_code_of_a_revoked_grant_cannot_be_redeemed(store: Storage) -> None:
    await _grant_with_code(store)
    await store.revoke_grant("grant-1", now=T0)
    assert not await store.redeem_code("code-1", now=T0, access=access_token("at-1"), refresh=None)


async def test_an_unknown_code_cannot_be_redeemed(store: Storage) -> None:
    assert not await store.redeem_code("nope", now=T0, access=access_token("at-1"), refresh=None)


async def test_redeeming_without_a_refresh_token_stores_only_the_access_token(
    store: Storage,
) -> None:
    await _grant_with_code(store)
    assert await store.redeem_code("code-1", now=T0, access=access_token("at-1"), refresh=None)
    assert await store.find_access_token("at-1", now=T0) is not None


async def test_concurrent_redemptions_of_one_code_have_exactly_one_winner(store: Storage) -> None:
    """checklist C5: 100 concurrent attempts, one success, one token set."""
    await _grant_with_code(store)
    results = await asyncio.gather(
        *(
            store.redeem_code(
                "code-1", now=T0, access=access_token(f"at-{i}"), refresh=refresh_token(f"rt-{i}")
            )
            for i in range(100)
        )
    )
    assert results.count(True) == 1
    winner = results.index(True)
    for i in range(100):
        found = await store.find_access_token(f"at-{i}", now=T0)
        assert (found is not None) == (i == winner)


async def test_a_failed_token_insert_leaves_the_code_unconsumed(store: Storage) -> None:
    """checklist §16 durability: a failure between "mark consumed" and "insert tokens"
    rolls everything back; no half-state remains."""
    await _redeemed(store)
    await store.save_code(issued_code("code-2"))
    with pytest.raises(ConflictError):
        await store.redeem_code(
            "code-2", now=T0, access=access_token("at-1"), refresh=refresh_token("rt-new")
        )
    code = await store.find_code("code-2", now=T0)
    assert code is not None
    assert code.consumed_at is None
    assert await store.find_refresh_token("rt-new", now=T0) is None
    assert await store.redeem_code(
        "code-2", now=T0, access=access_token("at-2"), refresh=refresh_token("rt-2")
    )


# -- access tokens -------------------------------------------------------------------------------


async def test_an_access_token_is_live_until_it_expires(store: Storage) -> None:
    await _redeemed(store)
    assert await store.find_access_token("at-1", now=T0 + HOUR - MINUTE) is not None
    assert await store.find_access_token("at-1", now=T0 + HOUR) is None
    assert await store.find_access_token("unknown", now=T0) is None


async def test_revoking_an_access_token(store: Storage) -> None:
    """RFC 7009 §2: revoking an access token; the refresh token may live on."""
    await _redeemed(store)
    assert await store.revoke_access_token("at-1", now=T0)
    assert not await store.revoke_access_token("at-1", now=T0)
    assert not await store.revoke_access_token("unknown", now=T0)
    assert await store.find_access_token("at-1", now=T0) is None
    assert await store.find_refresh_token("rt-1", now=T0) is not None


# -- refresh-token rotation ----------------------------------------------------------------------


async def test_rotation_issues_a_new_pair_and_marks_the_old_token(store: Storage) -> None:
    """checklist T7."""
    await _redeemed(store)
    assert await _rotate(store, "rt-1", "rt-2", at=MINUTE) == "rotated"
    old = await store.find_refresh_token("rt-1", now=T0 + MINUTE)
    assert old is not None
    assert old.rotated_at == T0 + MINUTE
    new = await store.find_refresh_token("rt-2", now=T0 + MINUTE)
    assert new is not None
    assert new.parent_hash == "rt-1"
    assert new.rotated_at is None
    assert await store.find_access_token("at-rt-2", now=T0 + MINUTE) is not None


async def test_the_previous_token_is_honoured_inside_the_grace_window(store: Storage) -> None:
    """checklist T9: a lost response or a second window refreshing at once."""
    await _redeemed(store)
    assert await _rotate(store, "rt-1", "rt-2", at=MINUTE) == "rotated"
    assert await _rotate(store, "rt-1", "rt-3", at=MINUTE + GRACE - timedelta(seconds=1)) == "grace"
    now = T0 + 2 * MINUTE
    for token in ("rt-2", "rt-3"):
        assert await store.find_refresh_token(token, now=now) is not None
    assert await store.get_grant("grant-1", now=now) is not None


async def test_reuse_after_the_grace_window_revokes_the_grant(store: Storage) -> None:
    """checklist T8."""
    await _redeemed(store)
    assert await _rotate(store, "rt-1", "rt-2", at=MINUTE) == "rotated"
    assert await _rotate(store, "rt-1", "rt-3", at=MINUTE + GRACE) == "reused"
    now = T0 + MINUTE + GRACE
    assert await store.get_grant("grant-1", now=now) is None
    assert await store.find_refresh_token("rt-2", now=now) is None
    assert await store.find_refresh_token("rt-3", now=now) is None
    assert await store.find_access_token("at-rt-2", now=now) is None


async def test_reuse_after_the_successor_was_used_revokes_the_grant(store: Storage) -> None:
    """checklist T9 (b): the grace window closes once the successor is used."""
    await _redeemed(store)
    assert await _rotate(store, "rt-1", "rt-2", at=MINUTE) == "rotated"
    assert await _rotate(store, "rt-2", "rt-3", at=MINUTE + timedelta(seconds=1)) == "rotated"
    assert await _rotate(store, "rt-1", "rt-4", at=MINUTE + timedelta(seconds=2)) == "reused"
    assert await store.get_grant("grant-1", now=T0 + 2 * MINUTE) is None


async def test_concurrent_refreshes_with_a_grace_window_both_succeed(store: Storage) -> None:
    """checklist §16: two refreshes with the same RT at once; both new RTs work."""
    await _redeemed(store)
    outcomes = await asyncio.gather(
        _rotate(store, "rt-1", "rt-a", at=MINUTE), _rotate(store, "rt-1", "rt-b", at=MINUTE)
    )
    assert sorted(outcomes) == ["grace", "rotated"]
    for token in ("rt-a", "rt-b"):
        assert await store.find_refresh_token(token, now=T0 + MINUTE) is not None


async def test_concurrent_refreshes_without_grace_have_one_winner_and_revoke(
    store: Storage,
) -> None:
    """checklist §16: grace window 0 → exactly one succeeds and the grant is revoked."""
    await _redeemed(store)
    outcomes = await asyncio.gather(
        *(_rotate(store, "rt-1", f"rt-{i}x", at=MINUTE, grace=timedelta(0)) for i in range(10))
    )
    assert outcomes.count("rotated") == 1
    assert outcomes.count("reused") + outcomes.count("invalid") == 9
    assert "reused" in outcomes
    assert await store.get_grant("grant-1", now=T0 + MINUTE) is None


async def test_an_expired_or_unknown_refresh_token_is_invalid(store: Storage) -> None:
    await _redeemed(store)
    assert await _rotate(store, "unknown", "rt-2", at=MINUTE) == "invalid"
    assert await _rotate(store, "rt-1", "rt-2", at=31 * DAY) == "invalid"
    assert await store.find_refresh_token("rt-1", now=31 * DAY + T0) is None


async def test_rotation_into_an_existing_hash_changes_nothing(store: Storage) -> None:
    await _redeemed(store)
    with pytest.raises(ConflictError):
        await store.rotate_refresh_token(
            "rt-1",
            now=T0 + MINUTE,
            grace=GRACE,
            access=access_token("at-1"),
            refresh=refresh_token("rt-2", parent_hash="rt-1"),
        )
    current = await store.find_refresh_token("rt-1", now=T0 + MINUTE)
    assert current is not None
    assert current.rotated_at is None
    assert await store.find_refresh_token("rt-2", now=T0 + MINUTE) is None


# -- consents -----------------------------------------------------------------------------------


async def test_consents_are_saved_replaced_found_and_deleted(store: Storage) -> None:
    consent = recorded_consent()
    await store.save_consent(consent)
    assert await store.find_consent("user-1", "client-1", now=T0) == consent
    wider = consent.model_copy(update={"scopes": ("tasks:read", "tasks:write")})
    await store.save_consent(wider)
    assert await store.find_consent("user-1", "client-1", now=T0) == wider
    assert await store.find_consent("user-1", "client-1", now=T0 + 30 * DAY) is None
    assert await store.find_consent("user-2", "client-1", now=T0) is None
    assert await store.delete_consent("user-1", "client-1")
    assert not await store.delete_consent("user-1", "client-1")


# -- sweeping -------------------------------------------------------------------------------------


async def test_sweep_removes_exactly_what_can_no_longer_matter(store: Storage) -> None:
    """checklist G6 and §15: expired rows go; a client with a live grant stays."""
    now = T0 + 2 * DAY
    await store.save_client(registered_client("expired-unused"))
    await store.save_client(registered_client("expired-with-grant"))
    await store.save_client(registered_client("cimd-stale", source="cimd"))
    await store.save_client(registered_client("fresh", expires_at=now + DAY))
    await store.save_pending(pending_authorization("old-state"))
    await store.save_pending(pending_authorization("new-state", ttl=3 * DAY))
    live = approved_grant("live", client_id="expired-with-grant")
    await store.save_grant(live)
    await store.save_code(issued_code("live-code", grant=live, ttl=3 * DAY))
    await store.save_code(issued_code("old-code", grant=live))
    assert await store.redeem_code(
        "live-code",
        now=T0,
        access=access_token("old-at", grant=live),
        refresh=refresh_token("live-rt", grant=live),
    )
    dead = approved_grant("dead")
    await store.save_grant(dead)
    await store.save_code(issued_code("dead-code", grant=dead, ttl=3 * DAY))
    assert await store.redeem_code(
        "dead-code",
        now=T0,
        access=access_token("dead-at", grant=dead, ttl=3 * DAY),
        refresh=refresh_token("dead-rt", grant=dead),
    )
    await store.revoke_grant("dead", now=T0)
    await store.save_consent(recorded_consent())
    await store.save_consent(
        recorded_consent(client_id="short").model_copy(update={"expires_at": T0 + DAY})
    )

    removed = await store.sweep(now=now)

    # expired-unused, cimd-stale, old-state, old-code, old-at, the dead grant, dead-code,
    # dead-at, dead-rt, the short consent
    assert removed == 10
    assert await store.get_client("fresh", now=now) is not None
    assert await store.touch_client("expired-with-grant", now=now, expires_at=now + DAY)
    assert not await store.touch_client("expired-unused", now=now, expires_at=now + DAY)
    assert not await store.touch_client("cimd-stale", now=now, expires_at=now + DAY)
    assert await store.take_pending("new-state", now=now) is not None
    assert await store.find_code("live-code", now=now) is not None
    assert await store.find_refresh_token("live-rt", now=now) is not None
    assert await store.find_consent("user-1", "client-1", now=now) is not None
    assert await store.sweep(now=now) == 0


async def test_ping_answers(store: Storage) -> None:
    await store.ping()
