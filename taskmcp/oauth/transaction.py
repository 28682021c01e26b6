"""The consent transaction: what ``/authorize`` validated, carried through the consent
form sealed (AES-GCM, so it can be neither read nor forged), and the browser cookie
that binds it to the browser that saw the page (checklist U4, U8, U9).

Nothing is stored before consent (architecture: "we validate, store nothing yet").
The sealed form value is the CSRF token: it is bound to the transaction, to the
browser (the hash of the cookie nonce travels inside it), expires after
``pending_ttl``, and is single-use because the upstream ``state`` is derived from the
transaction id and storage refuses a second pending authorization with that state.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from taskmcp.crypto import Sealer, SealError

__all__ = ["BrowserCookie", "ConsentTransaction", "open_transaction", "seal_transaction"]

_CONTEXT = "taskmcp/consent-transaction/v1"


class ConsentTransaction(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    txn_id: str
    client_id: str
    redirect_uri: str
    redirect_uri_explicit: bool
    scopes: tuple[str, ...]
    resource: str
    code_challenge: str
    state: str | None
    browser_hash: str
    issued_at: AwareDatetime


def seal_transaction(sealer: Sealer, txn: ConsentTransaction) -> str:
    return sealer.seal(txn.model_dump_json().encode(), context=_CONTEXT)


def open_transaction(sealer: Sealer, sealed: str) -> ConsentTransaction | None:
    try:
        return ConsentTransaction.model_validate_json(sealer.unseal(sealed, context=_CONTEXT))
    except (SealError, ValidationError):
        return None


class BrowserCookie:
    """A random per-browser nonce in a cookie: ``__Host-`` prefixed, Secure, HttpOnly and
    SameSite=Lax when the issuer is https; without prefix and Secure on plain-http
    development issuers, where browsers and HTTP libraries would drop it otherwise."""

    def __init__(self, *, secure: bool, max_age: int) -> None:
        self.secure = secure
        self.name = "__Host-taskmcp-browser" if secure else "taskmcp-browser"
        self.max_age = max_age

    def read(self, request: web.Request) -> str | None:
        value = request.cookies.get(self.name)
        return value if value and len(value) <= 64 else None

    def read_or_new(self, request: web.Request) -> str:
        return self.read(request) or secrets.token_urlsafe(32)

    def set(self, response: web.StreamResponse, value: str) -> None:
        response.set_cookie(
            self.name, value, max_age=self.max_age, path="/", secure=self.secure,
            httponly=True, samesite="Lax",
        )  # fmt: skip


def is_fresh(txn: ConsentTransaction, now: datetime, max_age_seconds: float) -> bool:
    return 0 <= (now - txn.issued_at).total_seconds() <= max_age_seconds
