"""Serve the resource server with ``--no-auth`` and the conformance fixture tools, for
``scripts/conformance.sh``: ``python -m tests.conformance.serve PORT``."""

from __future__ import annotations

import asyncio
import sys

from taskmcp.config import ResourceSettings
from taskmcp.logs import configure_logging
from taskmcp.resource_app import create_resource_app
from taskmcp.runner import serve
from tests.conformance.fixtures import conformance_registry


def main(argv: list[str]) -> int:
    port = int(argv[0]) if argv else 8765
    settings = ResourceSettings.load(
        {"TASKMCP_NO_AUTH": "true", "TASKMCP_RESOURCE_PORT": str(port)}
    )
    configure_logging("warning")
    app = create_resource_app(settings, tools=conformance_registry())
    asyncio.run(serve(app, host="127.0.0.1", port=port, handler_cancellation=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
