"""JSON text as Node's ``JSON.stringify`` writes it: compact, non-ASCII kept as is.

TaskManager returns list columns of OAuth clients as JSON-encoded strings (§3.2, §5.4)
and its bodies are compact; the stand-in produces the same bytes.
"""

from __future__ import annotations

import json

__all__ = ["dumps"]


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
