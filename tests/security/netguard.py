"""A network jail for the attack and fuzz suites: nothing they start may leave this
machine.

The attack suite points the authorization server at hostile addresses on purpose
(``169.254.169.254``, private ranges, names that resolve anywhere), and the fuzzers
generate ``client_id`` values that may look like metadata document URLs. The server's
own SSRF guard must refuse all of them; this jail makes sure that a regression in that
guard is a failed assertion here and never a packet on the network. Every connection
attempt to a non-loopback address and every name lookup that would need DNS (anything
but ``localhost`` and numeric addresses) is refused (``OSError`` / ``gaierror``) and
recorded, so tests can also assert that none happened.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

__all__ = ["NetworkJail", "loopback_only"]

_LOCAL_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})


def _is_loopback_literal(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_loopback


@dataclass
class NetworkJail:
    """What the jail refused: ``(host, port)`` connection attempts and looked-up names."""

    connections: list[tuple[str, int]] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)

    def refused_anything(self) -> bool:
        return bool(self.connections or self.lookups)


@contextlib.contextmanager
def loopback_only() -> Iterator[NetworkJail]:
    """Patch ``socket`` so that only loopback traffic is possible inside the block."""
    jail = NetworkJail()
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def _allowed(sock: socket.socket, address: Any) -> bool:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return True
        host, port = str(address[0]), int(address[1])
        if _is_loopback_literal(host):
            return True
        jail.connections.append((host, port))
        return False

    def connect(sock: socket.socket, address: Any) -> None:
        if not _allowed(sock, address):
            raise OSError(errno.ENETUNREACH, "refused by the test network jail")
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        if not _allowed(sock, address):
            return errno.ENETUNREACH
        return real_connect_ex(sock, address)

    def getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or name.lower() in _LOCAL_NAMES:
            return real_getaddrinfo(host, port, family, type, proto, flags)
        try:  # numeric forms ("127.1", "2130706433", "::ffff:a00:1") need no DNS
            return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        except socket.gaierror:
            jail.lookups.append(name)
            raise socket.gaierror(socket.EAI_NONAME, "refused by the test network jail") from None

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket.socket, "connect_ex", connect_ex)
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        yield jail
