"""Property tests for the authorization server's pure grammars: PKCE verifiers and
challenges (RFC 7636 §4.1, §4.2, §4.6; checklist P2-P4), scopes (RFC 6749 §3.3;
``taskmcp/oauth/scopes.py``) and redirect-URI matching (RFC 9700 §4.1.3; RFC 8252
§7.3; checklist R2, R3).

``tests/oauth/test_redirects.py`` already checks that a selected URI is registered or
a loopback port variant of one (soundness) and that garbage raises only
``RedirectUriError``; the properties here add completeness (every port variant of a
loopback registration passes) and exactness (every other one-character change of a
registered URI fails, with no normalisation of case or percent-encoding).
"""

from __future__ import annotations

import base64
import hashlib
import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from taskmcp.oauth.errors import InvalidScope
from taskmcp.oauth.pkce import CHALLENGE_RE, VERIFIER_RE, s256_challenge, verify_s256
from taskmcp.oauth.policy import SCOPES
from taskmcp.oauth.redirects import RedirectUriError, select_redirect_uri
from taskmcp.oauth.scopes import IGNORED_SCOPES, format_scopes, parse_scopes

BOUNDED = settings(max_examples=300, deadline=None)
UNRESERVED = string.ascii_letters + string.digits + "-._~"

# -- PKCE ----------------------------------------------------------------------------------


def _b64_sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _in_grammar(value: str) -> bool:
    return 43 <= len(value) <= 128 and all(ch in UNRESERVED for ch in value)


@BOUNDED
@given(st.text(alphabet=UNRESERVED, min_size=43, max_size=128))
def test_every_verifier_of_the_grammar_verifies_against_its_s256(verifier: str) -> None:
    challenge = s256_challenge(verifier)
    assert CHALLENGE_RE.fullmatch(challenge)
    assert len(challenge) == 43
    assert verify_s256(verifier, challenge)


@BOUNDED
@given(
    st.one_of(
        st.text(max_size=140),
        st.text(alphabet=UNRESERVED, max_size=42),
        st.text(alphabet=UNRESERVED, min_size=129, max_size=200),
        st.text(alphabet=UNRESERVED, min_size=43, max_size=128).map(lambda v: v + "\n"),
        st.text(alphabet=UNRESERVED + "+/= !%\u00e9", min_size=43, max_size=128),
    )
)
@example("a" * 42 + "=")
@example("a" * 43 + "\n")
@example("\uff41" * 43)  # fullwidth letters: \w would take them, the grammar must not
def test_the_grammar_is_exactly_43_to_128_unreserved_characters(value: str) -> None:
    """Anything outside the grammar never verifies, even against its own digest, and
    nothing raises."""
    assert bool(VERIFIER_RE.fullmatch(value)) == _in_grammar(value)
    assert bool(CHALLENGE_RE.fullmatch(value)) == _in_grammar(value)
    assert verify_s256(value, _b64_sha256(value)) == _in_grammar(value)


@BOUNDED
@given(
    st.text(alphabet=UNRESERVED, min_size=43, max_size=128),
    st.text(alphabet=UNRESERVED, min_size=43, max_size=43),
)
def test_a_verifier_matches_no_challenge_but_its_own(verifier: str, other: str) -> None:
    assert verify_s256(verifier, other) == (other == s256_challenge(verifier))


# -- scopes --------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        *SCOPES,
        *IGNORED_SCOPES,
        "tasks:admin",
        "TASKS:READ",
        "tasks:read\t",
        "",
        "openid",
        'tasks:read"',
        "tasks:",
    ]
)


@BOUNDED
@given(st.one_of(st.none(), st.text(max_size=60), st.lists(_WORDS, max_size=6).map(" ".join)))
def test_scope_parsing_is_all_or_nothing(value: str | None) -> None:
    """A scope string is granted in canonical order when every word is known and at
    least one is a real scope (empty means both); anything else is ``invalid_scope``."""
    words = {word for word in (value or "").split(" ") if word}
    known = words <= {*SCOPES, *IGNORED_SCOPES}
    wanted = tuple(scope for scope in SCOPES if scope in words)
    try:
        granted = parse_scopes(value)
    except InvalidScope:
        assert words
        assert not known or not wanted
        return
    assert granted == (SCOPES if not words else wanted)
    assert parse_scopes(format_scopes(granted)) == granted


@BOUNDED
@given(
    old=st.sampled_from([("tasks:read",), ("tasks:write",), SCOPES]),
    value=st.one_of(st.none(), st.lists(_WORDS, max_size=4).map(" ".join)),
)
def test_a_default_is_returned_only_for_an_empty_request(
    old: tuple[str, ...], value: str | None
) -> None:
    """The refresh grant passes the old scopes as the default: an empty ``scope``
    keeps them, any other value is parsed on its own (the handler then refuses a
    widening)."""
    try:
        granted = parse_scopes(value, default=old)
    except InvalidScope:
        return
    if not (value or "").strip(" "):
        assert granted == old
    else:
        assert set(granted) <= set(SCOPES)


