"""Operations: metrics (``metrics``, ``upstream``), request logging and ids
(``requests``, ``logformat``), readiness (``readiness``) and the ``/metrics`` endpoint
(``endpoint``); ``wiring.install`` adds them to an application.

This package ``__init__`` imports nothing, so that low-level modules
(``taskmcp.oauth.context``, ``taskmcp.logs``) can import one submodule without pulling
in the app keys.
"""
