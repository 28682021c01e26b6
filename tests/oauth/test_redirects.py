"""Redirect URI registration, matching and response building (OAuth 2.1 §2.3, §4.1.1;
RFC 8252 §7.3; RFC 9700 §4.1.3; oauth-checklist R1-R8 and the §16 manipulation table)."""

from __future__ import annotations

import contextlib
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskmcp.oauth.errors import InvalidRedirectUri
from taskmcp.oauth.redirects import (
    EXACT_ALLOWLIST,
    RedirectUriError,
    add_query,
    is_loopback_host,
    select_redirect_uri,
    validate_registered_uri,
)

REGISTERED = ("https://app.example/cb", "http://127.0.0.1/cb")

CLAUDE_AI = ("https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback")
CURSOR = (
    "cursor://anysphere.cursor-mcp/oauth/callback",
    "https://www.cursor.com/agents/mcp/oauth/callback",
    "http://localhost:8787/callback",
)
CURSOR_PER_USER = "cursor://anysphere.cursor-mcp/oauth/user-alice/callback"
VSCODE = (
    "http://127.0.0.1:33418/",
    "https://vscode.dev/redirect",
    "https://insiders.vscode.dev/redirect",
    "http://127.0.0.1/",
)
INSPECTOR = ("http://localhost:6274/oauth/callback", "http://127.0.0.1:6276/oauth/callback")
CLAUDE_CODE = ("http://localhost/callback", "http://127.0.0.1/callback")

AppType = Literal["web", "native"] | None


def _select(requested: str | None, registered: tuple[str, ...], app: AppType = None) -> str:
    return select_redirect_uri(requested, registered, application_type=app)


# -- R1: registration -----------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        *REGISTERED,
        *CLAUDE_AI,
        *CURSOR,
        *VSCODE,
        *INSPECTOR,
        *CLAUDE_CODE,
        "http://[::1]/cb",
        "http://127.8.9.10:9000/cb?mode=x",
        "com.example.app:/oauth2redirect",
        "com.example.app://callback",
        "https://chatgpt.com/connector/oauth/abc123",
    ],
)
def test_registration_accepts_https_loopback_http_and_reverse_domain_schemes(uri: str) -> None:
    """R1: https, http on loopback only, private-use schemes containing a dot."""
    validate_registered_uri(uri)


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("/cb", "absolute"),
        ("app.example/cb", "absolute"),
        ("https://app.example/cb#frag", "fragment"),
        ("https://app.example/cb#", "fragment"),
        ("https://user@app.example/cb", "userinfo"),
        ("https://app.example@evil/cb", "userinfo"),
        ("http://127.0.0.1:pw@evil/cb", "userinfo"),
        ("http://app.example/cb", "loopback"),
        ("http://localhost.evil.example/cb", "loopback"),
        ("http://127.0.0.1.evil.example/cb", "loopback"),
        ("http://127.1/cb", "loopback"),
        ("http://[::ffff:127.0.0.1]/cb", "loopback"),
        ("http://0.0.0.0/cb", "loopback"),
        ("myapp://callback", "reverse-domain"),
        ("javascript:alert(1)", "reverse-domain"),
        ("data:text/html,hi", "reverse-domain"),
        ("file:///etc/passwd", "reverse-domain"),
        (CURSOR_PER_USER, "reverse-domain"),
        ("https:///cb", "host"),
        ("HTTPS://app.example/cb", "lowercase"),
        ("https://app.example/c b", "ASCII"),
        ("https://app.example/caf\u00e9", "ASCII"),
        ("https://app.example/cb\n", "ASCII"),
        ("https://app.example:99999/cb", "malformed"),
        ("https://[::1/cb", "malformed"),
        ("https://app.example/" + "a" * 2000, "longer"),
        ("", "ASCII"),
    ],
)
def test_registration_refuses_uris_outside_the_policy(uri: str, reason: str) -> None:
    """R1, F4: compared on the parsed host, never by prefix."""
    with pytest.raises(InvalidRedirectUri) as info:
        validate_registered_uri(uri)
    assert reason in (info.value.description or "")


