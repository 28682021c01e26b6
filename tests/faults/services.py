"""Real taskmcp services as subprocesses, for the fault and soak tests.

Each service is ``python -m taskmcp.cli auth|resource|taskmanager`` on its own free
127.0.0.1 port, with an environment stripped of every ``TASKMCP_*``, ``MCP_*`` and
``TASKMANAGER_*`` variable of the developer's shell, a working directory without a
``.env``, and its output in a log file (shown when a test fails). ``/proc`` gives the
soak its readings: resident memory and open file descriptors.

``OAuthDriver`` obtains real tokens from the authorization server the way a client
does: dynamic registration, the browser flow through our consent page and the
stand-in's login and consent pages (``tests.support.browser``), then ``/token``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from tests.support.browser import Browser, Page, query_of
from tests.support.stack import free_port, pkce_pair

__all__ = [
    "CLIENT_REDIRECT",
    "OAuthDriver",
    "Ports",
    "Service",
    "auth_service",
    "clean_environ",
    "resource_service",
    "running",
    "standin_service",
]

UPSTREAM_SECRET = "brooks-upstream-secret-0123456789"
RS_CLIENT_ID, RS_SECRET = "taskmcp-resource", "resource-server-secret-0123456789abc"
SECRET_KEY = "fault-tests-secret-key-0123456789-abcdefghij"
CLIENT_REDIRECT = "http://127.0.0.1:9/cb"
PASSWORD = "pw"
OUR_PREFIXES = ("TASKMCP_", "MCP_", "TASKMANAGER_")
HIGH_LIMITS = {  # the fault tests register and exchange far faster than a person
    "TASKMCP_REGISTER_RATE_LIMIT": "100000",
    "TASKMCP_TOKEN_RATE_LIMIT": "100000",
    "TASKMCP_AUTHORIZE_RATE_LIMIT": "100000",
}


def clean_environ(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(OUR_PREFIXES)}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


@dataclass(frozen=True)
class Ports:
    taskmanager: int = field(default_factory=free_port)
    auth: int = field(default_factory=free_port)
    resource: int = field(default_factory=free_port)

    def url(self, port: int) -> str:
        return f"http://127.0.0.1:{port}"

    @property
    def issuer(self) -> str:
        return self.url(self.auth)

    @property
    def mcp(self) -> str:
        return f"{self.url(self.resource)}/mcp"


@dataclass
class Service:
    name: str
    args: Sequence[str]
    env: Mapping[str, str]
    port: int
    workdir: Path
    proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    @property
    def pid(self) -> int:
        assert self.proc is not None, f"{self.name} is not running"
        return self.proc.pid

    async def start(self, *, within: float = 30.0) -> None:
        """Spawn the process and wait (up to ``within`` s) until ``/healthz`` answers 200."""
        with self.log_path.open("ab") as log:
            command = [sys.executable, "-m", "taskmcp.cli", *self.args]
            self.proc = await asyncio.create_subprocess_exec(
                *command, cwd=self.workdir, env=dict(self.env), stdout=log, stderr=log
            )
        await self._wait_healthy(within)

    async def _wait_healthy(self, within: float) -> None:
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.returncode is not None:
                    raise AssertionError(f"{self.name} exited:\n{self.log_tail()}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{self.url}/healthz") as resp:
                        if resp.status == 200:
                            return
                await asyncio.sleep(0.05)
        raise AssertionError(f"{self.name} did not become healthy:\n{self.log_tail()}")

    async def kill(self, sig: int = signal.SIGKILL) -> int:
        """Send ``sig`` and wait for the exit; returns the exit status."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        status = await self.proc.wait()
        self.proc = None
        return status

    async def stop(self, *, grace: float = 15.0) -> None:
        """SIGTERM, then SIGKILL if it has not stopped within ``grace`` seconds."""
        proc = self.proc
        if proc is None:
            return
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), grace)
            except TimeoutError:
                proc.kill()
        await proc.wait()
        self.proc = None

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS line")

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def standin_service(workdir: Path, ports: Ports, users: Sequence[str]) -> Service:
    callback = f"{ports.issuer}/oauth/callback"
    env = clean_environ(
        TASKMCP_STANDIN_USERS=" ".join(f"{user}:{PASSWORD}" for user in users),
        TASKMCP_LOG_LEVEL="warning",
    )
    args = ["taskmanager", "--port", str(ports.taskmanager)]
    args += ["--client", f"brooks:{UPSTREAM_SECRET}:{callback}"]
    return Service("taskmanager", args, env, ports.taskmanager, workdir)


