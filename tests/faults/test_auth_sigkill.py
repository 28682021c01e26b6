"""SIGKILL the authorization server mid-traffic (oauth-checklist §15, §16 durability).

A real ``taskmcp auth`` process on SQLite serves concurrent registrations, code
redemptions and refresh rotations until it is killed with SIGKILL at a moment when
every kind of write is in flight. Then, before and after a restart on the same file:

* the database is intact (``PRAGMA integrity_check`` is ``ok``, no foreign-key
  violations), so nothing was half-written;
* every acknowledged registration still exists (its ``/authorize`` shows consent);
* every acknowledged token pair still works: the access token introspects active and
  the refresh token refreshes (a rotation the crash made unacknowledged is within the
  30 s grace window, so the client's retry is honoured, not treated as reuse);
* every acknowledged code stays consumed: redeeming it again is ``invalid_grant``.

Writes that were in flight when the process died may or may not have happened; the
test asserts nothing about them. Codes need the browser flow, so they are obtained
through the real pages before the traffic starts.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.faults.services import (
    OAuthDriver,
    Ports,
    auth_service,
    running,
    standin_service,
)

CODES = 24  # redeemed during the traffic, each for its own client
CHAINS = 8  # refresh rotations, one chain per client
REGISTRARS = 4
EXCHANGERS = 2
KILL_AFTER = {"codes": CODES // 2, "clients": 8, "refreshes": 16}
FLOW_CONCURRENCY = 4


@dataclass
class Pending:
    client_id: str
    code: str
    verifier: str


@dataclass
class Ledger:
    """What the server acknowledged before it died."""

    clients: list[str] = field(default_factory=list)
    redeemed: list[tuple[Pending, dict[str, object]]] = field(default_factory=list)
    chains: dict[str, dict[str, object]] = field(default_factory=dict)
    refreshes: int = 0

    def ready_to_kill(self) -> bool:
        return (
            len(self.redeemed) >= KILL_AFTER["codes"]
            and len(self.clients) >= KILL_AFTER["clients"]
            and self.refreshes >= KILL_AFTER["refreshes"]
        )


async def _prepare(driver: OAuthDriver, ledger: Ledger) -> list[Pending]:
    gate = asyncio.Semaphore(FLOW_CONCURRENCY)

    async def chain() -> None:
        async with gate:
            tokens = await driver.tokens("alice")
        ledger.chains[str(tokens["client_id"])] = tokens

    async def pending() -> Pending:
        async with gate:
            client_id = await driver.register("code client")
            code, verifier = await driver.code(client_id, "alice")
        return Pending(client_id, code, verifier)

    await asyncio.gather(*(chain() for _ in range(CHAINS)))
    return list(await asyncio.gather(*(pending() for _ in range(CODES))))


async def _traffic(driver: OAuthDriver, ledger: Ledger, codes: list[Pending]) -> None:
    """Run every kind of write until the server stops answering."""

    async def register() -> None:
        while True:
            ledger.clients.append(await driver.register("registered under load"))

    async def redeem() -> None:
        while codes:
            item = codes.pop()
            status, body = await driver.exchange(item.client_id, item.code, item.verifier)
            assert status == 200, body
            ledger.redeemed.append((item, body))

    async def rotate(client_id: str) -> None:
        while True:
            latest = str(ledger.chains[client_id]["refresh_token"])
            status, body = await driver.refresh(client_id, latest)
            assert status == 200, body
            ledger.chains[client_id] = body
            ledger.refreshes += 1

    async def guarded(work: asyncio.Future[None] | asyncio.Task[None]) -> None:
        try:
            await work
        except (aiohttp.ClientError, TimeoutError):
            return  # the server died under this request: unacknowledged

    workers = [register() for _ in range(REGISTRARS)] + [redeem() for _ in range(EXCHANGERS)]
    workers += [rotate(client_id) for client_id in list(ledger.chains)]
    await asyncio.gather(*(guarded(asyncio.ensure_future(w)) for w in workers))


def _assert_intact(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


async def _shows_consent(http: aiohttp.ClientSession, driver: OAuthDriver, client_id: str) -> bool:
    url = driver.authorize_url(client_id, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    async with http.get(url, allow_redirects=False) as resp:
        return resp.status == 200 and 'name="decision"' in await resp.text()


async def test_every_acknowledged_write_survives_a_sigkill(tmp_path: Path) -> None:
    ports = Ports()
    db = tmp_path / "auth.db"
    auth = auth_service(tmp_path, ports, f"sqlite:///{db}")
    async with (
        running(standin_service(tmp_path, ports, ["alice"]), auth),
        aiohttp.ClientSession() as http,
    ):
        driver = OAuthDriver(http, ports.issuer, ports.mcp)
        ledger = Ledger()
        codes = await _prepare(driver, ledger)
        traffic = asyncio.create_task(_traffic(driver, ledger, codes))
        async with asyncio.timeout(30):
            while not ledger.ready_to_kill():
                assert not traffic.done(), traffic
                await asyncio.sleep(0.002)
        assert codes, "every code was redeemed before the kill"
        assert await auth.kill(signal.SIGKILL) == -signal.SIGKILL
        await asyncio.wait_for(traffic, 30)

        _assert_intact(db)
        await auth.start()
        _assert_intact(db)
        await _assert_acknowledged_state(http, driver, ledger)


async def _assert_acknowledged_state(
    http: aiohttp.ClientSession, driver: OAuthDriver, ledger: Ledger
) -> None:
    for client_id in ledger.clients:
        assert await _shows_consent(http, driver, client_id), client_id
    pairs = [(pending.client_id, tokens) for pending, tokens in ledger.redeemed]
    for client_id, tokens in [*pairs, *ledger.chains.items()]:
        assert (await driver.introspect(str(tokens["access_token"])))["active"] is True
        status, body = await driver.refresh(client_id, str(tokens["refresh_token"]))
        assert status == 200, body
    for pending, _ in ledger.redeemed:
        status, body = await driver.exchange(pending.client_id, pending.code, pending.verifier)
        assert (status, body["error"]) == (400, "invalid_grant")
