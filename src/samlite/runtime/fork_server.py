"""Start workers by forking a pre-warmed interpreter instead of spawning a fresh one.

A cold start is mostly Python start-up and the standard-library imports of awslambdaric's bootstrap.
`ForkServer` keeps one process (see fork_server_main.py) that has done those imports, and asks it to
fork each new worker; the worker's pipes travel over a Unix socket (SCM_RIGHTS). The fork server is
the worker's parent, so it reaps it and reports its exit status back; `ForkedProcess` gives the
worker the small part of the `subprocess.Popen` interface samlite uses (pid, poll, wait).

Debugged workers are spawned normally: debugpy wants a process of its own from the start.

A fork server that dies (killed from outside) is reaped at once by the thread that reads its socket,
so it never lingers as a zombie; its workers die with it (PDEATHSIG), and the next worker starts a
fresh fork server.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil

_MAIN = Path(__file__).with_name("fork_server_main.py")
_SPAWN_TIMEOUT_S = 10.0


class ForkServerError(RuntimeError):
    """The fork server is not running (it died or was closed)."""


class ForkedProcess:
    """A worker forked by the fork server: `pid`, `returncode`, `poll()`, `wait()` as in Popen."""

    def __init__(self, pid: int, server: ForkServer) -> None:
        self.pid = pid
        self._server = server

    @property
    def returncode(self) -> int | None:
        return self._server.returncode(self.pid)

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        code = self._server.wait_exit(self.pid, timeout)
        if code is None:
            raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0)
        return code


class ForkServer:
    """One fork server process per LambdaRuntime, started on first use."""

    def __init__(self, runtime_dir: Path, executable: Path | None = None) -> None:
        """`executable`: the interpreter whose workers it forks (samlite's own by default)."""
        self._runtime_dir = runtime_dir
        self._executable = str(executable or sys.executable)
        self._lock = threading.Lock()
        self._condition = threading.Condition()
        self._process: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._reader: threading.Thread | None = None
        self._ids = itertools.count(1)
        self._spawned: dict[int, int] = {}
        self._exits: dict[int, int] = {}
        self._children: set[int] = set()  # workers of the running fork server, not exited yet
        self._orphans: set[int] = set()  # workers of a fork server that died (they died with it)
        self._unavailable = False  # this platform cannot run a fork server (no SOCK_SEQPACKET)
        self._closed = False

    def spawn(
        self,
        *,
        handler: str,
        env: Mapping[str, str],
        cwd: Path,
        path: Sequence[str],
        own_path: Sequence[str],
        out_fd: int,
        telemetry_fd: int,
    ) -> ForkedProcess:
        """Fork a worker running awslambdaric with `handler`; the fds are duplicated into it.

        `path` is the worker's sys.path before the standard library; `own_path` the part of it that
        is the function's (CodeUri, requirements), whose modules win over preloaded runtime ones.
        """
        sock = self._ensure_started()
        request_id = next(self._ids)
        message = {
            "id": request_id,
            "handler": handler,
            "env": dict(env),
            "cwd": str(cwd),
            "path": list(path),
            "own_path": list(own_path),
        }
        try:
            with self._lock:
                socket.send_fds(sock, [json.dumps(message).encode()], [out_fd, telemetry_fd])
        except OSError as exc:
            raise ForkServerError(f"the fork server is gone: {exc}") from exc
        deadline = time.monotonic() + _SPAWN_TIMEOUT_S
        with self._condition:
            while request_id not in self._spawned:
                remaining = deadline - time.monotonic()
                if self._sock is not sock or remaining <= 0:
                    raise ForkServerError("the fork server did not start the worker")
                self._condition.wait(remaining)
            return ForkedProcess(self._spawned.pop(request_id), self)

    def returncode(self, pid: int) -> int | None:
        with self._condition:
            if pid in self._exits:
                return self._exits[pid]
            if pid in self._orphans:  # the fork server's death took its workers with it (PDEATHSIG)
                if _pid_alive(pid):
                    return None
                self._orphans.discard(pid)
                self._exits[pid] = -signal.SIGKILL
                return self._exits[pid]
            return None

    def wait_exit(self, pid: int, timeout: float | None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            while True:
                code = self.returncode(pid)
                if code is not None:
                    return code
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._condition.wait(0.05 if remaining is None else min(remaining, 0.05))

    def close(self) -> None:
        """Stop the fork server; it kills any worker still running as it exits."""
        with self._lock:
            self._closed = True
            sock, self._sock = self._sock, None
            process = self._process
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if process is not None:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)

    @property
    def started(self) -> bool:
        return self._process is not None

    def _ensure_started(self) -> socket.socket:
        with self._lock:
            if self._unavailable or self._closed:
                raise ForkServerError("the fork server is not running")
            if self._sock is not None:
                return self._sock
            try:
                parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            except (OSError, AttributeError) as exc:  # no SOCK_SEQPACKET (macOS): spawn workers instead
                self._unavailable = True
                raise ForkServerError(f"cannot start the fork server: {exc}") from exc
            env = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL", "TMPDIR") if key in os.environ}
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            try:
                self._process = subprocess.Popen(
                    [
                        self._executable,
                        "-S",
                        "-I",  # neither this file's folder nor user site-packages on sys.path
                        "-B",  # -I ignores PYTHONDONTWRITEBYTECODE
                        "-u",
                        str(_MAIN),
                        str(child.fileno()),
                        str(self._runtime_dir),
                    ],
                    pass_fds=(child.fileno(),),
                    stdin=subprocess.DEVNULL,
                    env=env,
                    start_new_session=True,
                )
            finally:
                child.close()
            self._sock = parent
            self._reader = threading.Thread(
                target=self._read, args=(parent, self._process), name="samlite-fork-server", daemon=True
            )
            self._reader.start()
            return parent

    def _read(self, sock: socket.socket, process: subprocess.Popen[bytes]) -> None:
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                self._ended(sock, process)
                return
            message = json.loads(data)
            with self._condition:
                if message["op"] == "spawned":
                    self._spawned[message["id"]] = message["pid"]
                    self._children.add(message["pid"])
                elif message["op"] == "exit":
                    self._exits[message["pid"]] = message["returncode"]
                    self._children.discard(message["pid"])
                self._condition.notify_all()

    def _ended(self, sock: socket.socket, process: subprocess.Popen[bytes]) -> None:
        """The fork server closed its socket (it died, or close() stopped it): reap it, so it never
        stays a zombie, and let the next spawn start a new one."""
        with self._lock:
            if self._sock is sock:
                self._sock = None
        with contextlib.suppress(OSError):
            sock.close()
        if not self._closed:  # close() waits for the process itself
            with contextlib.suppress(subprocess.TimeoutExpired, OSError):
                process.wait(timeout=_SPAWN_TIMEOUT_S)
        with self._condition:
            self._orphans.update(self._children)
            self._children.clear()
            self._condition.notify_all()


def _pid_alive(pid: int) -> bool:
    """Running, and not a zombie left for init to reap (an orphaned worker we can no longer wait for)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
