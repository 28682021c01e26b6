"""Outbound requests to addresses chosen by clients, without SSRF (checklist F3, F4;
RFC 9728 §7.7; MCP Security Best Practices "SSRF").

``open_guarded_session`` builds an aiohttp session whose ``TCPConnector`` resolves
through ``GuardedResolver``: every address a name resolves to must be globally routable
(``is_public_address``) or the lookup fails, and aiohttp connects to the vetted
address while keeping the original Host header and SNI, so DNS rebinding cannot swap
it. aiohttp never asks the resolver about IP-literal hosts, so a trace hook refuses
non-public literals before the request starts. ``allow_private=True`` (development
only) turns the guard off so that documents on 127.0.0.1 can be used.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = [
    "BlockedAddressError",
    "GuardedResolver",
    "is_ip_literal",
    "is_public_address",
    "open_guarded_session",
]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses a 6to4 or Teredo address routes to."""
    embedded = [address.sixtofour, *(address.teredo or ())]
    return [ipv4 for ipv4 in embedded if ipv4 is not None]


def _is_global(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """``is_global`` alone lets multicast and (on 3.11) IPv6 ``::/8`` through, which
    includes IPv4-compatible and NAT64 (``64:ff9b::/96``) addresses: refuse those too."""
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
    )


def is_public_address(address: str) -> bool:
    """Whether a literal address is globally routable (F4); anything unparseable is not."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:10.0.0.1 is 10.0.0.1
            return _is_global(parsed.ipv4_mapped)
        if not all(_is_global(ipv4) for ipv4 in _embedded_ipv4(parsed)):
            return False
    return _is_global(parsed)


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class BlockedAddressError(OSError):
    """A host is, or resolves to, an address that is not globally routable."""


class GuardedResolver(AbstractResolver):
    """Resolves with ``inner`` and refuses the whole answer when any address is not
    public, so that the connector only ever connects to vetted addresses (F3)."""

    def __init__(self, inner: AbstractResolver) -> None:
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if not results or not all(is_public_address(result["host"]) for result in results):
            raise BlockedAddressError(f"{host} resolves to a non-public address")
        return results

    async def close(self) -> None:
        await self._inner.close()


async def _refuse_private_literal(
    _session: aiohttp.ClientSession,
    _context: SimpleNamespace,
    params: aiohttp.TraceRequestStartParams,
) -> None:
    """The connector never asks the resolver about IP literals, so check them here."""
    host = params.url.host
    if host is not None and is_ip_literal(host) and not is_public_address(host):
        raise BlockedAddressError(f"{host} is not a public address")


@asynccontextmanager
async def open_guarded_session(
    allow_private: bool = False, *, ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[aiohttp.ClientSession]:
    """A session for fetching client-chosen URLs: SSRF-guarded unless
    ``allow_private``; no cookies, no proxies from the environment, no decompression.
    ``ssl_context`` replaces the system trust store (tests use a private CA)."""
    resolver: AbstractResolver = aiohttp.ThreadedResolver()
    traces: list[aiohttp.TraceConfig] = []
    if not allow_private:
        resolver = GuardedResolver(resolver)
        trace = aiohttp.TraceConfig()
        trace.on_request_start.append(_refuse_private_literal)
        traces.append(trace)
    connector = aiohttp.TCPConnector(resolver=resolver, ssl=ssl_context or True, limit=20)
    session = aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
        auto_decompress=False,
        trace_configs=traces,
        timeout=aiohttp.ClientTimeout(total=10),
        headers={"User-Agent": "taskmcp/1"},
    )
    try:
        yield session
    finally:
        await session.close()
        await resolver.close()
