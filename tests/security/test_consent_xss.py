"""XSS through self-asserted client metadata on our HTML pages (RFC 7591 §5;
oauth-checklist G4, U2, U7; MCP SBP "Consent UI").

``client_name``, ``client_uri``, ``logo_uri``, the redirect URI's host and the
client's ``state`` all reach a page somewhere. Every test compares the page a browser
would build (tags and attributes, via ``html.parser``) with the page of a benign
client: hostile input must change text only, never structure, and no attribute may
carry a script (``on*`` handlers, ``javascript:`` URLs). The ``<script>`` name case
is in ``tests/oauth/test_authorize.py``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from taskmcp.storage import Client
from tests.security.support import Html, open_page, parse_html
from tests.support.stack import CLIENT_REDIRECT, Stack, pkce_pair

NAMES = [
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' x='",
    "</title><script>alert(1)</script>",
    "<svg/onload=alert(1)>",
    "javascript:alert(document.cookie)",
    "{{ 7*7 }}{% raw %}",
    "<a href=javascript:alert(1)>Claude</a>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",  # already escaped: must not be unescaped
]


async def _consent(stack: Stack, client_id: str, **extra: str) -> tuple[str, Html]:
    page = await open_page(stack.authorize_url(client_id, pkce_pair()[1], **extra))
    assert page.status == 200, page.text
    return page.text, parse_html(page.text)


def _assert_inert(html: Html, baseline: Html) -> None:
    assert [tag for tag, _ in html.tags] == [tag for tag, _ in baseline.tags]
    for tag, name, value in html.attribute_values():
        assert not name.startswith("on"), (tag, name)
        assert "javascript:" not in value.lower(), (tag, name, value)
    assert "script" not in html.tag_names()
    assert "img" not in html.tag_names()


@pytest.fixture
async def baseline(stack: Stack) -> Html:
    client = await stack.register(client_name="Benign app")
    return (await _consent(stack, str(client["client_id"])))[1]


@pytest.mark.parametrize("name", NAMES)
async def test_a_hostile_client_name_is_text_on_the_consent_page(
    stack: Stack, baseline: Html, name: str
) -> None:
    client = await stack.register(client_name=name)
    raw, html = await _consent(stack, str(client["client_id"]))
    _assert_inert(html, baseline)
    assert name in html.text  # shown verbatim, as text
    if "<" in name:
        assert name not in raw


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("client_uri", "javascript:alert(1)"),
        ("logo_uri", "javascript:alert(1)"),
        ("logo_uri", "data:text/html,<script>alert(1)</script>"),
        ("client_uri", "http://app.example/"),
        ("tos_uri", "vbscript:msgbox(1)"),
    ],
)
async def test_non_https_metadata_urls_are_refused_at_registration(
    stack: Stack, field: str, value: str
) -> None:
    body = {"redirect_uris": ["https://app.example/cb"], field: value}
    async with stack.http.post(f"{stack.issuer}/register", json=body) as resp:
        assert resp.status == 400
        assert await resp.json() == {
            "error": "invalid_client_metadata",
            "error_description": f"{field}: String should match pattern '^https://'",
        }


async def test_quote_breaking_client_and_logo_uris_change_nothing_on_the_page(
    stack: Stack, baseline: Html
) -> None:
    """https URLs with attribute-breaking quotes pass the pattern; the logo is never
    rendered at all, and the website host is shown (as text) only when it is also a
    redirect host (G4)."""
    hostile = 'https://app.example/"><script>alert(1)</script>'
    client = await stack.register(
        client_name="Benign app",
        redirect_uris=["https://app.example/cb"],
        application_type="web",
        client_uri=hostile,
        logo_uri='https://app.example/logo.png" onerror="alert(1)',
    )
    raw, html = await _consent(
        stack, str(client["client_id"]), redirect_uri="https://app.example/cb"
    )
    assert "app.example" in html.text
    assert "onerror" not in raw
    assert "<script>alert(1)" not in raw
    for tag, name, value in html.attribute_values():
        assert not name.startswith("on"), (tag, name)
        assert "javascript:" not in value.lower()
    assert {"script", "img"}.isdisjoint(html.tag_names())
    del baseline


async def test_a_hostile_redirect_host_is_shown_escaped(stack: Stack, baseline: Html) -> None:
    """A registrable https redirect URI whose host is markup: the page names it as
    text (the destination must be visible) and it never becomes markup."""
    uri = 'https://x"><img%20src=x%20onerror=alert(1)>.example/cb'
    client = await stack.register(redirect_uris=[uri], application_type="web")
    raw, html = await _consent(stack, str(client["client_id"]), redirect_uri=uri)
    assert '"><img' not in raw
    assert 'x"><img%20src=x%20onerror=alert(1)>.example' in html.text
    assert "img" not in html.tag_names()
    for _tag, name, _value in html.attribute_values():
        assert not name.startswith("on")
    del baseline


async def _plant_cimd_client(stack: Stack, client_id: str, **fields: str) -> None:
    """A client as if its metadata document had been fetched and cached."""
    now = stack.clock()
    document = {"client_id": client_id, "redirect_uris": [CLIENT_REDIRECT], **fields}
    await stack.storage.save_client(
        Client(
            client_id=client_id,
            source="cimd",
            token_endpoint_auth_method="none",
            redirect_uris=(CLIENT_REDIRECT,),
            grant_types=("authorization_code",),
            response_types=("code",),
            application_type="native",
            client_name=fields.get("client_name"),
            metadata=document,
            created_at=now,
            expires_at=now + timedelta(hours=1),
        )
    )


async def test_metadata_document_fields_are_inert_too(stack: Stack) -> None:
    """A CIMD client's document is as self-asserted as a DCR body: a cached document
    with script in every field renders like a benign one (the fetch itself is covered
    in tests/oauth/test_cimd.py)."""
    await _plant_cimd_client(stack, "https://docs.example/benign.json", client_name="Benign")
    _, baseline = await _consent(stack, "https://docs.example/benign.json")
    client_id = 'https://docs.example/"><script>alert(1)</script>/client.json'
    await _plant_cimd_client(
        stack,
        client_id,
        client_name='"><img src=x onerror=alert(1)>',
        client_uri="javascript:alert(1)",
        logo_uri="javascript:alert(2)",
    )
    raw, html = await _consent(stack, client_id)
    _assert_inert(html, baseline)
    assert '"><img src=x onerror=alert(1)>' in html.text
    assert "<script>alert(1)" not in raw
    assert "docs.example" in html.text


async def test_a_hostile_state_stays_inside_the_error_links_query(stack: Stack) -> None:
    """Pre-consent errors show a link carrying ``state`` (O2): it is URL-encoded and
    HTML-escaped, so it cannot leave the ``href``."""
    client = await stack.register()
    state = '"><script>alert(1)</script><a href="javascript:alert(2)'
    page = await open_page(
        stack.authorize_url(
            str(client["client_id"]), pkce_pair()[1], state=state, scope="tasks:admin"
        )
    )
    assert page.status == 400
    html = parse_html(page.text)
    assert "script" not in html.tag_names()
    links = [attrs["href"] for tag, attrs in html.tags if tag == "a"]
    assert len(links) == 1
    assert links[0].startswith(f"{CLIENT_REDIRECT}?error=invalid_scope&")
    assert "%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E" in links[0]
    assert "javascript:" not in links[0]
