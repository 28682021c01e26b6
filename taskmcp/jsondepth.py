"""How deeply a parsed JSON value nests, checked without recursion.

Both the JSON-RPC parser and dynamic client registration refuse bodies nested deeper
than a limit, so that validators and encoders never reach Python's recursion limit.
"""

from __future__ import annotations

__all__ = ["nested_deeper_than"]


def nested_deeper_than(value: object, limit: int) -> bool:
    """Whether any array or object in ``value`` sits deeper than ``limit`` levels (the
    value itself is level 1)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in node)
    return False
