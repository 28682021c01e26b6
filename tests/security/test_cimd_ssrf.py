"""SSRF through Client ID Metadata Documents, end to end at ``/authorize``
(oauth-checklist F2-F4; RFC 9728 §7.7; MCP SBP "SSRF").

``tests/oauth/test_cimd.py`` covers the fetcher and resolver one by one (private
ranges, DNS names resolving to private addresses through a stub resolver, redirects,
sizes, rebinding). Here a browser sends ``/authorize`` a ``client_id`` naming an
internal address: the answer is the "Unknown application" page, no ``Location``, and
not one TCP connection is attempted, neither to a listener we run on the named
loopback port nor (per the network jail) to anything off this machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest

from tests.security.netguard import NetworkJail
from tests.security.support import open_page, parse_html
from tests.support.stack import CLIENT_REDIRECT, Stack, free_port, pkce_pair

NOT_PUBLIC = "client_id host is not a public address"


@pytest.fixture
async def listener() -> AsyncIterator[tuple[int, list[str]]]:
    """A TCP listener on 127.0.0.1 that records every connection it accepts."""
    accepted: list[str] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(str(writer.get_extra_info("peername")))
        writer.close()

    port = free_port()
    server = await asyncio.start_server(accept, "127.0.0.1", port)
    try:
        yield port, accepted
    finally:
        server.close()
        await server.wait_closed()


def _authorize(stack: Stack, client_id: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CLIENT_REDIRECT,
        "code_challenge": pkce_pair()[1],
        "code_challenge_method": "S256",
        "state": "s",
    }
    return f"{stack.issuer}/authorize?{urlencode(query)}"


CLIENT_IDS = [
    "https://127.0.0.1:{port}/client.json",
    "https://localhost:{port}/client.json",  # a DNS name resolving to loopback
    "https://[::1]:{port}/client.json",
    "https://[::ffff:127.0.0.1]:{port}/client.json",  # IPv4-mapped IPv6
    "https://0.0.0.0:{port}/client.json",
    "https://0x7f000001:{port}/client.json",  # hex: resolved numerically, then refused
    "https://169.254.169.254/latest/meta-data/client.json",  # cloud metadata
    "https://[::ffff:169.254.169.254]/client.json",
    "https://[fd00:ec2::254]/client.json",
    "https://10.0.0.1/client.json",
    "https://192.168.1.1:8443/client.json",
    "https://172.16.0.1/client.json",
    "https://100.64.0.1/client.json",
    "https://[fe80::1]/client.json",
]


# Non-canonical IPv4 spellings are refused by aiohttp's URL check before any lookup.
NON_CANONICAL = [
    "https://127.1:{port}/client.json",
    "https://2130706433:{port}/client.json",  # 127.0.0.1 as one decimal number
]


@pytest.mark.parametrize(
    ("template", "message"),
    [(t, NOT_PUBLIC) for t in CLIENT_IDS]
    + [(t, "could not fetch the client metadata document") for t in NON_CANONICAL],
)
async def test_an_internal_client_id_is_an_error_page_without_any_connection(
    stack: Stack, jail: NetworkJail, listener: tuple[int, list[str]], template: str, message: str
) -> None:
    port, accepted = listener
    client_id = template.format(port=port)
    for _ in range(2):  # errors are never cached: the second try is refused the same way
        page = await open_page(_authorize(stack, client_id))
        assert page.status == 400
        assert "Location" not in page.headers
        texts = parse_html(page.text).text
        assert texts[texts.index("Unknown application") + 1] == message
    await asyncio.sleep(0.05)  # a connection in flight would have been accepted by now
    assert accepted == []
    assert jail.connections == []
    assert jail.lookups == []
    assert await stack.storage.get_client(client_id, now=stack.clock()) is None
