"""Benchmarks of taskmcp against the official ``mcp`` SDK and bare aiohttp (issue #8).

``python -m bench`` (``make bench``) starts every server it measures on 127.0.0.1,
runs the scenarios with a load generator in a separate process, and writes
``bench/out/latest.json`` and ``latest.md``. See ``bench/RESULTS.md``.
"""
