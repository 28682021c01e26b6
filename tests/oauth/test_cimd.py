"""Client ID Metadata Documents over real HTTPS (MCP 2026-07-28 client registration;
draft-ietf-oauth-client-id-metadata-document-02 §3, §5, §8.6, §8.7; oauth-checklist
F1-F4, §16 "Registration and CIMD").

Documents are served by an in-process aiohttp app over TLS with a certificate from a
private CA generated here with ``cryptography``; the fetch session trusts only that CA.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pytest_aiohttp import AiohttpServer

from taskmcp.oauth.cimd import (
    BlockedAddressError,
    CimdFetcher,
    GuardedResolver,
    cache_lifetime,
    is_cimd_client_id,
    is_public_address,
    open_cimd_session,
)
from taskmcp.oauth.errors import InvalidClient, TemporarilyUnavailable

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
NOT_PUBLIC = "client_id host is not a public address"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# -- a private CA and a TLS server ----------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("taskmcp test CA"))
        .issuer_name(_name("taskmcp test CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(UTC) - timedelta(minutes=5))
        .not_valid_after(datetime.now(UTC) + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName("localhost"), x509.DNSName("cimd.test")]
    names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(UTC) - timedelta(minutes=5))
        .not_valid_after(datetime.now(UTC) + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(aki, critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """``(server context, client context trusting only the test CA)``."""
    ca_key, ca = _ca()
    cert_pem, key_pem = _leaf(ca_key, ca)
    directory: Path = tmp_path_factory.mktemp("tls")
    (directory / "cert.pem").write_bytes(cert_pem)
    (directory / "key.pem").write_bytes(key_pem)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    client = ssl.create_default_context(cadata=ca.public_bytes(serialization.Encoding.PEM).decode())
    return server, client


class _Documents:
    """A fake client-metadata host: ``routes`` maps a path to a handler."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.seen: list[tuple[str, str | None]] = []
        self.release = asyncio.Event()
        self.origin = ""

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return self.origin.replace("127.0.0.1", host) + path

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append((request.path, request.headers.get("Host")))
        handler = self.routes.get(request.path)
        if handler is None:
            raise web.HTTPNotFound()
        return await handler(request)

    def serve(self, path: str, body: Any, **headers: str) -> str:
        """Serve ``body`` (a document, or raw bytes) as JSON at ``path``; returns its URL."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()

        async def handler(_request: web.Request) -> web.StreamResponse:
            response_headers = {"Content-Type": "application/json", **headers}
            return web.Response(body=raw, headers=response_headers)

        self.routes[path] = handler
        return self.url(path)

    def document(self, path: str, **fields: Any) -> dict[str, Any]:
        return {
            "client_id": self.url(path),
            "client_name": "Example MCP client",
            "redirect_uris": ["http://127.0.0.1/callback", "https://app.example/cb"],
            "token_endpoint_auth_method": "none",
            **fields,
        }


@pytest.fixture
async def docs(
    aiohttp_server: AiohttpServer, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> AsyncIterator[_Documents]:
    documents = _Documents()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", documents.handle)
    server = await aiohttp_server(app, host="127.0.0.1", ssl=tls[0])
    documents.origin = f"https://127.0.0.1:{server.port}"
    yield documents
    documents.release.set()


@pytest.fixture
async def http(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> AsyncIterator[aiohttp.ClientSession]:
    async with open_cimd_session(allow_private=True, ssl_context=tls[1]) as session:
        yield session


@pytest.fixture
async def guarded_http(
    tls: tuple[ssl.SSLContext, ssl.SSLContext],
) -> AsyncIterator[aiohttp.ClientSession]:
    async with open_cimd_session(allow_private=False, ssl_context=tls[1]) as session:
        yield session


class _Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def _fetcher(http: aiohttp.ClientSession, *, allow_private: bool = True, **kw: Any) -> CimdFetcher:
    return CimdFetcher(http, allow_private=allow_private, clock=kw.pop("clock", _Clock()), **kw)


async def _refused(fetcher: CimdFetcher, url: str) -> str:
    with pytest.raises(InvalidClient) as info:
        await fetcher.fetch(url)
    assert info.value.status == 401
    return info.value.description or ""


# -- client id URLs -------------------------------------------------------------------


@pytest.mark.parametrize(
    "client_id",
    [
        "https://claude.ai/oauth/claude-code-client-metadata",
        "https://claude.ai/oauth/mcp-oauth-client-metadata",
        "https://chatgpt.com/oauth/abc/client.json",
        "https://example.com:8443/client.json",
        "https://example.com/a/",
    ],
)
def test_https_urls_with_a_path_are_client_metadata_ids(client_id: str) -> None:
    """Draft §3: https, with a path component."""
    assert is_cimd_client_id(client_id)


@pytest.mark.parametrize(
    "client_id",
    [
        "https://example.com",
        "https://example.com/",
        "http://example.com/client.json",
        "HTTPS://example.com/client.json",
        "https://example.com/client.json?v=1",
        "https://example.com/client.json?",
        "https://example.com/client.json#x",
        "https://user@example.com/client.json",
        "https://user:pw@example.com/client.json",
        "https://example.com/a/../client.json",
        "https://example.com/./client.json",
        "https://example.com/a/%2e%2E/client.json",
        "https:///client.json",
        "https://example.com:99999/client.json",
        "https://example.com/client json",
        "https://example.com/" + "a" * 2048,
        "4f0c6a0e-9b8e-4b7e-8f7e-0d1f1c2b3a4d",
        "",
    ],
)
def test_other_strings_are_not_client_metadata_ids(client_id: str) -> None:
    """Draft §3: no fragment, userinfo or dot segments; by policy also no query."""
    assert not is_cimd_client_id(client_id)


# -- addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0",  # noqa: S104 (an address under test, not a bind)
        "0.1.2.3",
        "10.0.0.1",
        "100.64.0.1",
        "127.0.0.1",
        "127.8.8.8",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "192.0.0.1",
        "198.18.0.1",
        "224.0.0.1",
        "239.1.1.1",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "fe80::1%eth0",
        "ff02::1",
        "ff0e::1",
        "64:ff9b::a00:1",
        "64:ff9b::808:808",
        "2002:a00:1::1",
        "2001:db8::1",
        "::a00:1",
        "localhost",
        "example.com",
        "",
    ],
)
def test_private_reserved_and_special_addresses_are_not_public(address: str) -> None:
    """F4: ``ipaddress``-based, IPv4-mapped and IPv4-embedding IPv6 unwrapped."""
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1"]
)
def test_globally_routable_addresses_are_public(address: str) -> None:
    assert is_public_address(address)


class _StubResolver(AbstractResolver):
    """Answers every lookup with fixed addresses (for testing the guard around it)."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses
        self.lookups: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.lookups.append(host)
        return [
            ResolveResult(hostname=host, host=a, port=port, family=socket.AF_INET, proto=0, flags=0)
            for a in self.addresses
        ]

    async def close(self) -> None:
        return None


