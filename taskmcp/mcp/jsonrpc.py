"""JSON-RPC 2.0 envelopes for MCP, and the one error tree of the MCP transport.

::

    JsonRpcError                       code, message, data; ``status`` (mcp-protocol §5.3)
    ├── ParseError                     -32700  400
    ├── InvalidRequest                 -32600  400
    ├── MethodNotFound                 -32601  404 modern, 200 legacy
    ├── InvalidParams                  -32602  400 modern, 200 legacy
    │   └── ResourceNotFound           -32602 modern, -32002 legacy (SEP-2164)
    ├── InternalError                  -32603  200 (message is generic; details are logged)
    ├── HeaderMismatch                 -32020  400
    ├── MissingClientCapability        -32021  400
    ├── UnsupportedProtocolVersion     -32022  400
    ├── TooManyRequests                -32000  429 (``Retry-After``; a per-user limit)
    └── TransportError                 an HTTP-level refusal, code -32600, own status
        ├── NotAcceptable              406
        ├── UnsupportedMediaType       415
        ├── MethodNotAllowed           405 (``Allow: POST``)
        ├── SessionRequired            400
        ├── SessionNotFound            404
        ├── StreamConflict             409
        ├── PayloadTooLarge            413
        ├── RequestTimeout             408 (the body did not arrive in time)
        ├── ForbiddenOrigin            403
        └── MisdirectedHost            421

The HTTP status of an error depends on the era: in the legacy era a 404 means
"session gone, re-initialize" (§4.2), so errors produced while *dispatching* a request
(unknown method, invalid params) travel in a 200 response there, as the 2025 SDKs do.
Every 4xx body is a JSON-RPC error object (§2: dual-era clients read it to decide
between "fix and retry" and "fall back to initialize").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from taskmcp.jsondepth import nested_deeper_than

__all__ = [
    "MAX_DEPTH",
    "Era",
    "ForbiddenOrigin",
    "HeaderMismatch",
    "InternalError",
    "InvalidParams",
    "InvalidRequest",
    "JsonObject",
    "JsonRpcError",
    "Message",
    "MethodNotAllowed",
    "MethodNotFound",
    "MisdirectedHost",
    "MissingClientCapability",
    "NotAcceptable",
    "Notification",
    "ParseError",
    "PayloadTooLarge",
    "Request",
    "RequestId",
    "RequestTimeout",
    "ResourceNotFound",
    "Response",
    "SessionNotFound",
    "SessionRequired",
    "StreamConflict",
    "TooManyRequests",
    "TransportError",
    "UnsupportedMediaType",
    "UnsupportedProtocolVersion",
    "error_message",
    "parse_json",
    "parse_message",
    "request_id_of",
    "result_message",
]

JsonObject = dict[str, Any]
RequestId = str | int
Era = Literal["legacy", "modern"]
MAX_DEPTH = 64


class JsonRpcError(Exception):
    code: ClassVar[int] = -32603
    status: ClassVar[int] = 400
    legacy_status: ClassVar[int | None] = None  # None: same as ``status``
    headers: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init__(
        self, message: str, *, data: object = None, request_id: RequestId | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.data = data
        self.request_id = request_id

    def status_for(self, era: Era | None) -> int:
        if era == "legacy" and self.legacy_status is not None:
            return self.legacy_status
        return self.status

    def code_for(self, era: Era | None) -> int:
        return self.code

    def http_headers(self) -> dict[str, str]:
        """Extra headers of the HTTP response that carries this error."""
        return dict(self.headers)

    def error_object(self, era: Era | None) -> JsonObject:
        error: JsonObject = {"code": self.code_for(era), "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


class ParseError(JsonRpcError):
    code = -32700


class InvalidRequest(JsonRpcError):
    code = -32600


class MethodNotFound(JsonRpcError):
    code = -32601
    status = 404
    legacy_status = 200


class InvalidParams(JsonRpcError):
    code = -32602
    legacy_status = 200


class ResourceNotFound(InvalidParams):
    """2026-07-28 moved "resource not found" from -32002 to -32602 (SEP-2164)."""

    def code_for(self, era: Era | None) -> int:
        return -32002 if era == "legacy" else self.code


class InternalError(JsonRpcError):
    code = -32603
    status = 200


class HeaderMismatch(JsonRpcError):
    code = -32020


class MissingClientCapability(JsonRpcError):
    code = -32021


class UnsupportedProtocolVersion(JsonRpcError):
    code = -32022


class TooManyRequests(JsonRpcError):
    """A per-user limit on ``/mcp`` (``taskmcp.mcp.limits``); -32000 is an
    implementation code (-32000…-32019 are free in both eras, §5.3)."""

    code = -32000
    status = 429

    def __init__(
        self, message: str, *, retry_after: int, request_id: RequestId | None = None
    ) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(message, data={"retryAfter": self.retry_after}, request_id=request_id)

    def http_headers(self) -> dict[str, str]:
        return {**super().http_headers(), "Retry-After": str(self.retry_after)}


class TransportError(JsonRpcError):
    code = -32600


class NotAcceptable(TransportError):
    status = 406


class UnsupportedMediaType(TransportError):
    status = 415


class MethodNotAllowed(TransportError):
    status = 405
    headers = (("Allow", "POST"),)


class SessionRequired(TransportError):
    status = 400


class SessionNotFound(TransportError):
    status = 404


class StreamConflict(TransportError):
    status = 409


class PayloadTooLarge(TransportError):
    status = 413


class RequestTimeout(TransportError):
    status = 408


class ForbiddenOrigin(TransportError):
    status = 403


class MisdirectedHost(TransportError):
    status = 421


@dataclass(frozen=True)
class Request:
    id: RequestId
    method: str
    params: JsonObject


@dataclass(frozen=True)
class Notification:
    method: str
    params: JsonObject


@dataclass(frozen=True)
class Response:
    """A client's answer to a server request (taskmcp sends none, so these are dropped)."""

    id: RequestId