def _shared(ports: Ports) -> dict[str, str]:
    return {
        "MCP_AUTH_SERVER_PUBLIC_URL": ports.issuer,
        "MCP_SERVER_URL": ports.url(ports.resource),
        "TASKMANAGER_OAUTH_HOST": ports.url(ports.taskmanager),
        "TASKMCP_INTROSPECTION_CLIENT_ID": RS_CLIENT_ID,
        "TASKMCP_INTROSPECTION_CLIENT_SECRET": RS_SECRET,
        "TASKMCP_LOG_LEVEL": "warning",
    }


def auth_service(workdir: Path, ports: Ports, storage_url: str, **environ: str) -> Service:
    env = clean_environ(
        **_shared(ports),
        **HIGH_LIMITS,
        TASKMANAGER_CLIENT_SECRET=UPSTREAM_SECRET,
        TASKMCP_SECRET_KEY=SECRET_KEY,
        TASKMCP_DATA_DIR=str(workdir),
        **environ,
    )
    args = ["auth", "--port", str(ports.auth), "--storage-url", storage_url]
    return Service("auth", args, env, ports.auth, workdir)


def resource_service(workdir: Path, ports: Ports, **environ: str) -> Service:
    env = clean_environ(**_shared(ports), MCP_AUTH_SERVER=ports.issuer, **environ)
    args = ["resource", "--port", str(ports.resource)]
    return Service("resource", args, env, ports.resource, workdir)


@contextlib.asynccontextmanager
async def running(*services: Service) -> AsyncIterator[None]:
    """Start ``services`` in order; stop them all (in reverse) on the way out, printing
    their logs' tails if the block failed."""
    started: list[Service] = []
    try:
        for service in services:
            started.append(service)
            await service.start()
        yield
    except BaseException:
        for service in started:
            print(f"--- {service.name} log ---\n{service.log_tail()}", file=sys.stderr)
        raise
    finally:
        for service in reversed(started):
            await service.stop()


@dataclass
class OAuthDriver:
    """A client of the authorization server (public clients, PKCE, the real pages)."""

    http: aiohttp.ClientSession
    issuer: str
    resource: str

    async def register(self, name: str = "fault client") -> str:
        body = {
            "client_name": name,
            "redirect_uris": [CLIENT_REDIRECT],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
        }
        async with self.http.post(f"{self.issuer}/register", json=body) as resp:
            assert resp.status == 201, await resp.text()
            client_id: str = (await resp.json())["client_id"]
            return client_id

    def authorize_url(self, client_id: str, challenge: str) -> str:
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": CLIENT_REDIRECT,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "st",
            "resource": self.resource,
        }
        return f"{self.issuer}/authorize?{urlencode(query)}"

    async def code(self, client_id: str, user: str) -> tuple[str, str]:
        """Our consent, the stand-in's login and consent, our callback: (code, verifier)."""
        verifier, challenge = pkce_pair()
        browser = Browser()
        try:
            page = await browser.get(self.authorize_url(client_id, challenge))
            assert page.status == 200, page.text
            page = await browser.submit(page, page.forms()[0], decision="allow")
            while page.location and not page.location.startswith(CLIENT_REDIRECT):
                page = await self._step(browser, page, user)
        finally:
            await browser.close()
        assert page.location is not None, page.text
        return query_of(page.location)["code"], verifier

    async def _step(self, browser: Browser, page: Page, user: str) -> Page:
        assert page.location is not None
        page = await browser.get(page.location)
        if page.status != 200:  # a redirect (to the login page, or on to our callback)
            return page
        form = page.forms()[0]
        if "password" in form.fields:
            return await browser.submit(page, form, username=user, password=PASSWORD)
        return await browser.submit(page, form, action="allow")

    async def token(self, form: Mapping[str, str]) -> tuple[int, dict[str, object]]:
        async with self.http.post(f"{self.issuer}/token", data=form) as resp:
            return resp.status, await resp.json()

    async def exchange(
        self, client_id: str, code: str, verifier: str
    ) -> tuple[int, dict[str, object]]:
        form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier}
        form |= {"redirect_uri": CLIENT_REDIRECT, "client_id": client_id}
        return await self.token({**form, "resource": self.resource})

    async def refresh(self, client_id: str, refresh_token: str) -> tuple[int, dict[str, object]]:
        return await self.token(
            {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
        )

    async def tokens(self, user: str) -> dict[str, object]:
        client_id = await self.register(f"client of {user}")
        code, verifier = await self.code(client_id, user)
        status, body = await self.exchange(client_id, code, verifier)
        assert status == 200, body
        return {**body, "client_id": client_id}

    async def introspect(self, token: str) -> dict[str, object]:
        basic = base64.b64encode(f"{RS_CLIENT_ID}:{RS_SECRET}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}"}
        async with self.http.post(
            f"{self.issuer}/introspect", data={"token": token}, headers=headers
        ) as resp:
            assert resp.status == 200, await resp.text()
            body: dict[str, object] = await resp.json()
            return body