@pytest.mark.parametrize(
    "addresses", [("10.0.0.1",), ("93.184.215.14", "127.0.0.1"), ("::ffff:192.168.0.1",), ()]
)
async def test_the_guard_refuses_an_answer_with_any_private_address(
    addresses: tuple[str, ...],
) -> None:
    """F3: one bad address poisons the whole answer."""
    with pytest.raises(BlockedAddressError):
        await GuardedResolver(_StubResolver(*addresses)).resolve("cimd.example", 443)


async def test_the_guard_passes_public_answers_through() -> None:
    results = await GuardedResolver(_StubResolver("93.184.215.14")).resolve("cimd.example", 443)
    assert [r["host"] for r in results] == ["93.184.215.14"]


async def test_the_guard_refuses_localhost_through_the_real_system_resolver() -> None:
    """F3: ``localhost`` resolves (for real, via getaddrinfo) to loopback."""
    with pytest.raises(BlockedAddressError):
        await GuardedResolver(aiohttp.ThreadedResolver()).resolve("localhost", 443)


# -- SSRF refusals (allow_private=False) ------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/x",
        "https://169.254.169.254/latest",
        "https://[::ffff:10.0.0.1]/x",
        "https://[::1]/x",
        "https://10.1.2.3:8443/client.json",
        "https://[fe80::1]/x",
    ],
)
async def test_ip_literal_hosts_that_are_not_public_are_refused_before_connecting(
    guarded_http: aiohttp.ClientSession, url: str
) -> None:
    """Checklist §16: the fetcher refuses 127.0.0.1, 169.254.169.254, [::ffff:10.0.0.1]."""
    assert await _refused(_fetcher(guarded_http, allow_private=False), url) == NOT_PUBLIC


