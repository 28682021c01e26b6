"""The fuzzers run inside the same loopback-only network jail as the attack suite:
generated ``client_id`` values can look like metadata document URLs, and nothing they
trigger may leave this machine. Every ``@given`` sets its own bounded
``max_examples`` and ``deadline=None`` (CI machines are slow and shared)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.netguard import NetworkJail, loopback_only


@pytest.fixture(autouse=True, scope="module")
def jail() -> Iterator[NetworkJail]:
    with loopback_only() as refused:
        yield refused
