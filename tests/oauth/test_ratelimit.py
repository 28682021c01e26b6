"""Rate limits (oauth-checklist L1, T3; RFC 7591 §3) and the client address behind a
proxy (checklist A9; RFC 9700 §4.13)."""

from __future__ import annotations

import ipaddress

import pytest

from taskmcp.oauth.errors import RateLimited
from taskmcp.oauth.ratelimit import IPNetwork, RateLimiter, client_ip, rate_key

PROXIES: list[IPNetwork] = [
    ipaddress.ip_network("10.0.0.0/8"),
    ipaddress.ip_network("fd00::/8"),
]


def _hit(limiter: RateLimiter, n: int, *, now: float, key: str = "203.0.113.7") -> None:
    for _ in range(n):
        limiter.check("register", key, limit=20, window=3600, now=now)


# -- RateLimiter ----------------------------------------------------------------------


def test_the_21st_registration_within_an_hour_is_refused_with_retry_after() -> None:
    """Checklist §16: the 21st registration within an hour gets 429 + Retry-After."""
    limiter = RateLimiter()
    _hit(limiter, 20, now=1000.0)
    with pytest.raises(RateLimited) as info:
        _hit(limiter, 1, now=1000.0)
    assert info.value.status == 429
    assert info.value.retry_after == 180  # one slot refills every 3600 / 20 seconds


def test_a_refused_request_is_not_counted() -> None:
    limiter = RateLimiter()
    _hit(limiter, 20, now=0.0)
    for _ in range(5):
        with pytest.raises(RateLimited):
            _hit(limiter, 1, now=0.0)
    _hit(limiter, 1, now=180.0)


def test_capacity_returns_at_the_configured_rate() -> None:
    limiter = RateLimiter()
    _hit(limiter, 20, now=0.0)
    with pytest.raises(RateLimited) as info:
        _hit(limiter, 1, now=179.5)
    assert info.value.retry_after == 1
    _hit(limiter, 1, now=180.0)
    _hit(limiter, 20, now=180.0 + 3600.0)


def test_a_burst_of_exactly_the_limit_fits_despite_awkward_fractions() -> None:
    limiter = RateLimiter()
    for _ in range(7):
        limiter.check("b", "k", limit=7, window=0.3, now=1_700_000_000.123)
    with pytest.raises(RateLimited):
        limiter.check("b", "k", limit=7, window=0.3, now=1_700_000_000.123)


def test_buckets_and_keys_are_independent() -> None:
    limiter = RateLimiter()
    _hit(limiter, 20, now=0.0, key="a")
    _hit(limiter, 20, now=0.0, key="b")
    limiter.check("token", "a", limit=1, window=60, now=0.0)
    with pytest.raises(RateLimited):
        _hit(limiter, 1, now=0.0, key="a")


def test_memory_is_bounded_by_pruning_idle_keys() -> None:
    limiter = RateLimiter()
    for i in range(1000):
        limiter.check("authorize", f"ip{i}", limit=100, window=900, now=float(i))
    # every key's slot has refilled by now; each new call sweeps two of them
    for i in range(1000):
        limiter.check("other", f"late{i % 3}", limit=1000, window=1, now=5000.0 + i)
    assert len(limiter) <= 3


def test_memory_is_bounded_by_the_key_cap_under_a_flood() -> None:
    limiter = RateLimiter(max_keys=50)
    for i in range(10_000):
        limiter.check("register", f"ip{i}", limit=20, window=3600, now=0.0)
    assert len(limiter) <= 50


def test_nonsense_limits_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="limit"):
        RateLimiter().check("b", "k", limit=0, window=1, now=0.0)


# -- client_ip ------------------------------------------------------------------------


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored() -> None:
    """A9: a client cannot pick its own rate-limit key by spoofing the header."""
    assert client_ip("203.0.113.7", "198.51.100.1", PROXIES) == "203.0.113.7"
    assert client_ip("203.0.113.7", "10.0.0.1, 1.2.3.4", PROXIES) == "203.0.113.7"


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_ip("10.1.2.3", "198.51.100.1", []) == "10.1.2.3"


def test_a_trusted_proxy_names_the_client() -> None:
    assert client_ip("10.0.0.5", "198.51.100.1", PROXIES) == "198.51.100.1"


def test_the_chain_is_walked_from_the_right_skipping_trusted_hops() -> None:
    """Everything left of the first untrusted hop was written by the client."""
    chain = "6.6.6.6, 198.51.100.1, 10.0.0.9, 10.0.0.8"
    assert client_ip("10.0.0.5", chain, PROXIES) == "198.51.100.1"


def test_a_chain_of_only_trusted_hops_yields_the_leftmost() -> None:
    assert client_ip("10.0.0.5", "10.9.9.9, 10.0.0.8", PROXIES) == "10.9.9.9"


def test_a_trusted_proxy_without_the_header_is_itself_the_client() -> None:
    assert client_ip("10.0.0.5", None, PROXIES) == "10.0.0.5"
    assert client_ip("10.0.0.5", "", PROXIES) == "10.0.0.5"


def test_an_unparseable_hop_stops_the_walk_at_the_trusted_proxy() -> None:
    assert client_ip("10.0.0.5", "198.51.100.1, unknown", PROXIES) == "10.0.0.5"
    assert client_ip("10.0.0.5", "198.51.100.1, garbage, 10.0.0.8", PROXIES) == "10.0.0.8"


def test_ipv4_mapped_peers_are_unwrapped_before_the_trust_check() -> None:
    assert client_ip("::ffff:10.0.0.5", "198.51.100.1", PROXIES) == "198.51.100.1"
    assert client_ip("::ffff:203.0.113.7", None, PROXIES) == "203.0.113.7"


def test_ipv6_proxies_and_clients_work() -> None:
    assert client_ip("fd00::1", "2001:db8::7", PROXIES) == "2001:db8::7"


@pytest.mark.parametrize("remote", [None, "", "unix-socket"])
def test_a_peer_that_is_not_an_address_is_never_trusted(remote: str | None) -> None:
    assert client_ip(remote, "198.51.100.1", PROXIES) == "unknown"


def test_ipv6_clients_share_a_key_per_64() -> None:
    assert rate_key("2001:db8:1:2:aaaa::1") == rate_key("2001:db8:1:2:bbbb::2")
    assert rate_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert rate_key("2001:db8:1:3::1") != rate_key("2001:db8:1:2::1")
    assert rate_key("203.0.113.7") == "203.0.113.7"
    assert rate_key("unknown") == "unknown"
