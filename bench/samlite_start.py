"""`samlite start` as the benchmarks run it: the real command in a fresh interpreter, timed to ready.

Every benchmark that reports a start time measures the same thing, so they share this one helper:
from spawning `python -m samlite start -t template.yaml --port P --api-port Q ...` to the line that
starts with `samlite ready` (endpoint bound, template provisioned, everything answering). A fixed free
port is passed, as `make run` passes 4566: with `--port 0` the template can only be loaded once the
port is bound, which is not the path users take. After the ready line the command's output (function
logs) is drained on a thread so that its pipe never fills up; leaving the block stops it with SIGTERM
(killed if it has not exited within 30 s).

Every child runs with bytecode caching on (`child_env`): a shell with `PYTHONDONTWRITEBYTECODE` set made
each start compile samlite's ~300 modules from source, a cost no user pays, while the baselines loaded
compiled packages.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from peers import free_port

READY = b"samlite ready"
STOP_TIMEOUT_S = 30.0


def child_env(**extra: str) -> dict[str, str]:
    """The environment of every process a benchmark starts: bytecode caching on (see above)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}


@dataclass
class Started:
    """A `samlite start` that printed its ready line `ready_s` seconds after it was spawned."""

    process: subprocess.Popen[bytes]
    port: int
    api_port: int
    ready_s: float

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def samlite_started(project: Path, *arguments: str) -> Iterator[Started]:
    """Runs `samlite start -t template.yaml` in `project` with `arguments` added, until ready.

    Raises RuntimeError when the command exits before its ready line.
    """
    port, api_port = free_port(), free_port()
    command = [sys.executable, "-m", "samlite", "start", "-t", "template.yaml", *arguments]
    command += ["--port", str(port), "--api-port", str(api_port)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=project,
        env=child_env(NO_COLOR="1", PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if line.startswith(READY):
                break
        else:
            raise RuntimeError(f"samlite start exited with {process.wait()} before its ready line")
        ready = time.perf_counter() - started
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield Started(process, port, api_port, ready)
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as Ctrl-C would; killed if it has not exited within STOP_TIMEOUT_S."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def seconds_to_ready(project: Path, *arguments: str) -> float:
    """Spawn to the ready line, once, the command stopped again afterwards."""
    with samlite_started(project, *arguments) as started:
        return started.ready_s
