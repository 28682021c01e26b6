"""The conformance suite's fixture tools (``@modelcontextprotocol/conformance``
``examples/servers/typescript/README.md``), registered only by the conformance test
and ``scripts/conformance.sh``; never part of the product.

Not provided, and listed in ``tests/conformance-baseline.yml``: tools that need the
server to send requests to the client (``test_sampling``, ``test_elicitation``,
``test_streaming_elicitation``, MRTR ``input_required`` flows), which taskmcp never
does; resources and prompts fixtures (taskmcp offers empty lists); completions.
"""

from __future__ import annotations

import asyncio
import base64
import struct
from typing import Any

from taskmcp.tools import READ, Tool, ToolAnnotations, ToolContext, ToolRegistry, ToolResult

JsonObject = dict[str, Any]

# 1x1 red pixel PNG
RED_PIXEL_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5Erk"
    "Jggg=="
)
JSON_SCHEMA_2020_12 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {
        "address": {
            "$anchor": "addressDef",
            "type": "object",
            "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
        }
    },
    "properties": {
        "name": {"type": "string"},
        "address": {"$ref": "#/$defs/address"},
        "contactMethod": {"type": "string", "enum": ["phone", "email"]},
        "phone": {"type": "string"},
        "email": {"type": "string"},
    },
    "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
    "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
    "then": {"required": ["phone"]},
    "else": {"required": ["email"]},
    "additionalProperties": False,
}
NO_ARGUMENTS: JsonObject = {"type": "object", "additionalProperties": False}


def _wav() -> str:
    """A tiny valid WAV: 8 kHz, 8-bit mono, 8 samples of silence."""
    samples = bytes([128] * 8)
    header = b"RIFF" + struct.pack("<I", 36 + len(samples)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8)
    return base64.b64encode(header + b"data" + struct.pack("<I", len(samples)) + samples).decode()


def _blocks(*blocks: JsonObject, text: str = "") -> ToolResult:
    return ToolResult(text=text, content=list(blocks))


IMAGE = {"type": "image", "data": RED_PIXEL_PNG, "mimeType": "image/png"}


async def simple_text(context: ToolContext, arguments: JsonObject) -> ToolResult:
    return ToolResult(text="This is a simple text response for testing.")


async def image(context: ToolContext, arguments: JsonObject) -> ToolResult:
    return _blocks(IMAGE)


async def audio(context: ToolContext, arguments: JsonObject) -> ToolResult:
    return _blocks({"type": "audio", "data": _wav(), "mimeType": "audio/wav"})


async def embedded(context: ToolContext, arguments: JsonObject) -> ToolResult:
    resource = {
        "uri": "test://embedded-resource",
        "mimeType": "text/plain",
        "text": "This is an embedded resource content.",
    }
    return _blocks({"type": "resource", "resource": resource})


async def mixed(context: ToolContext, arguments: JsonObject) -> ToolResult:
    resource = {
        "uri": "test://mixed-content-resource",
        "mimeType": "application/json",
        "text": '{"test":"data","value":123}',
    }
    return _blocks(
        {"type": "text", "text": "Multiple content types test:"},
        IMAGE,
        {"type": "resource", "resource": resource},
    )


async def with_logging(context: ToolContext, arguments: JsonObject) -> ToolResult:
    for message in ("Tool execution started", "Tool processing data", "Tool execution completed"):
        await context.progress.log("info", message)
        await asyncio.sleep(0.05)
    return ToolResult(text="Tool with logging executed successfully")


async def with_progress(context: ToolContext, arguments: JsonObject) -> ToolResult:
    for step in (0, 50, 100):
        await context.progress.progress(step, 100)
        await asyncio.sleep(0.05)
    return ToolResult(text="Tool with progress executed successfully")


async def error(context: ToolContext, arguments: JsonObject) -> ToolResult:
    return ToolResult.error("This tool intentionally returns an error for testing")


async def logging_tool(context: ToolContext, arguments: JsonObject) -> ToolResult:
    await context.progress.log("info", "a log line nobody asked for")
    return ToolResult(text="logged")


async def echo(context: ToolContext, arguments: JsonObject) -> ToolResult:
    return ToolResult(text=str(arguments))


def _tool(
    name: str, handler: Any, description: str, schema: JsonObject = NO_ARGUMENTS, **extra: Any
) -> Tool:
    annotations = ToolAnnotations(read_only=True, destructive=False, idempotent=True)
    return Tool(name, name, description, schema, annotations, READ, handler, **extra)


CUSTOM_HEADER_SCHEMA = {
    "type": "object",
    "properties": {"region": {"type": "string", "x-mcp-header": "Region"}},
    "required": ["region"],
}


def conformance_registry() -> ToolRegistry:
    return ToolRegistry.of(
        [
            _tool("test_simple_text", simple_text, "Returns simple text content"),
            _tool("test_image_content", image, "Returns image content"),
            _tool("test_audio_content", audio, "Returns audio content"),
            _tool("test_embedded_resource", embedded, "Returns an embedded resource"),
            _tool("test_multiple_content_types", mixed, "Returns mixed content types"),
            _tool("test_tool_with_logging", with_logging, "Sends log messages while running"),
            _tool("test_tool_with_progress", with_progress, "Reports progress"),
            _tool("test_error_handling", error, "Always returns a tool error"),
            _tool("test_logging_tool", logging_tool, "Logs once (only sent if asked for)"),
            _tool(
                "test_missing_capability",
                echo,
                "Needs the client's sampling capability",
                client_capabilities=frozenset({"sampling"}),
            ),
            _tool(
                "json_schema_2020_12_tool",
                echo,
                "Tool with JSON Schema 2020-12 features",
                JSON_SCHEMA_2020_12,
            ),
            _tool(
                "test_custom_header",
                echo,
                "Mirrors its region argument in Mcp-Param-Region",
                CUSTOM_HEADER_SCHEMA,
            ),
        ]
    )
