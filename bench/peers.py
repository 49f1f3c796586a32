"""The peers benchmarks measure samlite against, each installed in a virtual environment of its own.

MiniStack (PyPI `ministack`) is the closest peer: a Python AWS emulator that runs Python functions
without Docker. It is never a project dependency: `ministack_command()` installs the pinned version
into `bench/.venv-peers/` on first use (from PyPI), and `running_ministack()` starts it on a free
loopback port and stops it again. A benchmark that cannot get it reports why instead of skipping.

How MiniStack starts, from its README: `GATEWAY_PORT=<port> BIND_HOST=127.0.0.1 ministack`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PEERS_VENV = BENCH_DIR / ".venv-peers"
MINISTACK_VERSION = "1.5.33"
START_TIMEOUT_S = 30.0


class PeerUnavailable(RuntimeError):
    """The peer could not be installed or started; the message says why (for the results table)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ministack_command() -> list[str]:
    """The `ministack` executable of the peers' virtual environment, installed on first use."""
    executable = PEERS_VENV / "bin" / "ministack"
    stamp = PEERS_VENV / f".ministack-{MINISTACK_VERSION}"
    if executable.exists() and stamp.exists():
        return [str(executable)]
    try:
        if not (PEERS_VENV / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True, capture_output=True)
        subprocess.run(
            [
                str(PEERS_VENV / "bin" / "pip"),
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"ministack=={MINISTACK_VERSION}",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as error:
        raise PeerUnavailable(
            f"pip install ministack=={MINISTACK_VERSION} failed: {error.stderr[-500:]}"
        ) from error
    stamp.touch()
    return [str(executable)]


@contextlib.contextmanager
def running_ministack(port: int | None = None) -> Iterator[str]:
    """MiniStack serving on 127.0.0.1:`port` (a free one by default); yields its endpoint URL."""
    port = port or free_port()
    env = {**os.environ, "GATEWAY_PORT": str(port), "BIND_HOST": "127.0.0.1"}
    process = subprocess.Popen(
        ministack_command(), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_it_answers(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _wait_until_it_answers(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read()[-500:] if process.stderr else ""
            raise PeerUnavailable(f"ministack exited with status {process.returncode}: {error}")
        try:
            with urllib.request.urlopen(url + "/", timeout=1):
                return
        except urllib.error.HTTPError:
            return  # an AWS error is an answer
        except OSError:
            time.sleep(0.05)
    raise PeerUnavailable(f"ministack did not answer on {url} within {START_TIMEOUT_S:g} s")