Message = Request | Notification | Response


def parse_json(raw: bytes) -> object:
    """Decode a body; malformed, non-UTF-8 or too deeply nested JSON is a ``ParseError``."""
    try:
        value: object = json.loads(raw)
    except (ValueError, RecursionError):
        raise ParseError("Parse error") from None
    # Nesting needs one bracket per level, so a body with at most MAX_DEPTH brackets
    # (those inside strings only add to the count) is never walked.
    if raw.count(b"{") + raw.count(b"[") > MAX_DEPTH and nested_deeper_than(value, MAX_DEPTH):
        raise ParseError(f"Parse error: JSON nested deeper than {MAX_DEPTH} levels")
    return value


def request_id_of(value: object) -> RequestId | None:
    """The id of a request-shaped object, if it has a usable one (for error replies)."""
    candidate = value.get("id") if isinstance(value, dict) else None
    if isinstance(candidate, bool) or not isinstance(candidate, str | int):
        return None
    return candidate


def parse_message(value: object) -> Message:
    """One JSON-RPC message, validated; anything else is an ``InvalidRequest``."""
    if not isinstance(value, dict) or value.get("jsonrpc") != "2.0":
        raise InvalidRequest("Invalid Request: expected a JSON-RPC 2.0 object")
    request_id = request_id_of(value)
    if "method" not in value:
        if request_id is None or ("result" in value) == ("error" in value):
            raise InvalidRequest("Invalid Request: neither a request nor a response")
        return Response(request_id)
    method, params = value["method"], value.get("params", {})
    if not isinstance(method, str) or not method:
        raise InvalidRequest("Invalid Request: method must be a string", request_id=request_id)
    if not isinstance(params, dict):
        raise InvalidRequest("Invalid Request: params must be an object", request_id=request_id)
    if "id" not in value:
        return Notification(method, params)
    if request_id is None:
        raise InvalidRequest("Invalid Request: id must be a string or an integer")
    return Request(request_id, method, params)


def result_message(request_id: RequestId, result: JsonObject) -> JsonObject:
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def error_message(error: JsonRpcError, era: Era | None) -> JsonObject:
    return {"jsonrpc": "2.0", "id": error.request_id, "error": error.error_object(era)}
