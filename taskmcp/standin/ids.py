"""Integer ids in paths (§4.1, §4.2): all digits, or the revision's 400."""

from __future__ import annotations

import re

from aiohttp import web

from taskmcp.standin.columns import INT4_MAX
from taskmcp.standin.envelopes import Problem
from taskmcp.standin.errors import ApiError, DatabaseFailure

__all__ = ["path_id"]

_DIGITS = re.compile(r"\d+")


def path_id(request: web.Request, problem: Problem) -> int:
    """``{id}`` as an int; raises ``ApiError(problem)`` when it is not an integer."""
    raw = request.match_info["id"]
    if not _DIGITS.fullmatch(raw):
        raise ApiError(problem)
    if int(raw) > INT4_MAX:
        raise DatabaseFailure(f'value "{raw}" is out of range for type integer')
    return int(raw)
