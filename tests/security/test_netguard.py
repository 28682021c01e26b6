"""The network jail itself (``netguard.py``): the suites' "no outbound connection"
assertions are only as good as it is. Each check first asserts that the patch is in
place, so that a broken jail fails here without ever sending a packet."""

from __future__ import annotations

import asyncio
import socket

import pytest

from tests.security.netguard import NetworkJail, loopback_only

ORIGINAL_CONNECT = socket.socket.connect


def test_the_block_restores_what_was_there() -> None:
    before = socket.socket.connect
    with loopback_only():
        assert socket.socket.connect is not before
    assert socket.socket.connect is before


def test_connections_off_loopback_are_refused_and_recorded(jail: NetworkJail) -> None:
    assert socket.socket.connect is not ORIGINAL_CONNECT  # the jail is on
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(OSError, match="network jail"),
    ):
        sock.connect(("198.51.100.7", 443))
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
        assert sock.connect_ex(("2001:db8::1", 443, 0, 0)) != 0
    assert jail.connections == [("198.51.100.7", 443), ("2001:db8::1", 443)]
    jail.connections.clear()


def test_lookups_that_need_dns_are_refused_but_numeric_and_local_ones_work(
    jail: NetworkJail,
) -> None:
    assert socket.getaddrinfo("localhost", 80)
    assert socket.getaddrinfo("127.1", 80)[0][4][0] == "127.0.0.1"
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("metadata.google.internal", 80)
    assert jail.lookups == ["metadata.google.internal"]
    jail.lookups.clear()


async def test_loopback_traffic_still_flows(jail: NetworkJail) -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.read(5))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"hello")
        assert await reader.read(5) == b"hello"
        writer.close()
        await writer.wait_closed()
    finally:
        server.close()
        await server.wait_closed()
    assert not jail.refused_anything()