async def test_a_dns_name_resolving_to_loopback_is_refused_before_any_request(
    docs: _Documents, guarded_http: aiohttp.ClientSession
) -> None:
    """F3 with the real resolver: ``localhost`` is served here, but is never contacted."""
    docs.serve("/client.json", docs.document("/client.json"))
    url = docs.url("/client.json", host="localhost")
    assert await _refused(_fetcher(guarded_http, allow_private=False), url) == NOT_PUBLIC
    assert docs.seen == []


async def test_the_guarded_session_itself_refuses_private_ip_literals(
    docs: _Documents, guarded_http: aiohttp.ClientSession
) -> None:
    """aiohttp skips the resolver for IP literals; the session's trace hook catches them."""
    docs.serve("/client.json", docs.document("/client.json"))
    with pytest.raises(BlockedAddressError):
        await guarded_http.get(docs.url("/client.json"))
    assert docs.seen == []


async def test_a_dns_name_resolving_to_a_private_address_is_refused(
    tls: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    """Checklist §16: "a DNS name that resolves to a private address"."""
    stub = _StubResolver("10.0.0.7")
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(stub), ssl=tls[1])
    async with aiohttp.ClientSession(connector=connector) as session:
        fetcher = _fetcher(session, allow_private=False)
        assert await _refused(fetcher, "https://cimd.test/client.json") == NOT_PUBLIC
    assert stub.lookups == ["cimd.test"]


async def test_the_connection_goes_to_the_vetted_address_with_the_original_host(
    docs: _Documents, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    """F3: the resolver's answer is what is connected to; Host and SNI stay the name."""
    url = docs.url("/client.json", host="cimd.test")
    docs.serve("/client.json", {**docs.document("/client.json"), "client_id": url})
    connector = aiohttp.TCPConnector(resolver=_StubResolver("127.0.0.1"), ssl=tls[1])
    async with aiohttp.ClientSession(connector=connector) as session:
        client = await _fetcher(session).fetch(url)
    assert client.client_id == url
    assert docs.seen == [("/client.json", url.split("/")[2])]


async def test_the_peer_address_is_checked_even_with_a_permissive_session(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    """Defense in depth: a fetcher that forbids private addresses checks the socket peer."""
    url = docs.url("/client.json", host="localhost")
    docs.serve("/client.json", {**docs.document("/client.json"), "client_id": url})
    assert await _refused(_fetcher(http, allow_private=False), url) == NOT_PUBLIC


# -- fetching and validating ----------------------------------------------------------


async def test_a_valid_document_becomes_a_cimd_client_cached_for_max_age(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    """F1: unknown fields are kept in ``metadata``; F2: cached per Cache-Control."""
    document = docs.document("/client.json", logo_uri="https://app.example/l.png", x_extra=[1])
    url = docs.serve("/client.json", document, **{"Cache-Control": "public, max-age=7200"})
    client = await _fetcher(http).fetch(url)
    assert client.source == "cimd"
    assert client.client_id == url
    assert client.token_endpoint_auth_method == "none"
    assert client.secret_hash is None
    assert client.redirect_uris == ("http://127.0.0.1/callback", "https://app.example/cb")
    assert client.client_name == "Example MCP client"
    assert client.application_type == "native"
    assert client.metadata == document
    assert (client.created_at, client.expires_at) == (NOW, NOW + timedelta(hours=2))


@pytest.mark.parametrize(
    ("cache_control", "lifetime"),
    [
        (None, timedelta(hours=1)),
        ("max-age=60", timedelta(minutes=5)),
        ("max-age=0", timedelta(minutes=5)),
        ("max-age=86400", timedelta(days=1)),
        ("max-age=99999999", timedelta(days=7)),
        ('public, max-age="3000"', timedelta(seconds=3000)),
        ("no-store", timedelta(minutes=5)),
        ("no-cache, max-age=86400", timedelta(minutes=5)),
        ("max-age=soon", timedelta(hours=1)),
        ("private", timedelta(hours=1)),
    ],
)
def test_cache_lifetime_is_clamped_between_five_minutes_and_seven_days(
    cache_control: str | None, lifetime: timedelta
) -> None:
    assert cache_lifetime(cache_control) == lifetime


async def test_no_store_still_keeps_the_client_long_enough_to_finish_a_flow(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    url = docs.serve("/c.json", docs.document("/c.json"), **{"Cache-Control": "no-store"})
    client = await _fetcher(http).fetch(url)
    assert client.expires_at == NOW + timedelta(minutes=5)


async def test_application_type_and_grant_types_are_taken_from_the_document(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    document = docs.document(
        "/c.json", application_type="web", grant_types=["authorization_code", "urn:x"]
    )
    client = await _fetcher(http).fetch(docs.serve("/c.json", document))
    assert client.application_type == "web"
    assert client.grant_types == ("authorization_code",)
    assert client.response_types == ("code",)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"client_id": "https://elsewhere.example/c.json"}, "does not match"),
        ({"client_id": None}, "does not match"),
        ({"redirect_uris": None}, "redirect_uris"),
        ({"redirect_uris": []}, "redirect_uris"),
        ({"redirect_uris": "https://app.example/cb"}, "redirect_uris"),
        ({"redirect_uris": [42]}, "redirect_uris"),
        ({"redirect_uris": ["http://app.example/cb"]}, "loopback"),
        ({"redirect_uris": ["https://app.example/cb#x"]}, "fragment"),
        ({"token_endpoint_auth_method": "client_secret_basic"}, "none"),
        ({"client_secret": "s3cret"}, "none"),
        ({"client_name": "x" * 201}, "client_name"),
        ({"client_name": 7}, "client_name"),
        ({"application_type": "desktop"}, "application_type"),
        ({"grant_types": ["client_credentials"]}, "grant_types"),
        ({"response_types": "code"}, "response_types"),
        ({"scope": ["read"]}, "scope"),
    ],
)
async def test_invalid_documents_are_refused(
    docs: _Documents, http: aiohttp.ClientSession, change: dict[str, Any], reason: str
) -> None:
    """F1 (draft §4, §8.1): client_id equals the URL; redirect URIs pass R1."""
    document = {**docs.document("/c.json"), **change}
    if change.get("redirect_uris") is None and "redirect_uris" in change:
        del document["redirect_uris"]
    url = docs.serve("/c.json", document)
    assert reason in await _refused(_fetcher(http), url)


async def test_a_client_id_that_differs_only_by_a_trailing_slash_is_a_mismatch(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    url = docs.serve("/c.json", {**docs.document("/c.json"), "client_id": docs.url("/c.json/")})
    assert "does not match" in await _refused(_fetcher(http), url)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>hello</html>", "valid JSON"),
        (b'["not", "an", "object"]', "JSON object"),
        (b'{"client_id": NaN}', "valid JSON"),
        (b"\xff\xfe{}", "valid JSON"),
        (b"[" * 2500 + b"]" * 2500, "valid JSON"),
        (b"", "valid JSON"),
    ],
)
async def test_bodies_that_are_not_a_json_object_are_refused(
    docs: _Documents, http: aiohttp.ClientSession, body: bytes, reason: str
) -> None:
    assert reason in await _refused(_fetcher(http), docs.serve("/c.json", body))


