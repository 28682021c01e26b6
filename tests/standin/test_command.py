"""``taskmcp taskmanager``: settings, seeding, and a real process (taskmanager-api §7)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from taskmcp.cli import main
from taskmcp.config import ConfigError, StandinSettings
from taskmcp.settings_types import SeedClient, SeedUser
from taskmcp.standin import open_standin_store, seed_store
from taskmcp.standin.passwords import verify_password
from taskmcp.standin.tokens import digest_matches
from tests.standin.conftest import FakeClock

ROOT = Path(__file__).resolve().parents[2]
PLANTED = "planted-client-secret"


def test_defaults_and_environment() -> None:
    defaults = StandinSettings.load({})
    assert (defaults.host, defaults.port, defaults.revision, defaults.db) == (
        "127.0.0.1",
        4321,
        "jan",
        "memory://",
    )
    assert [(u.username, u.password.get_secret_value()) for u in defaults.users] == [
        ("demo", "demo")
    ]
    assert defaults.clients == ()
    environ = {
        "TASKMCP_STANDIN_PORT": "5000",
        "TASKMCP_STANDIN_REVISION": "DEC",
        "TASKMCP_STANDIN_USERS": "a:x b:y:z",
        "TASKMCP_STANDIN_CLIENTS": "c1:s1:http://h:1/cb",
    }
    settings = StandinSettings.load(environ, {"port": "5001"})
    assert (settings.port, settings.revision) == (5001, "dec")
    assert [u.username for u in settings.users] == ["a", "b"]
    assert settings.users[1].password.get_secret_value() == "y:z"
    assert settings.clients[0].redirect_uri == "http://h:1/cb"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"users": ["nocolon"]}, "--user: must be NAME:PASSWORD"),
        ({"users": ["a:1", "a:2"]}, "--user: must not repeat a user name"),
        ({"clients": [f"cid:{PLANTED}"]}, "--client: must be ID:SECRET:REDIRECT_URI"),
        ({"revision": "feb"}, "--revision: must be one of jan, dec"),
        ({"db": "postgres://x"}, "--db: unsupported storage scheme"),
    ],
)
def test_configuration_errors_name_the_flag(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        StandinSettings.load({}, overrides)
    assert str(info.value).startswith(message)
    assert PLANTED not in str(info.value)


def test_a_bad_flag_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["taskmanager", "--client", f"x:{PLANTED}"], environ={}) == 2
    err = capsys.readouterr().err
    assert err == (
        "taskmcp: configuration error: --client: "
        "must be ID:SECRET:REDIRECT_URI (all three non-empty, no spaces)\n"
    )


def test_the_help_says_it_is_a_stand_in(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["taskmanager", "--help"], environ={})
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "DEVELOPMENT STAND-IN" in text
    assert "It is NOT TaskManager" in text
    for flag in ("--host", "--port", "--revision", "--db", "--user", "--client"):
        assert flag in text


async def test_seeding_a_sqlite_file_twice_neither_fails_nor_duplicates(tmp_path: Path) -> None:
    url, now = f"sqlite:///{tmp_path / 'standin.db'}", FakeClock()()
    users = [SeedUser.model_validate({"username": "alice", "password": "pw"})]
    clients = [SeedClient.model_validate(
        {"client_id": "cid", "secret": "one", "redirect_uri": "http://h/cb"}
    )]  # fmt: skip
    async with open_standin_store(url) as store:
        [first] = await seed_store(store, users, clients, now=now)
    changed_users = [SeedUser.model_validate({"username": "alice", "password": "new"})]
    changed_clients = [clients[0].model_copy(update={"secret": SeedClient.model_validate(
        {"client_id": "cid", "secret": "two", "redirect_uri": "http://h/cb"}
    ).secret})]  # fmt: skip
    for _ in range(2):
        async with open_standin_store(url) as store:
            [again] = await seed_store(store, changed_users, changed_clients, now=now)
    async with open_standin_store(url) as store:
        assert again.id == first.id
        alice = await store.users.by_username("alice")
        assert alice is not None
        assert await verify_password(alice.password_hash, "new")
        assert not await verify_password(alice.password_hash, "pw")
        [client] = await store.clients.owned_by(first.id)
        assert client.client_id == "cid"
        assert digest_matches("two", client.secret_hash)


# -- a real process -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _request(
    port: int,
    method: str,
    path: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes] | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    except OSError:
        return None
    finally:
        conn.close()


def _wait_for_login_page(proc: subprocess.Popen[str], port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while (answer := _request(port, "GET", "/login")) is None or answer[0] != 200:
        assert proc.poll() is None, "the stand-in exited before serving"
        assert time.monotonic() < deadline, "the stand-in did not serve /login in time"
        time.sleep(0.1)


def test_the_command_serves_logins_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    args = ["taskmanager", "--port", str(port), "--user", "alice:pw"]
    args += ["--client", "cid:secretsecret1:http://127.0.0.1:9/cb"]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "taskmcp.cli", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            _wait_for_login_page(proc, port, timeout=20)
            body = json.dumps({"username": "alice", "password": "pw"})
            answer = _request(
                port, "POST", "/api/auth/login", body, {"Content-Type": "application/json"}
            )
            assert answer is not None
            status, headers, content = answer
            assert status == 200
            assert json.loads(content) == {
                "data": {"user": {"id": 1, "username": "alice", "email": "alice@example.test"}}
            }
            cookie = headers["Set-Cookie"].split(";")[0]
            listed = _request(port, "GET", "/api/oauth/clients", headers={"Cookie": cookie})
            assert listed is not None
            assert [c["client_id"] for c in json.loads(listed[2])] == ["cid"]
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, stderr
    assert f"listening on http://127.0.0.1:{port}" in stderr
    assert "development stand-in for TaskManager, not TaskManager" in stderr
    assert "Traceback" not in stderr
