"""Mapping between storage models and SQL rows.

Column names equal model field names. Datetimes become INTEGER microseconds since the
Unix epoch (exact round trip, sortable); tuples and dicts become JSON text; booleans
become 0/1. The codec is driven by each model's declared fields, so a field added to
a model without a column fails loudly in the contract suite.
"""

from __future__ import annotations

import json
import sqlite3
import types
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel

__all__ = ["Codec", "from_micros", "to_micros"]

M = TypeVar("M", bound=BaseModel)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(value: datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    return datetime.fromtimestamp(value // 1_000_000, UTC).replace(microsecond=value % 1_000_000)


def _kind(annotation: Any) -> str:
    """'time', 'json' or 'plain' for a field annotation (``X | None`` unwrapped)."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        kinds = {_kind(a) for a in args if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else "plain"
    if origin is typing.Annotated:
        return _kind(args[0])
    if annotation in (datetime, AwareDatetime):
        return "time"
    if origin in (tuple, dict, list) or annotation in (tuple, dict, list):
        return "json"
    return "plain"


class Codec(Generic[M]):
    """Row codec for one model stored in one table."""

    def __init__(self, model: type[M], table: str) -> None:
        self.model = model
        self.table = table
        self.columns = tuple(model.model_fields)
        hints = typing.get_type_hints(model, include_extras=True)
        self._kinds = {name: _kind(hints[name]) for name in self.columns}
        placeholders = ", ".join(f":{c}" for c in self.columns)
        self.insert_sql = f"INSERT INTO {table} ({', '.join(self.columns)}) VALUES ({placeholders})"  # noqa: S608
        self.replace_sql = self.insert_sql.replace("INSERT", "INSERT OR REPLACE", 1)

    def to_row(self, record: M) -> dict[str, object]:
        return {name: self._encode(name, getattr(record, name)) for name in self.columns}

    def from_row(self, row: sqlite3.Row | Mapping[str, Any]) -> M:
        values = {name: self._decode(name, row[name]) for name in self.columns}
        return self.model.model_validate(values)

    def _encode(self, name: str, value: object) -> object:
        if value is None:
            return None
        kind = self._kinds[name]
        if kind == "time":
            assert isinstance(value, datetime)
            return to_micros(value)
        if kind == "json":
            return json.dumps(value, separators=(",", ":"))
        if not isinstance(value, str | int | float | bool):
            raise TypeError(f"{self.table}.{name}: no column encoding for {type(value).__name__}")
        return value

    def _decode(self, name: str, value: object) -> object:
        if value is None:
            return None
        kind = self._kinds[name]
        if kind == "time":
            assert isinstance(value, int)
            return from_micros(value)
        if kind == "json":
            assert isinstance(value, str)
            return json.loads(value)
        return value