# -- redirect URIs -------------------------------------------------------------------------

_LOOPBACK = st.sampled_from(["127.0.0.1", "[::1]", "localhost", "127.0.0.1:8080", "[::1]:9"])
_PATH = st.text(alphabet=string.ascii_letters + string.digits + "/-._~%", max_size=12).map(
    lambda p: "/" + p
)
_QUERY = st.one_of(
    st.just(""), st.text(alphabet=string.ascii_letters + "=&", max_size=8).map(lambda q: "?" + q)
)
_HTTPS_HOST = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){1,2}", fullmatch=True)


def _host_of(authority: str) -> str:
    """The host as written, without the port."""
    if authority.startswith("["):
        return authority[: authority.index("]") + 1]
    return authority.split(":")[0]


@BOUNDED
@given(authority=_LOOPBACK, path=_PATH, query=_QUERY, port=st.integers(1, 65535))
def test_every_port_of_a_loopback_registration_is_accepted_verbatim(
    authority: str, path: str, query: str, port: int
) -> None:
    """R3 completeness: any port, scheme/host/path/query byte for byte."""
    host = _host_of(authority)
    registered = f"http://{authority}{path}{query}"
    requested = f"http://{host}:{port}{path}{query}"
    chosen = select_redirect_uri(requested, [registered], application_type="native")
    assert chosen == requested


@BOUNDED
@given(authority=_LOOPBACK, path=_PATH, port=st.one_of(st.just(0), st.integers(65536, 99999)))
def test_an_impossible_port_is_never_accepted(authority: str, path: str, port: int) -> None:
    host = _host_of(authority)
    try:
        select_redirect_uri(
            f"http://{host}:{port}{path}", [f"http://{authority}{path}"], application_type="native"
        )
    except RedirectUriError:
        return
    raise AssertionError("accepted an impossible port")


def _mutations(uri: str) -> st.SearchStrategy[str]:
    positions = st.integers(0, len(uri))
    chars = st.sampled_from(string.ascii_letters + string.digits + "/%.:@?#&=-_~")
    insert = st.tuples(positions, chars).map(lambda p: uri[: p[0]] + p[1] + uri[p[0] :])
    delete = positions.filter(lambda i: i < len(uri)).map(lambda i: uri[:i] + uri[i + 1 :])
    replace = st.tuples(positions.filter(lambda i: i < len(uri)), chars).map(
        lambda p: uri[: p[0]] + p[1] + uri[p[0] + 1 :]
    )
    swapcase = positions.filter(lambda i: i < len(uri)).map(
        lambda i: uri[:i] + uri[i].swapcase() + uri[i + 1 :]
    )
    encode = positions.filter(lambda i: i < len(uri)).map(
        lambda i: uri[:i] + f"%{ord(uri[i]):02X}" + uri[i + 1 :]
    )
    return st.one_of(insert, delete, replace, swapcase, encode)


@settings(max_examples=400, deadline=None)
@given(data=st.data(), host=_HTTPS_HOST, path=_PATH, query=_QUERY)
def test_any_other_spelling_of_an_https_registration_is_refused(
    data: st.DataObject, host: str, path: str, query: str
) -> None:
    """R2 exactness: simple string comparison, no normalisation. An https
    registration has no port variants, so every different string is refused."""
    registered = f"https://{host}{path}{query}"
    requested = data.draw(_mutations(registered).filter(lambda uri: uri != registered))
    try:
        select_redirect_uri(requested, [registered], application_type="web")
    except RedirectUriError:
        return
    raise AssertionError(f"{requested!r} was accepted for {registered!r}")


@BOUNDED
@given(data=st.data(), authority=_LOOPBACK, path=_PATH)
def test_a_loopback_registration_accepts_only_its_port_variants(
    data: st.DataObject, authority: str, path: str
) -> None:
    """R3 exactness: a changed character outside the port is refused; host case and
    percent-encoding count as changes."""
    registered = f"http://{authority}{path}"
    requested = data.draw(_mutations(registered).filter(lambda uri: uri != registered))
    host = _host_of(authority)
    try:
        chosen = select_redirect_uri(requested, [registered], application_type="native")
    except RedirectUriError:
        return
    # accepted: only the port may differ
    rest = requested.removeprefix(f"http://{host}")
    assert rest.startswith(":") or rest == path
    assert rest.lstrip(":0123456789") == path
    assert chosen == requested
