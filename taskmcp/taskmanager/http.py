"""The pooled HTTP session used to reach TaskManager, and the one request primitive.

One ``aiohttp.ClientSession`` per process, opened and closed in the owning app's
``cleanup_ctx``. Redirects are never followed: TaskManager answers "not authenticated"
with a 302 to its login page (taskmanager-api §2.5). Every request has explicit
connect and total timeouts, and a response body is read up to ``MAX_BODY`` bytes.

In per-user mode the session keeps **no cookies** (``DummyCookieJar``), so nothing one
user's request receives can ride along on another user's request. Only the service
account mode keeps a cookie jar, holding that one account's session.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass

import aiohttp

from taskmcp import __version__
from taskmcp.taskmanager.errors import UpstreamUnavailableError

__all__ = ["MAX_BODY", "RawResponse", "Timeouts", "open_http", "send"]

MAX_BODY = 8 * 1024 * 1024
USER_AGENT = f"taskmcp/{__version__}"


@dataclass(frozen=True)
class Timeouts:
    connect: float = 3.0
    total: float = 10.0

    def client_timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self.total, connect=self.connect)


@dataclass(frozen=True)
class RawResponse:
    status: int
    body: bytes
    content_type: str
    location: str | None
    retry_after: str | None


@contextlib.asynccontextmanager
async def open_http(
    *,
    keep_cookies: bool = False,
    timeouts: Timeouts | None = None,
    trace_configs: Sequence[aiohttp.TraceConfig] = (),
) -> AsyncIterator[aiohttp.ClientSession]:
    """A pooled session for TaskManager; ``keep_cookies`` only for the service account;
    ``trace_configs`` observe every request (the call metrics)."""
    jar: aiohttp.abc.AbstractCookieJar = (
        aiohttp.CookieJar(unsafe=True) if keep_cookies else aiohttp.DummyCookieJar()
    )
    session = aiohttp.ClientSession(
        timeout=(timeouts or Timeouts()).client_timeout(),
        cookie_jar=jar,
        headers={"User-Agent": USER_AGENT},
        raise_for_status=False,
        trace_configs=list(trace_configs) or None,
    )
    try:
        yield session
    finally:
        await session.close()


async def send(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    json: object = None,
    data: Mapping[str, str] | None = None,
) -> RawResponse:
    """One request, redirects not followed. Transport failures become
    ``UpstreamUnavailableError`` (``aiohttp.ClientConnectionError`` is re-raised for
    callers that may retry idempotent requests)."""
    try:
        async with http.request(
            method,
            url,
            headers=headers,
            params=params,
            json=json,
            data=data,
            allow_redirects=False,
        ) as resp:
            body = await _read_bounded(resp)
            return RawResponse(
                status=resp.status,
                body=body,
                content_type=resp.headers.get("Content-Type", ""),
                location=resp.headers.get("Location"),
                retry_after=resp.headers.get("Retry-After"),
            )
    except TimeoutError as exc:
        raise UpstreamUnavailableError("TaskManager did not answer in time") from exc
    except aiohttp.ClientConnectionError:
        raise
    except aiohttp.ClientError as exc:
        raise UpstreamUnavailableError("TaskManager sent an invalid HTTP response") from exc


async def _read_bounded(resp: aiohttp.ClientResponse) -> bytes:
    data = bytearray()
    async for chunk in resp.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > MAX_BODY:
            raise UpstreamUnavailableError("TaskManager sent an oversized response")
    return bytes(data)
