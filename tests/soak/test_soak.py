"""Load and soak (issue #9): ``CLIENTS`` MCP clients for ``TASKMCP_SOAK_SECONDS``
(60 in CI; ``make soak`` runs 600) against the three services as real processes.

The stand-in and the authorization server (SQLite) and the resource server run as
``taskmcp`` subprocesses with their production defaults, except a 10 s introspection
cache (so that the authorization server keeps working under the load too). Every
client has its own user and a real token obtained through the authorization server's
pages; the mix is in ``tests.soak.load``.

Pass criteria:

* zero failed requests and zero 5xx;
* after the warm-up, the resident memory of the authorization and resource servers
  grows by less than 10 %;
* their open file descriptors stay flat: at the end within ``FD_SLACK`` of the warm-up
  level (the peak may add one in-flight connection per client).

The figures are printed as JSON (``pytest -s``) and written to ``TASKMCP_SOAK_REPORT``
when that is set.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.faults.services import (
    OAuthDriver,
    Ports,
    auth_service,
    resource_service,
    running,
    standin_service,
)
from tests.soak.load import Load, Sampler, Stats

SECONDS = float(os.environ.get("TASKMCP_SOAK_SECONDS", "60"))
CLIENTS = int(os.environ.get("TASKMCP_SOAK_CLIENTS", "64"))
CLIENT_RPS = float(os.environ.get("TASKMCP_SOAK_CLIENT_RPS", "4"))
SDK_CLIENTS = 4
WARMUP = min(60.0, max(20.0, SECONDS / 4))
RSS_GROWTH = 0.10
FD_SLACK = 10
# The peak also counts connections that are merely in flight (the SDK clients reconnect
# every 20 s), so it gets one extra descriptor per client; a leak shows in fds_final.
PEAK_FD_SLACK = FD_SLACK + CLIENTS
CHECKED = ("auth", "resource")


def _readings(sampler: Sampler, warm: float, end: float) -> dict[str, Any]:
    readings: dict[str, Any] = {}
    for service in sampler.services:
        (rss0, fds0), (rss1, fds1) = sampler.at(warm, service.name), sampler.at(end, service.name)
        readings[service.name] = {
            "rss_kib_after_warmup": rss0,
            "rss_kib_final": rss1,
            "rss_growth_percent": round(100 * (rss1 - rss0) / rss0, 2),
            "fds_after_warmup": fds0,
            "fds_final": fds1,
            "fds_peak": sampler.peak_fds(service.name, warm),
            "rss_kib_timeline": sampler.timeline(service.name),
        }
    return readings


def _publish(report: dict[str, Any]) -> None:
    text = json.dumps(report, indent=2)
    print(text)
    target = os.environ.get("TASKMCP_SOAK_REPORT")
    if target:
        Path(target).write_text(text + "\n")


async def test_many_clients_for_the_soak_duration(tmp_path: Path) -> None:
    ports = Ports()
    users = [f"soak{i:02d}" for i in range(CLIENTS)]
    standin = standin_service(tmp_path, ports, users)
    auth = auth_service(tmp_path, ports, f"sqlite:///{tmp_path / 'auth.db'}")
    resource = resource_service(tmp_path, ports, TASKMCP_INTROSPECTION_CACHE_TTL="10")
    connector = aiohttp.TCPConnector(limit=0)
    async with (
        running(standin, auth, resource),
        aiohttp.ClientSession(connector=connector) as http,
    ):
        driver = OAuthDriver(http, ports.issuer, ports.mcp)
        load = Load(driver, http, ports.mcp, CLIENTS, SDK_CLIENTS, CLIENT_RPS)
        tokens = await load.tokens(users)
        stats, sampler = Stats(), Sampler([auth, resource, standin])
        start = time.monotonic()
        deadline = start + SECONDS
        await asyncio.gather(sampler.run(deadline + 1), *load.workers(tokens, stats, deadline))
        elapsed = time.monotonic() - start
        report = {
            "seconds": round(elapsed, 1),
            "clients": CLIENTS,
            "client_rps": CLIENT_RPS,
            "warmup_seconds": WARMUP,
            **stats.summary(elapsed),
            "servers": _readings(sampler, start + WARMUP, sampler.samples[-1][0]),
        }
        _publish(report)

    assert stats.failures == 0, stats.examples
    assert stats.server_errors == 0, stats.examples
    assert stats.requests > CLIENTS * SECONDS * CLIENT_RPS * 0.25, report  # it really loaded
    for name in CHECKED:
        server = report["servers"][name]
        assert server["rss_growth_percent"] < 100 * RSS_GROWTH, (name, server)
        assert server["fds_final"] <= server["fds_after_warmup"] + FD_SLACK, (name, server)
        assert server["fds_peak"] <= server["fds_after_warmup"] + PEAK_FD_SLACK, (name, server)
