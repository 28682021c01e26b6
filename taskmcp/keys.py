"""Every typed ``web.AppKey`` of both applications (never string keys).

Concrete classes use ``web.AppKey(name, Class)``; Protocols use ``web.AppKey[P](name)``
because a Protocol is not a runtime type.
"""

from __future__ import annotations

from aiohttp import web

from taskmcp.config import AuthSettings, ResourceSettings
from taskmcp.storage import Storage

__all__ = ["AUTH_SETTINGS", "RESOURCE_SETTINGS", "STORAGE"]

AUTH_SETTINGS = web.AppKey("auth_settings", AuthSettings)
RESOURCE_SETTINGS = web.AppKey("resource_settings", ResourceSettings)
STORAGE = web.AppKey[Storage]("storage")
