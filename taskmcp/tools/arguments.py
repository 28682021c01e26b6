"""Tool arguments: pydantic models at the edge (style rule 24), and one sentence per
invalid argument (mcp-protocol §6: since 2025-11-25 argument validation errors are
``isError`` results, so that the model can correct itself).

The field types accept what models actually send: ids as ``42``, ``"42"`` or
``"task_42"``; dates as ``YYYY-MM-DD`` or ``today``/``tomorrow``, resolved against the
calendar date of the context clock in UTC (TaskManager's own day, taskmanager-api
§4.2 ``overdue``); integers also as digit strings, never as booleans. ``parse`` turns
the first validation error into a sentence such as "due_date must be a date as
YYYY-MM-DD, 'today' or 'tomorrow'."
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import ErrorDetails

from taskmcp.tools.schema import INT4_MAX

__all__ = [
    "ArgumentError",
    "Arguments",
    "Day",
    "Limit",
    "ProjectId",
    "Tag",
    "TaskId",
    "parse",
    "parse_prefixed_id",
]

M = TypeVar("M", bound="Arguments")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ArgumentError(ValueError):
    """The arguments do not fit the tool; ``str(exc)`` is one sentence for the model."""


class Arguments(BaseModel):
    """Base of every argument model: unknown arguments are refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_prefixed_id(value: object, prefix: str) -> int:
    """``42``, ``"42"`` or ``"<prefix>_42"`` → ``42`` (1 … 2**31 - 1, TaskManager's int4)."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        text = value.strip().removeprefix(f"{prefix}_")
        number = int(text) if text.isascii() and text.isdigit() else None
    if number is None or not 1 <= number <= INT4_MAX:
        raise ValueError(f"must be a {prefix} id such as 42 or '{prefix}_42'")
    return number


def _task_id(value: object) -> int:
    return parse_prefixed_id(value, "task")


def _project_id(value: object) -> int:
    return parse_prefixed_id(value, "project")


def _day(value: object, info: ValidationInfo) -> date:
    today = (info.context or {}).get("today")
    if isinstance(value, str) and isinstance(today, date):
        relative = {"today": 0, "tomorrow": 1}.get(value.strip().lower())
        if relative is not None:
            return today + timedelta(days=relative)
    try:
        if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
            return date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise ValueError("must be a date as YYYY-MM-DD, 'today' or 'tomorrow'")


def _whole_number(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be an integer")
    return value


TaskId = Annotated[int, BeforeValidator(_task_id)]
ProjectId = Annotated[int, BeforeValidator(_project_id)]
Day = Annotated[date, BeforeValidator(_day)]
Limit = Annotated[int, BeforeValidator(_whole_number)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


def parse(model: type[M], arguments: Mapping[str, Any], *, today: date) -> M:
    """Validate ``arguments`` for ``model``; raises ``ArgumentError`` with one sentence."""
    try:
        return model.model_validate(dict(arguments), context={"today": today})
    except ValidationError as exc:
        raise ArgumentError(_sentence(model, exc.errors(include_url=False))) from None


def _where(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


_KINDS = {
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be a whole number",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_too_short": "must not be empty",
}


def _sentence(model: type[Arguments], errors: list[ErrorDetails]) -> str:
    # An unknown argument explains a missing one ("name" sent for "title"): name it first.
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    where, kind, ctx = _where(error["loc"]), error["type"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        accepted = ", ".join(model.model_fields)
        if not accepted:
            return f"Unknown argument '{where}': this tool takes no arguments."
        return f"Unknown argument '{where}'. Accepted arguments: {accepted}."
    if kind == "missing":
        return f"Missing required argument '{where}'."
    if kind == "too_long" and isinstance(error.get("input"), str):
        kind = "string_too_long"
    problem = _problem(kind, ctx, error["msg"])
    if not where:  # a rule across several arguments (a model validator)
        return f"{problem[:1].upper()}{problem[1:]}."
    return f"{where} {problem}."


def _problem(kind: str, ctx: Mapping[str, Any], message: str) -> str:
    if kind == "value_error":
        return str(ctx.get("error", message))
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items"
    return _KINDS.get(kind, f"is invalid ({message})")
