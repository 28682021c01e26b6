"""The tool descriptors as clients and directories check them (mcp-protocol §6,
clients-in-the-wild §6): names, titles, annotations, scopes, and input/output schemas
that are valid JSON Schema 2020-12 and agree with what the tools accept."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from taskmcp.taskmanager import LIST_STATUSES
from taskmcp.tools import ALL_TOOLS, READ, WRITE, Tool, default_registry
from tests.tools.support import Agent, FakeClock, agent, unreachable_client

EXPECTED_ORDER = [
    "list_tasks", "search_tasks", "get_task", "get_all_tasks",
    "create_task", "update_task", "complete_task", "reopen_task", "delete_task",
    "list_projects", "get_all_projects", "create_project", "update_project", "delete_project",
    "search", "fetch", "get_time",
]  # fmt: skip
SEED_TOOLS = {
    "get_time": ["timezone"],
    "get_all_projects": [],
    "get_all_tasks": [],
    "create_task": ["title", "project_id", "description", "priority", "due_date", "tags"],
}
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
INSTRUCTIONS = re.compile(
    r"\b(you (must|should)|always|never|make sure|be sure|use this tool|call this)\b", re.I
)
TOOL_IDS = [tool.name for tool in ALL_TOOLS]


@pytest.fixture
async def offline() -> AsyncIterator[Agent]:
    """Tools whose TaskManager is not listening: argument checks only."""
    async with AsyncExitStack() as stack:
        yield agent(await unreachable_client(stack, 9), FakeClock())


def _objects(schema: Any) -> Iterator[dict[str, Any]]:
    """Every object-typed subschema of ``schema``."""
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            yield schema
        for value in schema.values():
            yield from _objects(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _objects(item)


def test_tools_list_order_is_fixed_and_grouped() -> None:
    assert [tool.name for tool in default_registry().tools] == EXPECTED_ORDER
    assert [t.name for t in default_registry().tools] == [t.name for t in default_registry().tools]


def test_the_seed_tools_keep_their_names_and_parameters() -> None:
    registry = default_registry()
    for name, parameters in SEED_TOOLS.items():
        tool = registry.get(name)
        assert tool is not None, name
        assert list(tool.input_schema.get("properties", {})) == parameters


@pytest.mark.parametrize("tool", ALL_TOOLS, ids=TOOL_IDS)
def test_every_tool_has_a_short_name_a_title_and_a_factual_description(tool: Tool) -> None:
    """Directories cap names at 64 characters and require titles; descriptions say what a
    tool does and returns, not how the model should behave."""
    assert NAME.match(tool.name)
    assert tool.title
    assert tool.title[0].isupper()
    assert 20 <= len(tool.description) <= 600
    assert not INSTRUCTIONS.search(tool.description), tool.description


@pytest.mark.parametrize("tool", ALL_TOOLS, ids=TOOL_IDS)
def test_every_tool_has_explicit_annotations_matching_its_scope(tool: Tool) -> None:
    hints = tool.descriptor()["annotations"]
    assert set(hints) == {
        "title", "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"
    }  # fmt: skip
    assert hints["title"] == tool.title
    assert hints["openWorldHint"] is False
    assert tool.scope == (READ if hints["readOnlyHint"] else WRITE)
    if hints["readOnlyHint"]:
        assert hints["destructiveHint"] is False
        assert hints["idempotentHint"] is True
    if tool.name.startswith(("delete_", "update_")):
        assert hints["destructiveHint"] is True
    if tool.name.startswith("create_"):
        assert (hints["destructiveHint"], hints["idempotentHint"]) == (False, False)


@pytest.mark.parametrize("tool", ALL_TOOLS, ids=TOOL_IDS)
def test_every_input_schema_is_a_closed_2020_12_object(tool: Tool) -> None:
    schema = tool.input_schema
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema.get("required", [])) <= set(schema.get("properties", {}))
    for subschema in _objects(schema):
        assert subschema["additionalProperties"] is False
    for name, property_ in schema.get("properties", {}).items():
        assert property_.get("description") or name in ("title",), name


@pytest.mark.parametrize("tool", ALL_TOOLS, ids=TOOL_IDS)
def test_every_output_schema_is_an_object_schema(tool: Tool) -> None:
    schema = tool.output_schema
    assert schema is not None
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    for subschema in _objects(schema):
        assert "additionalProperties" in subschema


@pytest.mark.parametrize("tool", ALL_TOOLS, ids=TOOL_IDS)
async def test_the_accepted_arguments_are_the_schema_properties(tool: Tool, offline: Agent) -> None:
    """The argument models and the published schemas name the same parameters."""
    result = await offline.call(tool.name, {"no_such_argument": 1})
    assert result.is_error
    properties = list(tool.input_schema.get("properties", {}))
    if properties:
        assert result.text == (
            f"Unknown argument 'no_such_argument'. Accepted arguments: {', '.join(properties)}."
        )
    else:
        assert result.text == "Unknown argument 'no_such_argument': this tool takes no arguments."


@pytest.mark.parametrize(
    "tool", [t for t in ALL_TOOLS if t.input_schema.get("required")], ids=lambda t: t.name
)
async def test_a_missing_required_argument_is_named(tool: Tool, offline: Agent) -> None:
    result = await offline.call(tool.name, {})
    assert result.text == f"Missing required argument '{tool.input_schema['required'][0]}'."


def test_the_list_status_enum_is_what_taskmanager_accepts() -> None:
    tool = default_registry().get("list_tasks")
    assert tool is not None
    assert set(tool.input_schema["properties"]["status"]["enum"]) == set(LIST_STATUSES)


def test_every_descriptor_is_plain_json() -> None:
    for tool in ALL_TOOLS:
        assert json.loads(json.dumps(tool.descriptor())) == tool.descriptor()
