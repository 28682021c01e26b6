"""What only the SQLite backend must prove: durability, crash safety, migrations."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from taskmcp.storage import (
    StorageConfigError,
    StorageUnavailableError,
    open_storage,
    parse_storage_url,
)
from tests.records import (
    T0,
    access_token,
    approved_grant,
    issued_code,
    pending_authorization,
    recorded_consent,
    refresh_token,
    registered_client,
)

REPO = Path(__file__).resolve().parent.parent


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


async def test_everything_survives_close_and_reopen(tmp_path: Path) -> None:
    db = tmp_path / "auth.db"
    grant = approved_grant()
    async with open_storage(_url(db)) as store:
        await store.save_client(registered_client())
        await store.save_pending(pending_authorization())
        await store.save_grant(grant)
        await store.save_code(issued_code())
        assert await store.redeem_code(
            "code-1", now=T0, access=access_token("at-1"), refresh=refresh_token("rt-1")
        )
        await store.save_consent(recorded_consent())
        await store.revoke_access_token("at-1", now=T0)
    async with open_storage(_url(db)) as store:
        assert await store.get_client("client-1", now=T0) == registered_client()
        taken = await store.take_pending("state-1", now=T0)
        assert taken == pending_authorization().model_copy(update={"consumed_at": T0})
        assert await store.get_grant("grant-1", now=T0) == grant
        code = await store.find_code("code-1", now=T0)
        assert code is not None
        assert code.consumed_at == T0
        assert await store.find_access_token("at-1", now=T0) is None
        assert await store.find_refresh_token("rt-1", now=T0) == refresh_token("rt-1")
        assert await store.find_consent("user-1", "client-1", now=T0) == recorded_consent()


async def test_the_database_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "dir" / "auth.db"
    async with open_storage(_url(db)) as store:
        await store.ping()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]


async def test_migrations_run_once(tmp_path: Path) -> None:
    db = tmp_path / "auth.db"
    for _ in range(3):
        async with open_storage(_url(db)) as store:
            await store.save_client(registered_client(f"c{_}"))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM clients").fetchone()[0] == 3


async def test_an_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageUnavailableError, match="cannot create SQLite database"):
        async with open_storage(_url(blocker / "auth.db")):
            pass


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgres://u:hunter2@db/x", "unsupported storage scheme 'postgres'"),
        ("sqlite://relative.db", "malformed sqlite URL"),
        ("sqlite:///", "malformed sqlite URL"),
        ("memory://x", "memory:// takes no path"),
        ("auth.db", "not a storage URL"),
    ],
)
def test_bad_storage_urls_are_rejected_without_echoing_them(url: str, message: str) -> None:
    with pytest.raises(StorageConfigError, match=message) as info:
        parse_storage_url(url)
    assert "hunter2" not in str(info.value)


def test_sqlite_urls_follow_the_three_or_four_slash_convention() -> None:
    assert parse_storage_url("sqlite:///data/auth.db") == Path("data/auth.db")
    assert parse_storage_url("sqlite:////var/lib/taskmcp/auth.db") == Path(
        "/var/lib/taskmcp/auth.db"
    )
    assert parse_storage_url("memory://") is None


async def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    """A writer killed with SIGKILL mid-stream loses no acknowledged write and leaves an
    intact database (oauth-checklist §15, §16 durability)."""
    db = tmp_path / "crash.db"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.sqlite_writer",
        _url(db),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    acked: list[int] = []
    try:
        assert proc.stdout is not None
        while len(acked) < 40:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
            assert line, "writer exited early"
            acked.append(int(line.split()[1]))
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    async with open_storage(_url(db)) as store:
        for i in acked:
            assert await store.get_client(f"c{i}", now=T0) is not None
            code = await store.find_code(f"code{i}", now=T0)
            assert code is not None
            assert code.consumed_at is not None
            assert await store.find_access_token(f"a{i}", now=T0) is not None
            rotated = await store.find_refresh_token(f"r{i}", now=T0)
            assert rotated is not None
            assert rotated.rotated_at is not None
            assert await store.find_refresh_token(f"r{i}b", now=T0) is not None
