"""Request parameters (OAuth 2.1 §3.1, §3.2; checklist A6, A7).

Parameters sent twice are rejected; an empty value counts as absent; unknown
parameters are ignored. ``resource`` is the one parameter that may legitimately repeat
(RFC 8707 §2 allows several; we then answer ``invalid_target``), so it is read with
``all_values``.
"""

from __future__ import annotations

from typing import Any

from multidict import MultiMapping

from taskmcp.oauth.errors import InvalidRequest

__all__ = ["MAX_VALUE", "Params"]

MAX_VALUE = 4096


class Params:
    """Typed access to a query string or form body."""

    def __init__(self, raw: MultiMapping[Any]) -> None:
        self._raw = raw

    def get(self, name: str) -> str | None:
        values = self.all_values(name)
        if len(values) > 1:
            raise InvalidRequest(f"parameter {name} was sent more than once")
        return values[0] if values else None

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise InvalidRequest(f"missing parameter {name}")
        return value

    def all_values(self, name: str) -> list[str]:
        values = self._raw.getall(name, [])
        if not all(isinstance(value, str) for value in values):
            raise InvalidRequest(f"parameter {name} must be text")
        values = [value for value in values if value != ""]
        if any(len(value) > MAX_VALUE for value in values):
            raise InvalidRequest(f"parameter {name} is too long")
        return values
