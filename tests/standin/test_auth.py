"""Login, logout, registration and JAN's login rate limit (taskmanager-api §2.1, §2.2)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from tests.standin.conftest import Standin

SESSION_COOKIE = re.compile(
    r"^session=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}; "
    r"HttpOnly; SameSite=Lax; Path=/; Expires=\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$"
)
ALICE = {"id": 1, "username": "alice", "email": "alice@example.test"}


@pytest.mark.parametrize(
    ("revision", "body"),
    [("dec", {"success": True, "user": ALICE}), ("jan", {"data": {"user": ALICE}})],
)
async def test_login_answers_the_revision_body_and_a_seven_day_session_cookie(
    standin: Standin, body: dict[str, object]
) -> None:
    """§2.1: the cookie is a UUID, HttpOnly, SameSite=Lax, Path=/, Expires=+7 days."""
    client = await standin.anonymous()
    response = await client.post("/api/auth/login", json={"username": "alice", "password": "pw"})
    assert response.status == 200
    assert await response.json() == body
    cookie = response.headers["Set-Cookie"]
    assert SESSION_COOKIE.match(cookie), cookie
    expires = standin.clock.now + timedelta(days=7)
    assert cookie.endswith(f"; Expires={expires:%a, %d %b %Y %H:%M:%S} GMT")
    assert "Max-Age" not in cookie
    projects = await client.get("/api/projects", allow_redirects=False)
    assert projects.status == 200


@pytest.mark.parametrize(
    ("revision", "body"),
    [
        ("dec", {"error": "Invalid credentials"}),
        ("jan", {"error": {"code": "AUTH_001", "message": "Invalid username or password"}}),
    ],
)
@pytest.mark.parametrize("username", ["alice", "nobody"])
async def test_bad_credentials_are_401(
    standin: Standin, body: dict[str, object], username: str
) -> None:
    client = await standin.anonymous()
    response = await client.post("/api/auth/login", json={"username": username, "password": "x"})
    assert (response.status, await response.json()) == (401, body)
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    ("revision", "payload", "body"),
    [
        ("dec", {"password": "pw"}, {"error": "Username and password required"}),
        ("dec", {"username": "alice"}, {"error": "Username and password required"}),
        (
            "jan",
            {"password": "pw"},
            {"error": {"code": "VALIDATION_002", "message": "Username is required"}},
        ),
        (
            "jan",
            {"username": "alice", "password": ""},
            {"error": {"code": "VALIDATION_002", "message": "Password is required"}},
        ),
    ],
)
async def test_missing_fields_are_400(
    standin: Standin, payload: dict[str, str], body: dict[str, object]
) -> None:
    client = await standin.anonymous()
    response = await client.post("/api/auth/login", json=payload)
    assert (response.status, await response.json()) == (400, body)


@pytest.mark.parametrize(
    ("revision", "body"),
    [
        ("dec", {"error": "Unexpected token 'u', \"username=a\"... is not valid JSON"}),
        ("jan", {"error": {"code": "AUTH_001", "message": "Invalid username or password"}}),
    ],
)
async def test_a_form_encoded_login_is_401(standin: Standin, body: dict[str, object]) -> None:
    """§2.1: a body that is not JSON → 401; DEC shows Node's parse message."""
    client = await standin.anonymous()
    response = await client.post("/api/auth/login", data={"username": "alice", "password": "pw"})
    assert (response.status, await response.json()) == (401, body)


async def _fail(client: TestClient, times: int, headers: dict[str, str] | None = None) -> list[int]:
    statuses = []
    for _ in range(times):
        response = await client.post(
            "/api/auth/login", json={"username": "alice", "password": "bad"}, headers=headers
        )
        statuses.append(response.status)
    return statuses


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_limits_a_bucket_after_five_failures_even_for_the_right_password(
    standin: Standin,
) -> None:
    """§2.1: the 6th attempt → 429 RATE_001 with Retry-After and details.retryAfter."""
    client = await standin.anonymous()
    assert await _fail(client, 5) == [401] * 5
    standin.clock.advance(seconds=1)
    response = await client.post("/api/auth/login", json={"username": "alice", "password": "pw"})
    assert response.status == 429
    assert response.headers["Retry-After"] == "899"
    assert await response.json() == {
        "error": {
            "code": "RATE_001",
            "message": "Too many requests. Please try again later.",
            "details": {"retryAfter": 899},
        }
    }
    standin.clock.advance(minutes=15)
    ok = await client.post("/api/auth/login", json={"username": "alice", "password": "pw"})
    assert ok.status == 200


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_buckets_follow_forwarding_headers(standin: Standin) -> None:
    """§2.1: first X-Forwarded-For value, else X-Real-IP, else one shared bucket."""
    client = await standin.anonymous()
    assert (await _fail(client, 6, {"X-Forwarded-For": "10.0.0.1, 10.9.9.9"}))[-1] == 429
    assert await _fail(client, 1, {"X-Forwarded-For": "10.0.0.2"}) == [401]
    assert await _fail(client, 1, {"X-Forwarded-For": "10.0.0.1"}) == [429]
    assert await _fail(client, 1, {"X-Real-IP": "10.0.0.3"}) == [401]
    assert await _fail(client, 1, {"X-Real-IP": "10.0.0.1"}) == [429]
    assert await _fail(client, 1) == [401]


