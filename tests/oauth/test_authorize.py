"""``GET /authorize``: validation, error pages, the consent page and its headers
(oauth-checklist R2-R5, P1-P3, X1-X3, O1, O2, U2, U5, U7, §11, §16)."""

from __future__ import annotations

import pytest

from tests.support.browser import Browser, Page, query_of
from tests.support.stack import CLIENT_REDIRECT, Stack, pkce_pair


async def _open(stack: Stack, url: str) -> Page:
    browser = Browser()
    try:
        return await browser.get(url)
    finally:
        await browser.close()


def _link(page: Page) -> dict[str, str]:
    """The query of the "Return to the application" link on an error page."""
    marker = 'class="button" href="'
    start = page.text.index(marker) + len(marker)
    href = page.text[start : page.text.index('"', start)].replace("&amp;", "&")
    assert href.startswith(CLIENT_REDIRECT)
    return query_of(href)


async def test_the_consent_page_carries_the_protective_headers(stack: Stack) -> None:
    client = await stack.register(client_name="Probe")
    page = await _open(stack, stack.authorize_url(str(client["client_id"]), pkce_pair()[1]))
    assert page.status == 200
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    assert "Access-Control-Allow-Origin" not in page.headers
    assert "Probe" in page.text
    assert "unverified" in page.text
    assert "Local application" in page.text  # loopback-only redirect warning (U2)


async def test_a_script_client_name_is_rendered_escaped(stack: Stack) -> None:
    client = await stack.register(client_name="<script>alert(1)</script>")
    page = await _open(stack, stack.authorize_url(str(client["client_id"]), pkce_pair()[1]))
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


@pytest.mark.parametrize(
    "mutation",
    [
        {"client_id": "unknown-client"},
        {"client_id": ""},
        {"redirect_uri": "http://127.0.0.1:9/cb/"},
        {"redirect_uri": "https://evil.example/cb"},
        {"redirect_uri": "http://localhost.evil.example/cb"},
    ],
)
async def test_a_bad_client_or_redirect_gets_a_page_and_never_a_redirect(
    stack: Stack, mutation: dict[str, str]
) -> None:
    """checklist R5, O1."""
    client = await stack.register()
    extra = dict(mutation)
    client_id = extra.pop("client_id", str(client["client_id"]))
    page = await _open(stack, stack.authorize_url(client_id, pkce_pair()[1], **extra))
    assert page.status == 400
    assert "Location" not in page.headers
    assert "Return to" not in page.text


async def test_several_registered_uris_and_none_requested_is_an_error_page(stack: Stack) -> None:
    client = await stack.register(redirect_uris=[CLIENT_REDIRECT, "http://127.0.0.1:9/other"])
    url = stack.authorize_url(str(client["client_id"]), pkce_pair()[1]).replace(
        "redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&", ""
    )
    page = await _open(stack, url)
    assert page.status == 400
    assert "Location" not in page.headers


async def test_a_loopback_redirect_matches_on_any_port(stack: Stack) -> None:
    """RFC 8252 §7.3."""
    client = await stack.register()
    url = stack.authorize_url(
        str(client["client_id"]), pkce_pair()[1], redirect_uri="http://127.0.0.1:53111/cb"
    )
    assert (await _open(stack, url)).status == 200


@pytest.mark.parametrize(
    ("mutation", "error"),
    [
        ({"code_challenge": ""}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": ""}, "invalid_request"),
        ({"code_challenge": "a" * 42}, "invalid_request"),
        ({"code_challenge": "a" * 129}, "invalid_request"),
        ({"code_challenge": "a" * 42 + "!"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "tasks:admin"}, "invalid_scope"),
        ({"resource": "https://other.example/mcp"}, "invalid_target"),
    ],
)
async def test_invalid_requests_show_the_error_with_a_link_carrying_iss_and_state(
    stack: Stack, mutation: dict[str, str], error: str
) -> None:
    """checklist P1-P3, A8, X1, I1 and O2 (untrusted clients are not bounced automatically)."""
    client = await stack.register()
    page = await _open(
        stack, stack.authorize_url(str(client["client_id"]), pkce_pair()[1], **mutation)
    )
    assert page.status == 400
    assert "Location" not in page.headers
    params = _link(page)
    assert params["error"] == error
    assert params["state"] == "st-1"
    assert params["iss"] == stack.issuer


async def test_two_resources_are_invalid_target(stack: Stack) -> None:
    client = await stack.register()
    url = (
        stack.authorize_url(str(client["client_id"]), pkce_pair()[1])
        + "&resource=https%3A%2F%2Fx.example%2F"
    )
    assert _link(await _open(stack, url))["error"] == "invalid_target"


@pytest.mark.parametrize("resource", ["", "RESOURCE/", "RESOURCE"])
async def test_a_missing_or_differently_written_resource_means_the_mcp_endpoint(
    stack: Stack, resource: str
) -> None:
    """checklist X3: default and normalised comparison."""
    client = await stack.register()
    value = resource.replace("RESOURCE", stack.resource.replace("http://", "HTTP://"))
    page = await _open(
        stack, stack.authorize_url(str(client["client_id"]), pkce_pair()[1], resource=value)
    )
    assert page.status == 200


async def test_duplicate_parameters_are_refused(stack: Stack) -> None:
    client = await stack.register()
    url = (
        stack.authorize_url(str(client["client_id"]), pkce_pair()[1])
        + "&scope=tasks:read&scope=tasks:write"
    )
    assert _link(await _open(stack, url))["error"] == "invalid_request"
