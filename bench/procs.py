"""Processes the harness starts: CPU pinning, CPU time and RSS from ``/proc``, and
starting/stopping a server (only the ones it started, by their own pid)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

__all__ = [
    "CPUS",
    "ROOT",
    "Server",
    "bench_env",
    "cpu_seconds",
    "free_port",
    "pin",
    "rss_bytes",
    "started",
    "wait_for_port",
]

_TICKS = os.sysconf("SC_CLK_TCK")
READY_TIMEOUT = 30.0
ROOT = Path(__file__).resolve().parents[1]


def _cpus() -> tuple[int | None, int | None]:
    """(server CPU, load-generator CPU): two different ones when there are two."""
    try:
        available = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return None, None
    if len(available) < 2:
        return None, None
    return available[0], available[1]


CPUS = _cpus()


def pin(pid: int, cpu: int | None) -> None:
    """Pin a process, every thread it has now included (new threads inherit)."""
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return
    tasks = Path(f"/proc/{pid}/task")
    for tid in [int(t.name) for t in tasks.iterdir()] if tasks.exists() else [pid]:
        with contextlib.suppress(ProcessLookupError):
            os.sched_setaffinity(tid, {cpu})


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float, alive: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and alive.poll() is not None:
            raise RuntimeError(f"server exited with status {alive.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.01)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


class Server:
    """A server process started by the harness."""

    def __init__(self, name: str, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.name = name
        self.proc = proc
        self.port = port
        self.log = log

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def bench_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this environment) with the repository on ``PYTHONPATH``, so
    that ``python -m bench.…`` works from any working directory."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def spawn(
    name: str,
    argv: Sequence[str],
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[subprocess.Popen[bytes], Path]:
    log = log_dir / f"{name}.log"
    with log.open("ab") as sink:
        proc = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=bench_env(env),
            cwd=cwd,
        )
    return proc, log


@contextlib.contextmanager
def started(
    name: str,
    args: Sequence[str],
    *,
    port: int,
    cpu: int | None,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    ready_timeout: float = READY_TIMEOUT,
) -> Iterator[Server]:
    """``python -m bench.serve ARGS`` pinned to ``cpu``, ready on ``port``; stopped after."""
    proc, log = spawn(name, [sys.executable, "-m", "bench.serve", *args], log_dir, env)
    server = Server(name, proc, port, log)
    try:
        pin(proc.pid, cpu)
        wait_for_port(port, ready_timeout, proc)
        yield server
    except RuntimeError as exc:
        raise RuntimeError(f"{name}: {exc}; see {log}") from None
    finally:
        server.stop()
