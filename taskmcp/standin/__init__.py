"""A local stand-in for the TaskManager web app: a development and test peer, **not**
TaskManager.

It reproduces the HTTP contract of ``taskmanager-api.md`` (revisions DEC and JAN, §7)
closely enough that taskmcp's client, its authorization server and a browser cannot
tell the difference for everything taskmcp uses::

    async with open_standin_store("memory://") as store:
        await seed_store(store, settings.users, settings.clients, now=utcnow())
        app = create_standin_app(settings, store)
"""

from __future__ import annotations

from taskmcp.standin.app import create_standin_app
from taskmcp.standin.clock import Clock, utcnow
from taskmcp.standin.envelopes import DEC, JAN, Revision, revision_named
from taskmcp.standin.seed import seed_store
from taskmcp.standin.store import StandinStore, open_standin_store

__all__ = [
    "DEC",
    "JAN",
    "Clock",
    "Revision",
    "StandinStore",
    "create_standin_app",
    "open_standin_store",
    "revision_named",
    "seed_store",
    "utcnow",
]