def test_the_allowlist_holds_cursors_exact_uris() -> None:
    assert {CURSOR[0], CURSOR[2]} <= EXACT_ALLOWLIST


def test_cursors_per_user_variant_is_refused_because_the_allowlist_is_exact() -> None:
    """Decision: no pattern allowlisting; ``cursor`` is not a reverse-domain scheme."""
    assert CURSOR_PER_USER not in EXACT_ALLOWLIST
    with pytest.raises(InvalidRedirectUri):
        validate_registered_uri(CURSOR_PER_USER)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.255.0.9", True),
        ("::1", True),
        ("localhost.evil.example", False),
        ("evil-localhost", False),
        ("localhost.", False),
        ("127.0.0.1.nip.io", False),
        ("0:0:0:0:0:0:0:1", False),
        ("128.0.0.1", False),
        ("", False),
        (None, False),
    ],
)
def test_loopback_is_decided_on_the_parsed_host(host: str | None, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


# -- R2/R3: the checklist §16 manipulation table --------------------------------------


@pytest.mark.parametrize(
    "requested",
    [
        "https://app.example/cb/",
        "https://app.example/CB",
        "https://app.example/Cb",
        "https://APP.example/cb",
        "HTTPS://app.example/cb",
        "https://app.example/cb?x=1",
        "https://app.example/cb?",
        "https://app.example/cb#frag",
        "https://app.example/cb#",
        "https://app.example@evil/cb",
        "https://evil@app.example/cb",
        "https://app.example/%63b",
        "https://app.example/c%62",
        "https://app%2eexample/cb",
        "https://app.example/cb%2F",
        "https://app.example:443/cb",
        "https://other.example/cb",
        "https://app.example.evil/cb",
        "http://app.example/cb",
        "http://localhost.evil.example/cb",
        "http://127.0.0.1.evil.example/cb",
        "http://127.0.0.1:8080/cb/",
        "http://127.0.0.1:8080/cb?x=1",
        "http://127.0.0.1:8080/cb#x",
        "http://127.0.0.1:8080/CB",
        "http://127.0.0.2:8080/cb",
        "http://localhost:8080/cb",
        "http://[::1]:8080/cb",
        "https://127.0.0.1:8080/cb",
        "http://user@127.0.0.1:8080/cb",
        "http://127.0.0.1:0/cb",
        "http://127.0.0.1:65536/cb",
        "http://127.0.0.1:/cb",
        "http://127.0.0.1:80a/cb",
        "http://127.0.0.1:8080%2F/cb",
        " https://app.example/cb",
        "",
    ],
)
def test_manipulated_redirect_uris_are_refused(requested: str) -> None:
    """R2 (RFC 9700 §4.1.3): simple string comparison, loopback ports excepted (R3)."""
    with pytest.raises(RedirectUriError):
        _select(requested, REGISTERED)


@pytest.mark.parametrize("port", [1, 80, 8080, 33418, 53211, 65535])
def test_any_port_is_accepted_on_a_loopback_registration(port: int) -> None:
    """R3 (RFC 8252 §7.3): a portless registration matches every port."""
    requested = f"http://127.0.0.1:{port}/cb"
    assert _select(requested, REGISTERED) == requested


def test_the_exact_registered_uris_are_accepted() -> None:
    for uri in REGISTERED:
        assert _select(uri, REGISTERED) == uri


def test_ipv6_loopback_accepts_any_port_when_registered() -> None:
    assert _select("http://[::1]:61000/cb", ("http://[::1]/cb",)) == "http://[::1]:61000/cb"
    with pytest.raises(RedirectUriError):
        _select("http://[::1]:61000/cb", REGISTERED)


def test_localhost_matches_only_a_localhost_registration() -> None:
    """R3 applied to ``localhost`` (POLICY), host compared exactly (claude-code#86233)."""
    registered = ("http://localhost/cb",)
    assert _select("http://localhost:5173/cb", registered) == "http://localhost:5173/cb"
    with pytest.raises(RedirectUriError):
        _select("http://127.0.0.1:5173/cb", registered)
    with pytest.raises(RedirectUriError):
        _select("http://LOCALHOST:5173/cb", registered)


def test_a_registered_port_does_not_pin_the_port() -> None:
    registered = ("http://127.0.0.1:4000/cb?tenant=a",)
    assert _select("http://127.0.0.1:5000/cb?tenant=a", registered).endswith(":5000/cb?tenant=a")
    with pytest.raises(RedirectUriError):
        _select("http://127.0.0.1:5000/cb?tenant=b", registered)


# -- R4 -------------------------------------------------------------------------------


def test_a_missing_redirect_uri_uses_the_single_registered_one() -> None:
    assert _select(None, ("https://app.example/cb",)) == "https://app.example/cb"


def test_several_registered_and_none_requested_is_an_error() -> None:
    """R4 (OAuth 2.1 §2.3.2): the caller shows a page and does not redirect (R5)."""
    with pytest.raises(RedirectUriError) as info:
        _select(None, REGISTERED)
    assert "required" in info.value.reason


def test_redirect_uri_error_is_not_an_oauth_error() -> None:
    """R5: nothing may turn it into a redirect by accident."""
    from taskmcp.oauth.errors import OAuthError

    assert not issubclass(RedirectUriError, OAuthError)


def test_a_registered_entry_that_fails_the_policy_is_never_used() -> None:
    with pytest.raises(RedirectUriError):
        _select("http://evil.example/cb", ("http://evil.example/cb",))


# -- R8: application_type -------------------------------------------------------------


def test_a_web_client_may_use_https_and_allowlisted_uris_only() -> None:
    """R8: the mixed set is stored; a non-https URI is refused only when used."""
    for uri in CURSOR:
        assert _select(uri, CURSOR, "web") == uri
    with pytest.raises(RedirectUriError) as info:
        _select("http://localhost:9999/callback", CURSOR, "web")
    assert "https" in info.value.reason
    with pytest.raises(RedirectUriError):
        _select("http://127.0.0.1:5000/cb", REGISTERED, "web")


@pytest.mark.parametrize("app", ["native", None])
def test_native_and_unspecified_clients_may_use_every_valid_uri(app: AppType) -> None:
    assert _select("http://localhost:9999/callback", CURSOR, app).endswith(":9999/callback")
    assert _select(CURSOR[0], CURSOR, app) == CURSOR[0]


# -- real client sets (clients-in-the-wild.md) ----------------------------------------


@pytest.mark.parametrize("uri", CLAUDE_AI)
def test_claude_ai_callbacks_match_exactly(uri: str) -> None:
    assert _select(uri, CLAUDE_AI, "web") == uri
    with pytest.raises(RedirectUriError):
        _select(uri + "/", CLAUDE_AI, "web")


def test_cursors_mixed_registration_is_accepted_whole() -> None:
    for uri in CURSOR:
        validate_registered_uri(uri)
        assert _select(uri, CURSOR) == uri


def test_vscode_may_move_off_port_33418() -> None:
    """microsoft/vscode#278512: registered 33418, used with a random port."""
    assert _select("http://127.0.0.1:49152/", VSCODE) == "http://127.0.0.1:49152/"
    assert _select("https://vscode.dev/redirect", VSCODE) == "https://vscode.dev/redirect"


@pytest.mark.parametrize("uri", INSPECTOR)
def test_inspector_callbacks_match(uri: str) -> None:
    assert _select(uri, INSPECTOR) == uri


def test_claude_codes_portless_registration_matches_its_random_port() -> None:
    """claude-code#90370: the CIMD lists portless URIs, the request carries a port."""
    assert _select("http://localhost:53211/callback", CLAUDE_CODE) == (
        "http://localhost:53211/callback"
    )
    assert _select("http://127.0.0.1:53211/callback", CLAUDE_CODE) == (
        "http://127.0.0.1:53211/callback"
    )
    with pytest.raises(RedirectUriError):
        _select("http://localhost:53211/oauth/callback", CLAUDE_CODE)


# -- R6: response URIs ----------------------------------------------------------------


def test_add_query_starts_a_query_when_there_is_none() -> None:
    assert add_query("https://app.example/cb", {"code": "a b", "state": "x&y=z"}) == (
        "https://app.example/cb?code=a+b&state=x%26y%3Dz"
    )


def test_add_query_keeps_the_registered_query() -> None:
    result = add_query("https://app.example/cb?tenant=t1", {"code": "c", "iss": "https://as"})
    assert result == "https://app.example/cb?tenant=t1&code=c&iss=https%3A%2F%2Fas"
    assert parse_qsl(urlsplit(result).query) == [
        ("tenant", "t1"),
        ("code", "c"),
        ("iss", "https://as"),
    ]


@pytest.mark.parametrize("uri", ["https://app.example/cb?", "https://app.example/cb?a=1&"])
def test_add_query_does_not_double_separators(uri: str) -> None:
    assert add_query(uri, {"code": "c"}) == uri + "code=c"


def test_add_query_without_params_returns_the_uri_unchanged() -> None:
    assert add_query("https://app.example/cb?x", {}) == "https://app.example/cb?x"


def test_add_query_puts_params_before_a_fragment() -> None:
    assert add_query("com.example.app:/cb#f", {"code": "c"}) == "com.example.app:/cb?code=c#f"


# -- properties -----------------------------------------------------------------------

_HOSTS = st.sampled_from(
    ["127.0.0.1", "[::1]", "localhost", "app.example", "LOCALHOST", "127.0.0.2", "evil"]
)
_SCHEMES = st.sampled_from(["http", "https", "HTTP", "com.example.app", "cursor"])
_PORTS = st.one_of(st.just(""), st.integers(0, 70000).map(lambda p: f":{p}"))
_PATHS = st.sampled_from(["/cb", "/cb/", "/CB", "", "/cb?x=1", "/cb#f", "/%63b", "/callback"])


@st.composite
def _uris(draw: st.DrawFn) -> str:
    return f"{draw(_SCHEMES)}://{draw(_HOSTS)}{draw(_PORTS)}{draw(_PATHS)}"


def _without_port(uri: str) -> str:
    parts = urlsplit(uri)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    return uri.replace(parts.netloc, host or "", 1)


@given(
    requested=st.one_of(st.none(), _uris(), st.text(max_size=40)),
    registered=st.lists(_uris(), min_size=1, max_size=4),
    app=st.sampled_from(["web", "native", None]),
)
def test_selection_returns_a_registered_uri_or_its_loopback_port_variant(
    requested: str | None, registered: list[str], app: AppType
) -> None:
    try:
        chosen = select_redirect_uri(requested, registered, application_type=app)
    except RedirectUriError:
        return
    if requested is None:
        assert registered == [chosen]
        return
    assert chosen == requested
    if chosen in registered:
        return
    parts = urlsplit(chosen)
    assert is_loopback_host(parts.hostname)
    assert any(
        urlsplit(uri).hostname == parts.hostname and _without_port(uri) == _without_port(chosen)
        for uri in registered
    )


@given(
    requested=st.one_of(st.none(), st.text(), _uris()),
    registered=st.lists(st.one_of(st.text(), _uris()), max_size=4),
    app=st.sampled_from(["web", "native", None]),
)
def test_garbage_only_ever_raises_redirect_uri_error(
    requested: str | None, registered: list[str], app: AppType
) -> None:
    with contextlib.suppress(RedirectUriError):
        select_redirect_uri(requested, registered, application_type=app)


@given(st.one_of(st.text(), _uris()))
def test_garbage_registration_only_ever_raises_invalid_redirect_uri(uri: str) -> None:
    with contextlib.suppress(InvalidRedirectUri):
        validate_registered_uri(uri)


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


@given(
    base=st.sampled_from(["https://app.example/cb", "https://app.example/cb?t=1&u=2"]),
    params=st.dictionaries(_TEXT.filter(bool), _TEXT, max_size=4),
)
def test_add_query_round_trips_any_parameters(base: str, params: dict[str, str]) -> None:
    """R6: the registered query survives and every parameter decodes back exactly."""
    result = add_query(base, params)
    assert result.startswith(base)
    decoded = parse_qsl(urlsplit(result).query, keep_blank_values=True)
    assert decoded == parse_qsl(urlsplit(base).query) + list(params.items())
