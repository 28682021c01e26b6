"""Run the authorization server: ``python run_auth.py [flags]`` = ``taskmcp auth [flags]``."""

from __future__ import annotations

import sys

from taskmcp.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["auth", *sys.argv[1:]]))