@pytest.mark.parametrize("revision", ["jan"])
async def test_jan_counts_only_complete_attempts_and_a_success_clears_the_bucket(
    standin: Standin,
) -> None:
    client = await standin.anonymous()
    for _ in range(6):
        missing = await client.post("/api/auth/login", json={"username": "alice"})
        assert missing.status == 400
    assert await _fail(client, 4) == [401] * 4
    ok = await client.post("/api/auth/login", json={"username": "alice", "password": "pw"})
    assert ok.status == 200
    assert await _fail(client, 5) == [401] * 5


@pytest.mark.parametrize("revision", ["dec"])
async def test_dec_never_limits_logins(standin: Standin) -> None:
    client = await standin.anonymous()
    assert await _fail(client, 7) == [401] * 7
    ok = await client.post("/api/auth/login", json={"username": "alice", "password": "pw"})
    assert ok.status == 200


async def test_logout_expires_the_cookie_and_kills_the_session(standin: Standin) -> None:
    """§2.2: 200 {"success":true}, an epoch cookie, and the old cookie then gets 302."""
    client = await standin.login("alice")
    old_cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["session"].value
    response = await client.post("/api/auth/logout")
    assert (response.status, await response.json()) == (200, {"success": True})
    assert response.headers["Set-Cookie"] == (
        "session=; HttpOnly; SameSite=Lax; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    )
    replay = await client.get(
        "/api/projects", headers={"Cookie": f"session={old_cookie}"}, allow_redirects=False
    )
    assert replay.status == 302


async def test_logout_needs_authentication(standin: Standin) -> None:
    client = await standin.anonymous()
    response = await client.post("/api/auth/logout", allow_redirects=False)
    assert response.status == 302


@pytest.mark.parametrize(
    ("revision", "body"),
    [
        ("dec", {"error": "Registration is currently disabled"}),
        (
            "jan",
            {"error": {"code": "VALIDATION_001", "message": "Registration is currently disabled"}},
        ),
    ],
)
async def test_registration_is_disabled(standin: Standin, body: dict[str, object]) -> None:
    client = await standin.anonymous()
    response = await client.post("/api/auth/register", json={"username": "x", "password": "y"})
    assert (response.status, await response.json()) == (400, body)


async def test_the_html_login_form_sets_the_cookie_and_returns_to_a_local_path(
    standin: Standin,
) -> None:
    client = await standin.anonymous()
    page = await client.get("/login?return_to=%2Fapi%2Fprojects")
    html = await page.text()
    assert page.status == 200
    assert "Development stand-in" in html
    assert '<form method="POST" action="/login">' in html
    assert 'name="return_to" value="/api/projects"' in html
    form = {"username": "alice", "password": "pw", "return_to": "/api/projects"}
    response = await client.post("/login", data=form, allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (303, "/api/projects")
    assert SESSION_COOKIE.match(response.headers["Set-Cookie"])
    assert (await client.get("/api/projects", allow_redirects=False)).status == 200


@pytest.mark.parametrize("revision", ["jan"])
@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil", ""])
async def test_the_html_login_form_never_redirects_off_site(standin: Standin, target: str) -> None:
    client = await standin.anonymous()
    form = {"username": "alice", "password": "pw", "return_to": target}
    response = await client.post("/login", data=form, allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (303, "/")


@pytest.mark.parametrize("revision", ["jan"])
async def test_the_html_login_form_shows_a_refusal(standin: Standin) -> None:
    client = await standin.anonymous()
    form = {"username": "alice", "password": "nope", "return_to": "/"}
    response = await client.post("/login", data=form, allow_redirects=False)
    assert response.status == 401
    assert "Invalid username or password" in await response.text()
    assert "Set-Cookie" not in response.headers


async def test_the_login_page_explains_an_authorize_error(standin: Standin) -> None:
    """§3.4: the consent page sends unknown clients to /login?error=invalid_client."""
    client = await standin.anonymous()
    page = await client.get("/login?error=invalid_client")
    assert "is not registered" in await page.text()
    register = await client.get("/register")
    assert register.status == 200
    assert "Registration is currently disabled" in await register.text()
