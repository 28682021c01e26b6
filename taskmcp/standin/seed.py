"""Accounts and OAuth clients from the command line, written idempotently.

Restarting with the same SQLite file and the same ``--user``/``--client`` flags
neither fails nor duplicates: an existing user gets the given password, an existing
client id is reset to the given secret and redirect URI. Seeded clients belong to the
first user and are confidential, with grant types ``authorization_code`` and
``refresh_token`` and scopes ``read write``; their secrets skip the registration
rules of §3.2, since they are configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from taskmcp.settings_types import SeedClient, SeedUser
from taskmcp.standin.clock import iso_ms
from taskmcp.standin.passwords import hash_password
from taskmcp.standin.store import ClientSpec, StandinStore, User
from taskmcp.standin.tokens import digest

__all__ = ["SEEDED_GRANT_TYPES", "SEEDED_SCOPES", "seed_store"]

SEEDED_GRANT_TYPES = ("authorization_code", "refresh_token")
SEEDED_SCOPES = ("read", "write")


def email_for(username: str) -> str:
    return username if "@" in username else f"{username}@example.test"


async def _seed_user(store: StandinStore, user: SeedUser, now: str) -> User:
    password_hash = await hash_password(user.password.get_secret_value())
    return await store.users.upsert(user.username, email_for(user.username), password_hash, now=now)


async def seed_store(
    store: StandinStore,
    users: Sequence[SeedUser],
    clients: Sequence[SeedClient],
    *,
    now: datetime,
) -> list[User]:
    """Write ``users`` then ``clients`` (owned by the first user); returns the users."""
    stamp = iso_ms(now)
    accounts = [await _seed_user(store, user, stamp) for user in users]
    for client in clients:
        spec = ClientSpec(
            name=client.client_id,
            redirect_uris=(client.redirect_uri,),
            grant_types=SEEDED_GRANT_TYPES,
            scopes=SEEDED_SCOPES,
        )
        secret_hash = digest(client.secret.get_secret_value())
        owner = accounts[0].id
        await store.clients.seed(
            spec, client_id=client.client_id, secret_hash=secret_hash, user_id=owner, now=stamp
        )
    return accounts
