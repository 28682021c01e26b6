"""``GET /api/tasks/search?query=…[&category=…]`` (§4.4).

TaskManager uses PostgreSQL's English full-text search over ``title + " " +
description``. The stand-in approximates it: case-insensitive, whole words, a light
suffix stemmer (``words`` matches "word", ``notes`` "note", ``running`` "run"), and
every query word must match. Tags are not searched; all statuses are included;
``category`` is an exact project-name filter; order is the list order. A missing or
empty ``query`` → the flat 400 on both revisions.
"""

from __future__ import annotations

import re

from aiohttp import web

from taskmcp.standin.auth_gate import caller
from taskmcp.standin.envelopes import json_response
from taskmcp.standin.errors import FlatError
from taskmcp.standin.keys import STORE
from taskmcp.standin.store import Task, TaskQuery
from taskmcp.standin.todo_shapes import search_item

__all__ = ["search_tasks", "stem", "stems"]

_WORD = re.compile(r"[^\W_]+")
_KEEP_DOUBLE = frozenset("lsz")


def _plural(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _tense(word: str) -> str:
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    else:
        return word
    if len(word) > 2 and word[-1] == word[-2] and word[-1] not in _KEEP_DOUBLE:
        return word[:-1]  # running → runn → run
    return word


def stem(word: str) -> str:
    """A light English stemmer; a final ``e`` goes too (note, notes, noted → not)."""
    word = _tense(_plural(word.lower()))
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def stems(text: str) -> set[str]:
    return {stem(word) for word in _WORD.findall(text)}


def _matches(task: Task, wanted: set[str]) -> bool:
    return bool(wanted) and wanted <= stems(f"{task.title} {task.description or ''}")


async def search_tasks(request: web.Request) -> web.Response:
    text = request.query.get("query")
    if not text:
        raise FlatError(400, {"error": "Query parameter is required"})
    query = TaskQuery(category=request.query.get("category") or None)
    tasks = await request.app[STORE].tasks.find(caller(request).user_id, query)
    wanted = stems(text)
    found = [search_item(task) for task in tasks if _matches(task, wanted)]
    return json_response({"tasks": found, "count": len(found)})
