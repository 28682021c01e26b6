"""Run the MCP resource server: ``python run_resource.py [flags]`` = ``taskmcp resource``."""

from __future__ import annotations

import sys

from taskmcp.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["resource", *sys.argv[1:]]))
