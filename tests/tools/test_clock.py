"""``get_time`` (the one tool in ``default_registry`` today)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest

from taskmcp.taskmanager import TaskManagerClient
from taskmcp.tools import Caller, ToolContext, default_registry
from taskmcp.tools.clock import GET_TIME, OUTPUT_SCHEMA

MOMENT = datetime(2026, 3, 29, 0, 30, 15, tzinfo=UTC)  # 01:30 CET, the night Berlin turns to CEST


class _Silent:
    async def progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        return None

    async def log(self, level: str, data: object) -> None:
        return None


def _context() -> ToolContext:
    caller = Caller(user_id="u", client_id="c", scopes=frozenset({"tasks:read"}))
    unused = cast("TaskManagerClient", None)  # get_time never reaches TaskManager
    return ToolContext(caller=caller, taskmanager=unused, progress=_Silent(), clock=lambda: MOMENT)


async def _call(arguments: dict[str, Any]) -> dict[str, Any]:
    return (await GET_TIME.call(_context(), arguments)).to_wire()


def test_the_default_registry_offers_get_time() -> None:
    registry = default_registry()
    assert registry.get("get_time") is GET_TIME
    descriptor = GET_TIME.descriptor()
    assert descriptor["annotations"] == {
        "title": "Current time",
        "readOnlyHint": True,
        "destructiveHint": False,
        "idempotentHint": True,
        "openWorldHint": False,
    }
    assert descriptor["outputSchema"] == OUTPUT_SCHEMA
    assert GET_TIME.scope == "tasks:read"


async def test_utc_is_the_default() -> None:
    result = await _call({})
    assert result["structuredContent"] == {
        "timezone": "UTC",
        "datetime": "2026-03-29T00:30:15+00:00",
        "date": "2026-03-29",
        "time": "00:30:15",
        "weekday": "Sunday",
        "utc_offset": "+00:00",
        "unix": int(MOMENT.timestamp()),
    }
    assert "isError" not in result


@pytest.mark.parametrize(
    ("zone", "local", "offset"),
    [
        ("Europe/Berlin", "2026-03-29T01:30:15+01:00", "+01:00"),
        ("America/New_York", "2026-03-28T20:30:15-04:00", "-04:00"),
        ("Asia/Kolkata", "2026-03-29T06:00:15+05:30", "+05:30"),
    ],
)
async def test_an_iana_zone(zone: str, local: str, offset: str) -> None:
    structured = (await _call({"timezone": zone}))["structuredContent"]
    assert (structured["timezone"], structured["datetime"], structured["utc_offset"]) == (
        zone,
        local,
        offset,
    )
    assert set(structured) == set(OUTPUT_SCHEMA["required"])


@pytest.mark.parametrize(
    "arguments",
    [{"timezone": "Mars/Olympus"}, {"timezone": "../etc/passwd"}, {"timezone": 5}, {"zone": "UTC"}],
)
async def test_bad_arguments_are_tool_errors(arguments: dict[str, Any]) -> None:
    result = await _call(arguments)
    assert result["isError"] is True
    assert result["content"][0]["type"] == "text"
    assert "structuredContent" not in result
