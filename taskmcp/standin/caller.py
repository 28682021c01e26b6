"""Who is calling: the user a request acts as, once the auth gate has decided (§2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Caller"]


@dataclass(frozen=True)
class Caller:
    user_id: int
    via: Literal["session", "bearer"]
