"""Request bodies read the way TaskManager's Node handlers read them.

Bodies are parsed as JSON whatever the ``Content-Type`` says. A parse failure carries
Node 20's ``JSON.parse`` message (``Unexpected token 'u', "username=p"... is not valid
JSON``), which DEC's login shows in its 401 (§2.1) and JAN puts in ``SERVER_001``
(§4.2). Presence checks use JavaScript truthiness.
"""

from __future__ import annotations

import json

from aiohttp import web

from taskmcp.standin.errors import DatabaseFailure

__all__ = ["NotJsonError", "js_parse_message", "js_truthy", "json_object", "read_json"]

_SNIPPET = 10


class NotJsonError(Exception):
    """The body is not JSON; the message is Node's."""


def js_parse_message(text: str, position: int) -> str:
    if position >= len(text):
        return "Unexpected end of JSON input"
    snippet = f'"{text[:_SNIPPET]}"...' if len(text) > _SNIPPET else f'"{text}"'
    return f"Unexpected token '{text[position]}', {snippet} is not valid JSON"


async def read_json(request: web.Request) -> object:
    text = await request.text()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotJsonError(js_parse_message(text, exc.pos)) from None


async def json_object(request: web.Request) -> dict[str, object]:
    """The JSON object body of a REST call; not JSON → 500 (§4.2), not an object → {}."""
    try:
        body = await read_json(request)
    except NotJsonError as exc:
        raise DatabaseFailure(str(exc)) from None
    return body if isinstance(body, dict) else {}


def js_truthy(value: object) -> bool:
    return value not in (None, False, 0, "")
