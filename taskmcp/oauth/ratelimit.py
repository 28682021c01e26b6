"""In-memory rate limits (checklist L1, T3, V4, F2; RFC 7591 §3; OAuth 2.1 §2.4.1) and
the client address they are keyed on (checklist A9; RFC 9700 §4.13).

``RateLimiter`` implements GCRA, the "virtual scheduling" form of a token bucket: each
key holds one float, its *theoretical arrival time* (TAT). A burst of up to ``limit``
requests is allowed, after which requests are admitted at ``limit / window`` per second.
A key whose TAT has passed is indistinguishable from a new one, so it can be dropped;
memory stays bounded by sweeping a few of the least recently used keys on every call
and by a hard cap on the number of keys (evicting the least recently used). State is
per process and lost on restart.

``client_ip`` trusts ``X-Forwarded-For`` only when the direct peer is a trusted proxy,
and then walks the chain from the right, skipping trusted hops: the first untrusted
address is the client. Everything to its left was written by the client and is ignored.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence

from taskmcp.oauth.errors import RateLimited

__all__ = ["IPAddress", "IPNetwork", "RateLimiter", "client_ip", "rate_key"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN_CLIENT = "unknown"
_SWEEP_PER_CALL = 2
_NS = 1_000_000_000


def _ns(seconds: float) -> int:
    return round(seconds * _NS)


class RateLimiter:
    """Per ``(bucket, key)`` limits: at most ``limit`` requests in a burst, refilled over
    ``window`` seconds. ``now`` is any monotonic clock in seconds, passed by the caller."""

    def __init__(self, *, max_keys: int = 100_000) -> None:
        self._max_keys = max_keys
        # TAT in integer nanoseconds, so sums are exact; insertion order = least recent first.
        self._tat: dict[tuple[str, str], int] = {}

    def __len__(self) -> int:
        return len(self._tat)

    def check(self, bucket: str, key: str, *, limit: int, window: float, now: float) -> None:
        """Count one request, or raise ``RateLimited`` (not counted) when over the limit."""
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        now_ns, window_ns = _ns(now), _ns(window)
        interval = max(1, window_ns // limit)  # floor: a burst of ``limit`` always fits
        slot = (bucket, key)
        tat = max(self._tat.pop(slot, now_ns), now_ns)
        self._sweep(now_ns)
        if tat + interval - now_ns > window_ns:
            self._tat[slot] = tat
            raise RateLimited(math.ceil((tat + interval - window_ns - now_ns) / _NS))
        self._tat[slot] = tat + interval

    def retry_after(
        self, bucket: str, key: str, *, limit: int, window: float, now: float
    ) -> int | None:
        """Seconds until ``check`` would admit one more request for ``key``, or ``None``
        when it would admit one now. Counts nothing (a peek before doing the work)."""
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        now_ns, window_ns = _ns(now), _ns(window)
        interval = max(1, window_ns // limit)
        tat = max(self._tat.get((bucket, key), now_ns), now_ns)
        if tat + interval - now_ns > window_ns:
            return max(1, math.ceil((tat + interval - window_ns - now_ns) / _NS))
        return None

    def _sweep(self, now: int) -> None:
        """Drop a few expired least-recently-used keys, and any above the cap."""
        for _ in range(_SWEEP_PER_CALL):
            oldest = next(iter(self._tat), None)
            if oldest is None or self._tat[oldest] > now:
                break
            del self._tat[oldest]
        while len(self._tat) >= self._max_keys:
            del self._tat[next(iter(self._tat))]


def _parse_ip(value: str) -> IPAddress | None:
    """An address, with IPv4-mapped IPv6 (``::ffff:10.0.0.1``) unwrapped to IPv4."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, proxies: Sequence[IPNetwork]) -> bool:
    return any(address in network for network in proxies)


def client_ip(
    remote: str | None,
    forwarded_for: str | None,
    trusted_proxies: Sequence[IPNetwork],
) -> str:
    """The client address to key limits on (checklist A9).

    ``remote`` is the direct peer (``request.remote``); ``forwarded_for`` is every
    ``X-Forwarded-For`` header joined with ``,`` in order. A peer that is not an IP
    address (e.g. a Unix socket) is never trusted: the result is ``"unknown"``. An
    unparseable hop written by a trusted proxy stops the walk at that proxy (fail closed:
    such clients share one key).
    """
    peer = _parse_ip(remote) if remote else None
    if peer is None:
        return UNKNOWN_CLIENT
    if not forwarded_for or not _trusted(peer, trusted_proxies):
        return str(peer)
    current = peer
    for hop in reversed(forwarded_for.split(",")):
        address = _parse_ip(hop)
        if address is None:
            return str(current)
        current = address
        if not _trusted(address, trusted_proxies):
            break
    return str(current)


def rate_key(address: str) -> str:
    """The limit key for a client address: IPv6 clients are grouped by /64, because one
    host usually controls a whole /64 and could otherwise rotate past any per-IP limit."""
    parsed = _parse_ip(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return address
