"""In-process TLS for both services (``--tls-cert``/``--tls-key``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from pathlib import Path

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from taskmcp.cli import build_parser, main
from taskmcp.config import AuthSettings, ConfigError, ResourceSettings
from taskmcp.resource_app import create_resource_app
from taskmcp.runner import serve
from taskmcp.tls import server_ssl_context
from taskmcp.tools import default_registry


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert, pem_key = directory / "cert.pem", directory / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    pem_key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, pem_key


@pytest.mark.parametrize("cls", [AuthSettings, ResourceSettings])
def test_tls_needs_both_files(cls: type[AuthSettings | ResourceSettings], tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    with pytest.raises(ConfigError, match=r"^TASKMCP_TLS_KEY: required when TASKMCP_TLS_CERT"):
        cls.load({"TASKMCP_TLS_CERT": str(cert)})
    with pytest.raises(ConfigError, match=r"^TASKMCP_TLS_CERT: required when TASKMCP_TLS_KEY"):
        cls.load({"TASKMCP_TLS_KEY": str(key)})
    with pytest.raises(ConfigError, match=r"^--tls-cert: must name an existing file"):
        cls.load({}, {"tls_cert": str(tmp_path / "missing.pem"), "tls_key": str(key)})
    settings = cls.load({"TASKMCP_TLS_CERT": str(cert), "TASKMCP_TLS_KEY": str(key)})
    assert server_ssl_context(settings) is not None
    assert server_ssl_context(cls.load({})) is None


@pytest.mark.parametrize("command", ["auth", "resource"])
def test_both_commands_take_the_tls_flags(command: str) -> None:
    args = build_parser().parse_args([command, "--tls-cert", "c.pem", "--tls-key", "k.pem"])
    assert (args.tls_cert, args.tls_key) == ("c.pem", "k.pem")


def test_files_that_do_not_load_are_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("not a certificate")
    key.write_text("not a key")
    assert main(["resource", "--tls-cert", str(cert), "--tls-key", str(key)], environ={}) == 2
    err = capsys.readouterr().err
    assert err.startswith("taskmcp: configuration error: TASKMCP_TLS_CERT/TASKMCP_TLS_KEY: ")
    assert err.count("\n") == 1


async def test_the_resource_server_serves_https(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    settings = ResourceSettings.load({"TASKMCP_TLS_CERT": str(cert), "TASKMCP_TLS_KEY": str(key)})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    stop = asyncio.Event()
    app = create_resource_app(settings, tools=default_registry())
    server = asyncio.create_task(
        serve(app, host="127.0.0.1", port=port, stop=stop, ssl_context=server_ssl_context(settings))
    )
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"https://127.0.0.1:{port}/healthz", ssl=False) as response:
                        assert response.status == 200
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            else:
                pytest.fail("the HTTPS server never answered")
            with pytest.raises(aiohttp.ClientError):
                await http.get(f"http://127.0.0.1:{port}/healthz")
    finally:
        stop.set()
        await asyncio.wait_for(server, 10)
