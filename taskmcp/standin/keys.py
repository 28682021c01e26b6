"""Every typed ``web.AppKey`` and ``web.RequestKey`` of the stand-in application.

The stand-in is its own application (``create_standin_app``), so its keys live in its
own package rather than in ``taskmcp.keys``.
"""

from __future__ import annotations

import jinja2
from aiohttp import web

from taskmcp.config import StandinSettings
from taskmcp.standin.caller import Caller
from taskmcp.standin.clock import Clock
from taskmcp.standin.envelopes import Revision
from taskmcp.standin.ratelimit import LoginLimiter
from taskmcp.standin.store import StandinStore

__all__ = ["CALLER", "CLOCK", "LIMITER", "REVISION", "SETTINGS", "STORE", "TEMPLATES"]

SETTINGS = web.AppKey("standin_settings", StandinSettings)
STORE = web.AppKey("standin_store", StandinStore)
REVISION = web.AppKey("standin_revision", Revision)
CLOCK = web.AppKey[Clock]("standin_clock")
LIMITER = web.AppKey("standin_login_limiter", LoginLimiter)
TEMPLATES = web.AppKey("standin_templates", jinja2.Environment)
CALLER = web.RequestKey("standin_caller", Caller)
