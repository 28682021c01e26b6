"""Secrets at rest: keyed hashes and sealed upstream tokens (oauth-checklist S1-S4)."""

from __future__ import annotations

import pytest

from taskmcp.crypto import Sealer, SealError, TokenHasher, new_token

KEY = b"k" * 32
OTHER_KEY = b"o" * 32


def test_new_tokens_carry_256_bits_and_do_not_repeat() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(t) == 43 for t in tokens)


def test_token_hashes_are_keyed_stable_and_verifiable() -> None:
    hasher = TokenHasher(KEY)
    digest = hasher.hash("token")
    assert digest == TokenHasher(KEY).hash("token")
    assert digest != TokenHasher(OTHER_KEY).hash("token")
    assert "token" not in digest
    assert len(digest) == 64
    assert hasher.verify("token", digest)
    assert not hasher.verify("tokem", digest)


def test_a_short_secret_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        TokenHasher(b"short")


def test_sealed_values_open_only_with_the_same_key_and_context() -> None:
    sealer = Sealer(KEY)
    sealed = sealer.seal(b"upstream-access-token", context="grant-1")
    assert b"upstream" not in sealed.encode()
    assert sealed.startswith(f"v1.{sealer.key_id}.")
    assert sealer.unseal(sealed, context="grant-1") == b"upstream-access-token"
    assert sealer.seal(b"x") != sealer.seal(b"x")
    with pytest.raises(SealError, match="failed authentication"):
        sealer.unseal(sealed, context="grant-2")
    with pytest.raises(SealError, match="different key"):
        Sealer(OTHER_KEY).unseal(sealed, context="grant-1")


@pytest.mark.parametrize("mangle", ["flip", "truncate", "garbage", "version"])
def test_tampered_sealed_values_are_rejected(mangle: str) -> None:
    sealer = Sealer(KEY)
    sealed = sealer.seal(b"secret")
    head, body = sealed.rsplit(".", 1)
    bad = {
        "flip": f"{head}.{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}",
        "truncate": f"{head}.{body[:8]}",
        "garbage": f"{head}.!!!",
        "version": "v9" + sealed[2:],
    }[mangle]
    with pytest.raises(SealError):
        sealer.unseal(bad)
