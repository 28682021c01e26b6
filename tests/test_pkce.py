"""PKCE S256 (RFC 7636 §4.1, §4.2, §4.6)."""

from __future__ import annotations

import pytest

from taskmcp.oauth.pkce import VERIFIER_RE, new_verifier, s256_challenge, verify_s256


def test_the_rfc_7636_appendix_b_example() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert verify_s256(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert not verify_s256(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN")


def test_new_verifiers_match_the_grammar_and_differ() -> None:
    verifiers = {new_verifier() for _ in range(100)}
    assert len(verifiers) == 100
    assert all(VERIFIER_RE.fullmatch(v) for v in verifiers)


@pytest.mark.parametrize("verifier", ["a" * 42, "a" * 129, "a" * 42 + "!", "a" * 42 + " "])
def test_malformed_verifiers_never_verify(verifier: str) -> None:
    assert not verify_s256(verifier, s256_challenge(verifier))
