"""``get_time``: the current date and time in an IANA time zone (default UTC).

Useful to a model that must turn "tomorrow" or "next Friday" into a due date: it
learns today's date where the user is. Read-only, needs ``tasks:read`` like every
tool, and never touches TaskManager. An unknown zone is a tool error the model can
correct (``isError``), not a protocol error.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field

from taskmcp.tools.arguments import Arguments
from taskmcp.tools.base import READ, JsonObject, ToolContext
from taskmcp.tools.define import READ_ONLY, define_tool
from taskmcp.tools.errors import ToolFailure

__all__ = ["GET_TIME"]

INPUT_SCHEMA: JsonObject = {
    "type": "object",
    "properties": {
        "timezone": {
            "type": "string",
            "description": "IANA time zone name such as Europe/Berlin or America/New_York. "
            "Default: UTC.",
            "maxLength": 64,
        }
    },
    "additionalProperties": False,
}

OUTPUT_SCHEMA: JsonObject = {
    "type": "object",
    "properties": {
        "timezone": {"type": "string", "description": "The IANA zone used"},
        "datetime": {"type": "string", "description": "ISO 8601 with UTC offset"},
        "date": {"type": "string", "description": "YYYY-MM-DD"},
        "time": {"type": "string", "description": "HH:MM:SS"},
        "weekday": {"type": "string", "description": "English day name"},
        "utc_offset": {"type": "string", "description": "+HH:MM"},
        "unix": {"type": "integer", "description": "Seconds since 1970-01-01T00:00:00Z"},
    },
    "required": ["timezone", "datetime", "date", "time", "weekday", "utc_offset", "unix"],
    "additionalProperties": False,
}


def _zone(name: str) -> tzinfo | None:
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def describe(moment: datetime, zone_name: str) -> JsonObject:
    """Every field is cut from one ISO 8601 string (``2026-11-26T15:04:05+01:00``):
    no locale, and no ``strftime`` per field."""
    iso = moment.isoformat(timespec="seconds")
    return {
        "timezone": zone_name,
        "datetime": iso,
        "date": iso[:10],
        "time": iso[11:19],
        "weekday": WEEKDAYS[moment.weekday()],
        "utc_offset": iso[19:],
        "unix": int(moment.timestamp()),
    }


class TimeArguments(Arguments):
    timezone: str | None = Field(default=None, max_length=64)


async def get_time(context: ToolContext, arguments: TimeArguments) -> JsonObject:
    name = arguments.timezone or "UTC"
    zone = _zone(name)
    if zone is None:
        raise ToolFailure(
            f"Unknown time zone {name!r}. Use an IANA name such as Europe/Berlin or UTC."
        )
    return describe(context.clock().astimezone(zone), "UTC" if zone is UTC else name)


GET_TIME = define_tool(
    name="get_time",
    title="Current time",
    description="Get the current date, time and weekday in an IANA time zone (default UTC), "
    "for example to work out what 'tomorrow' means for the user.",
    arguments=TimeArguments,
    input_schema=INPUT_SCHEMA,
    output_schema=OUTPUT_SCHEMA,
    annotations=READ_ONLY,
    scope=READ,
    run=get_time,
)
