"""Subprocess for the crash test: performs acknowledged writes until it is killed.

For each i it registers a client, saves a grant and a code, redeems the code for a
token pair and rotates the refresh token, then prints ``ack i`` (flushed). A line is
printed only after every write of that round has returned, i.e. was committed.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from taskmcp.storage import open_storage
from tests.records import (
    T0,
    access_token,
    approved_grant,
    issued_code,
    refresh_token,
    registered_client,
)


async def write_forever(url: str) -> None:
    async with open_storage(url) as store:
        i = 0
        while True:
            grant = approved_grant(f"g{i}", client_id=f"c{i}")
            await store.save_client(registered_client(f"c{i}"))
            await store.save_grant(grant)
            await store.save_code(issued_code(f"code{i}", grant=grant))
            await store.redeem_code(
                f"code{i}",
                now=T0,
                access=access_token(f"a{i}", grant=grant),
                refresh=refresh_token(f"r{i}", grant=grant),
            )
            await store.rotate_refresh_token(
                f"r{i}",
                now=T0,
                grace=timedelta(seconds=30),
                access=access_token(f"a{i}b", grant=grant),
                refresh=refresh_token(f"r{i}b", grant=grant, parent_hash=f"r{i}"),
            )
            print(f"ack {i}", flush=True)
            i += 1


if __name__ == "__main__":
    asyncio.run(write_forever(sys.argv[1]))
