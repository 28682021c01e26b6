"""Optional in-process TLS for both services (``--tls-cert``/``--tls-key``).

Both files are PEM; the settings have already checked that both or neither are given
and that they exist. A pair that does not load (not PEM, key does not match) is a
configuration error. TLS 1.2 is the minimum.
"""

from __future__ import annotations

import ssl

from taskmcp.config import AuthSettings, ConfigError, ResourceSettings

__all__ = ["server_ssl_context"]


def server_ssl_context(settings: AuthSettings | ResourceSettings) -> ssl.SSLContext | None:
    """The server-side TLS context, or ``None`` to serve plain HTTP."""
    if settings.tls_cert is None or settings.tls_key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(settings.tls_cert, settings.tls_key)
    except (ssl.SSLError, OSError):
        raise ConfigError(
            "TASKMCP_TLS_CERT/TASKMCP_TLS_KEY: cannot load them as a matching PEM "
            "certificate chain and private key"
        ) from None
    return context