@pytest.mark.parametrize("content_type", ["text/html", "text/plain", "application/octet-stream"])
async def test_a_non_json_content_type_is_refused(
    docs: _Documents, http: aiohttp.ClientSession, content_type: str
) -> None:
    url = docs.serve("/c.json", docs.document("/c.json"), **{"Content-Type": content_type})
    assert "JSON" in await _refused(_fetcher(http), url)


async def test_a_structured_json_content_type_is_accepted(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    headers = {"Content-Type": "application/oauth-client-metadata+json; charset=utf-8"}
    url = docs.serve("/c.json", docs.document("/c.json"), **headers)
    assert (await _fetcher(http).fetch(url)).client_id == url


async def test_a_body_over_five_kilobytes_is_refused(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    """F2 (draft §8.7): at most 5 KB, announced by Content-Length."""
    url = docs.serve("/c.json", docs.document("/c.json", padding="x" * 5200))
    assert "larger than 5120 bytes" in await _refused(_fetcher(http), url)


async def test_a_streamed_body_over_the_limit_is_cut_off_while_reading(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    """No Content-Length (chunked): the limit is enforced on the bytes received."""

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b'{"padding": "')
        for _ in range(64):
            await response.write(b"x" * 1000)
        return response

    docs.routes["/c.json"] = endless
    assert "larger than" in await _refused(_fetcher(http), docs.url("/c.json"))


async def test_a_document_exactly_at_the_limit_is_accepted(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    document = docs.document("/c.json", padding="")
    size = len(json.dumps(document).encode())
    document["padding"] = "x" * (5120 - size)
    url = docs.serve("/c.json", document)
    assert (await _fetcher(http).fetch(url)).metadata["padding"] == document["padding"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_never_followed(
    docs: _Documents, http: aiohttp.ClientSession, status: int
) -> None:
    """F2: a 3xx is an error, even towards a valid document."""
    target = docs.serve("/real.json", docs.document("/real.json"))

    async def redirect(_request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": target})

    docs.routes["/c.json"] = redirect
    assert "redirect" in await _refused(_fetcher(http), docs.url("/c.json"))
    assert [path for path, _host in docs.seen] == ["/c.json"]


async def test_an_error_status_is_refused(docs: _Documents, http: aiohttp.ClientSession) -> None:
    assert "HTTP 404" in await _refused(_fetcher(http), docs.url("/missing.json"))


async def test_a_content_encoded_body_is_refused(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    url = docs.serve("/c.json", docs.document("/c.json"), **{"Content-Encoding": "gzip"})
    assert "content-encoded" in await _refused(_fetcher(http), url)


async def test_a_slow_host_times_out(docs: _Documents, http: aiohttp.ClientSession) -> None:
    async def stall(_request: web.Request) -> web.StreamResponse:
        await docs.release.wait()
        return web.json_response(docs.document("/c.json"))

    docs.routes["/c.json"] = stall
    fetcher = _fetcher(http, timeout=0.2)
    assert "timed out" in await _refused(fetcher, docs.url("/c.json"))


async def test_an_unreachable_host_is_an_invalid_client(http: aiohttp.ClientSession) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"https://127.0.0.1:{port}/c.json"
    assert "could not connect" in await _refused(_fetcher(http), url)


async def test_a_certificate_the_session_does_not_trust_is_refused(docs: _Documents) -> None:
    """https means verified https: the system store does not know the test CA."""
    url = docs.serve("/c.json", docs.document("/c.json"))
    async with open_cimd_session(allow_private=True) as untrusting:
        assert "could not connect" in await _refused(_fetcher(untrusting), url)


async def test_fetches_are_rate_limited_per_host(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    """F2: ten fetches a minute per host, then 503 temporarily_unavailable + Retry-After."""
    url = docs.serve("/c.json", docs.document("/c.json"))
    clock = _Clock()
    fetcher = _fetcher(http, clock=clock)
    for _ in range(10):
        await fetcher.fetch(url)
    with pytest.raises(TemporarilyUnavailable) as info:
        await fetcher.fetch(url)
    assert (info.value.status, info.value.retry_after) == (503, 6)
    other = docs.url("/c.json", host="localhost")
    docs.serve("/other.json", docs.document("/other.json"))
    assert "does not match" in await _refused(fetcher, other)  # another host: not limited
    clock.now += timedelta(seconds=6)
    assert (await fetcher.fetch(url)).client_id == url


async def test_a_failed_fetch_is_not_remembered(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    """F2: never cache errors; the next attempt fetches again."""
    fetcher = _fetcher(http)
    url = docs.serve("/c.json", {**docs.document("/c.json"), "client_id": "https://x.example/y"})
    await _refused(fetcher, url)
    docs.serve("/c.json", docs.document("/c.json"))
    assert (await fetcher.fetch(url)).client_id == url
    assert len(docs.seen) == 2


async def test_the_request_carries_no_cookies_and_asks_for_identity_json(
    docs: _Documents, http: aiohttp.ClientSession
) -> None:
    captured: list[dict[str, str]] = []

    async def capture(request: web.Request) -> web.StreamResponse:
        captured.append(dict(request.headers))
        response = web.json_response(docs.document("/c.json"))
        response.set_cookie("tracker", "1")
        return response

    docs.routes["/c.json"] = capture
    fetcher = _fetcher(http)
    await fetcher.fetch(docs.url("/c.json"))
    await fetcher.fetch(docs.url("/c.json"))
    assert "Cookie" not in captured[1]
    assert captured[0]["Accept"] == "application/json"
    assert captured[0]["Accept-Encoding"] == "identity"


async def test_a_non_metadata_client_id_is_refused_without_fetching(
    http: aiohttp.ClientSession,
) -> None:
    assert "not a valid" in await _refused(_fetcher(http), "http://example.com/client.json")
