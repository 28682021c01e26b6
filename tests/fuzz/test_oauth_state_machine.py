"""A stateful model of the token lifecycle, checked by hypothesis against the real
authorization server (oauth-checklist C3-C6, T7-T9, V1-V3, N3; RFC 9700 §4.14.2).

Rules: register a client; authorize it (through our consent page, the stand-in's
login and consent pages and our callback, in a scripted browser); exchange a code
(first time or a replay); refresh with any refresh token ever issued (current,
inside its grace window, or stale); revoke any token; let 45 s pass (longer than the
30 s grace window). After every step every token ever issued is introspected.

The invariants, each asserted on the exact response:

* a revoked grant never yields a working token (no introspection, no exchange, no
  refresh of anything of that grant succeeds again);
* a replayed code never yields a second token set (and revokes the grant: C4);
* a rotated refresh token outside the grace window, or after its successor was used,
  never works (and its reuse revokes the grant: T8).

The users have no TaskManager data, so each authorization gets its own pseudonymous
grant (README: "A user with no data yet ... gets a pseudonymous subject"): grants are
independent, which keeps the model exact.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from taskmcp.oauth.policy import OAuthPolicy, RateLimit
from tests.support.stack import Stack, run_stack

T = TypeVar("T")
STEP = timedelta(seconds=45)  # longer than the 30 s refresh grace window
CODE_TTL = 120.0  # seconds (OAuthPolicy.code_ttl)
GRACE = 30.0  # seconds (OAuthPolicy.refresh_grace)
MANY = RateLimit(1_000_000, 60)
POLICY = OAuthPolicy(
    register_limit=MANY,
    authorize_limit=MANY,
    token_limit=MANY,
    revoke_limit=MANY,
    introspect_limit=MANY,
    max_dynamic_clients=1_000_000,
)
_ids = itertools.count()


@dataclass(eq=False)
class GrantModel:
    client_id: str
    revoked: bool = False


@dataclass(eq=False)
class CodeModel:
    value: str
    verifier: str
    grant: GrantModel
    issued_at: float
    redeemed: bool = False


@dataclass(eq=False)
class AccessModel:
    value: str
    grant: GrantModel
    revoked: bool = False


@dataclass(eq=False)
class RefreshModel:
    value: str
    grant: GrantModel
    parent: RefreshModel | None
    rotated_at: float | None = None
    grace_closed: bool = False  # one of its successors was rotated


@dataclass
class Runner:
    """Runs the stack's coroutines on the state machine's private event loop."""

    loop: asyncio.AbstractEventLoop
    stack: Stack

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)


def _error(error: str, description: str) -> dict[str, str]:
    return {"error": error, "error_description": description}


class TokenLifecycle(RuleBasedStateMachine):
    runner: Runner  # set by the test before the machine runs

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0  # seconds the authorization server's clock was moved
        self.clients: list[str] = []
        self.codes: list[CodeModel] = []
        self.issued: list[AccessModel | RefreshModel] = []

    @property
    def stack(self) -> Stack:
        return self.runner.stack

    def _post(self, path: str, form: dict[str, str]) -> tuple[int, Any]:
        async def send() -> tuple[int, Any]:
            resp = await self.stack.post(path, form)
            return resp.status, (await resp.json() if resp.content_length else None)

        return self.runner.run(send())

    def _pair(self, grant: GrantModel, body: dict[str, Any], parent: RefreshModel | None) -> None:
        assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}
        assert body["token_type"] == "Bearer"
        self.issued += [
            AccessModel(body["access_token"], grant),
            RefreshModel(body["refresh_token"], grant, parent),
        ]

    def _refresh_tokens(self) -> list[RefreshModel]:
        return [token for token in self.issued if isinstance(token, RefreshModel)]

    # -- rules ---------------------------------------------------------------------------

    @initialize()
    def two_clients(self) -> None:
        for _ in range(2):
            client = self.runner.run(self.stack.register(client_name=f"model {next(_ids)}"))
            self.clients.append(str(client["client_id"]))

    @rule(data=st.data(), user=st.sampled_from(["alice", "bob"]))
    def authorize(self, data: st.DataObject, user: str) -> None:
        """A code, not redeemed yet."""
        client_id = data.draw(st.sampled_from(self.clients), label="client")
        code, verifier = self.runner.run(self.stack.code_flow(client_id, user=user))
        self.codes.append(CodeModel(code, verifier, GrantModel(client_id), issued_at=self.now))

    @rule(data=st.data(), user=st.sampled_from(["alice", "bob"]))
    def sign_in(self, data: st.DataObject, user: str) -> None:
        """A code, redeemed at once (what clients do): the tokens are in play."""
        self.authorize(data, user)
        self._exchange(self.codes[-1])

    @precondition(lambda self: self.codes)
    @rule(data=st.data())
    def exchange(self, data: st.DataObject) -> None:
        """First redemption or a replay of any code ever issued."""
        self._exchange(data.draw(st.sampled_from(self.codes), label="code"))

    def _exchange(self, code: CodeModel) -> None:
        form = {
            "grant_type": "authorization_code",
            "code": code.value,
            "code_verifier": code.verifier,
            "redirect_uri": "http://127.0.0.1:9/cb",
            "client_id": code.grant.client_id,
            "resource": self.stack.resource,
        }
        status, body = self._post("/token", form)
        if self.now - code.issued_at >= CODE_TTL:
            event("exchange: expired code")
            expected = _error("invalid_grant", "unknown, expired or foreign authorization code")
            assert (status, body) == (400, expected)
        elif code.redeemed:  # a replay never yields a second token set, and revokes (C4)
            event("exchange: replay")
            expected = _error("invalid_grant", "authorization code already used")
            assert (status, body) == (400, expected)
            code.grant.revoked = True
        elif code.grant.revoked:
            event("exchange: revoked grant")
            expected = _error("invalid_grant", "the authorization is no longer valid")
            assert (status, body) == (400, expected)
        else:
            assert status == 200, body
            code.redeemed = True
            self._pair(code.grant, body, parent=None)

    @precondition(lambda self: self._refresh_tokens())
    @rule(data=st.data())
    def refresh(self, data: st.DataObject) -> None:
        """With any refresh token ever issued: current, in its grace window, or stale."""
        token = data.draw(st.sampled_from(self._refresh_tokens()), label="refresh token")
        form = {
            "grant_type": "refresh_token",
            "refresh_token": token.value,
            "client_id": token.grant.client_id,
        }
        status, body = self._post("/token", form)
        if token.grant.revoked:  # a revoked grant never yields a working token
            event("refresh: revoked grant")
            expected = _error("invalid_grant", "unknown, expired or foreign refresh token")
            assert (status, body) == (400, expected)
        elif token.rotated_at is None:
            assert status == 200, body
            token.rotated_at = self.now
            if token.parent is not None:
                token.parent.grace_closed = True
            self._pair(token.grant, body, parent=token)
        elif not token.grace_closed and self.now - token.rotated_at < GRACE:
            event("refresh: inside the grace window")
            assert status == 200, body  # T9: inside the grace window, successor unused
            self._pair(token.grant, body, parent=token)
        else:  # T8: reuse outside the grace window revokes the whole grant
            event("refresh: reuse, " + ("successor used" if token.grace_closed else "late"))
            expected = _error("invalid_grant", "refresh token already used")
            assert (status, body) == (400, expected)
            token.grant.revoked = True

    @precondition(lambda self: self.issued)
    @rule(data=st.data())
    def revoke(self, data: st.DataObject) -> None:
        token = data.draw(st.sampled_from(self.issued), label="token")
        form = {"token": token.value, "client_id": token.grant.client_id}
        assert self._post("/revoke", form) == (200, None)
        if isinstance(token, RefreshModel):
            token.grant.revoked = True  # V3: a refresh token's revocation ends its grant
        else:
            token.revoked = True

    @rule()
    def time_passes(self) -> None:
        self.stack.clock.advance(STEP)
        self.now += STEP.total_seconds()

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def every_token_is_exactly_as_alive_as_the_model_says(self) -> None:
        for token in self.issued:
            if isinstance(token, AccessModel):
                alive = not token.grant.revoked and not token.revoked
                status, body = self.runner.run(self.stack.introspect(token.value))
            else:
                alive = not token.grant.revoked and token.rotated_at is None
                status, body = self.runner.run(
                    self.stack.introspect(token.value, token_type_hint="refresh_token")
                )
            assert status == 200
            if alive:
                assert body["active"] is True, token
                assert str(body["sub"]).startswith("anon:")
            else:
                assert body == {"active": False}, token


def test_the_token_lifecycle_keeps_its_invariants() -> None:
    loop = asyncio.new_event_loop()
    try:
        context = run_stack("memory://", policy=POLICY)
        stack = loop.run_until_complete(context.__aenter__())
        try:
            TokenLifecycle.runner = Runner(loop, stack)
            run_state_machine_as_test(
                TokenLifecycle,
                settings=settings(
                    max_examples=10,
                    stateful_step_count=15,
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                ),
            )
        finally:
            loop.run_until_complete(context.__aexit__(None, None, None))
    finally:
        loop.close()
