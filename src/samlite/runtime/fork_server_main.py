"""The fork server process: a Python with the runtime's standard-library imports done, forking workers.

Started by `samlite.runtime.fork_server` as `python -S -I -B -u fork_server_main.py FD`, so it sees the
standard library only: it never imports awslambdaric, boto3 or samlite. Importing the modules that
awslambdaric's bootstrap needs (json, logging, http.client, decimal, ...) is most of a cold start;
doing it once here and forking makes each new execution environment start in a few milliseconds.

Each forked worker then behaves as `python -S -m awslambdaric HANDLER` would: its own session,
stdout/stderr on the pipe samlite reads, environment replaced before awslambdaric is imported (it
reads AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_RUNTIME_API at import), its own `sys.path`, `TZ` applied.
This file is only ever run as a script; it imports nothing from samlite.
"""

import atexit
import contextlib
import ctypes
import importlib
import importlib.machinery
import json
import os
import select
import signal
import socket
import sys
import time
import traceback

# Standard-library modules that `awslambdaric.bootstrap` and its client import, measured with
# `python -X importtime`. Only the standard library: third-party code is imported fresh per worker.
PRELOAD = (
    "array", "base64", "bisect", "calendar", "collections", "concurrent.futures", "contextlib",
    "datetime", "decimal", "email.parser", "email.message", "enum", "functools", "http.client",
    "importlib.util", "ipaddress", "json", "locale", "logging", "numbers", "random", "re", "selectors",
    "socket", "ssl", "string", "struct", "textwrap", "threading", "traceback", "urllib.parse", "uuid",
    "warnings", "weakref",
)  # fmt: skip
# Pure modules of the runtime directory (awslambdaric's JSON library) that Lambda's runtime provides
# too. A worker whose own code or requirements ship one of them gets its own copy (see _unshadow),
# exactly as /var/task shadows the runtime's packages on Lambda. Not awslambdaric's C client
# (runtime_client): it reads AWS_LAMBDA_RUNTIME_API when loaded and must load in the worker.
PRELOAD_RUNTIME = ("simplejson",)
MAX_MESSAGE = 4 * 1024 * 1024
PR_SET_PDEATHSIG = 1


def _preload(runtime_dir: str) -> None:
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    sys.path.insert(0, runtime_dir)
    try:
        for name in PRELOAD_RUNTIME:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
    finally:
        sys.path.remove(runtime_dir)


def _unshadow(function_path: list[str]) -> None:
    """Forget a preloaded runtime module when the function's own path provides that module."""
    for name in PRELOAD_RUNTIME:
        if name in sys.modules and importlib.machinery.PathFinder.find_spec(name, function_path) is not None:
            for loaded in [key for key in sys.modules if key == name or key.startswith(name + ".")]:
                del sys.modules[loaded]


def _die_with_parent() -> None:
    """Linux: the worker gets SIGKILL if the fork server dies, so no worker outlives samlite."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _run_worker(request: dict, out_fd: int, telemetry_fd: int, stdlib_path: list[str]) -> None:
    code = 1
    try:
        os.setsid()
        _die_with_parent()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        # Nothing of the fork server's (its socket, its wake-up pipe) leaks into the function.
        os.closerange(3, telemetry_fd)
        os.closerange(telemetry_fd + 1, 65536)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["_LAMBDA_TELEMETRY_LOG_FD"] = str(telemetry_fd)
        time.tzset()
        sys.path[:] = [*request["path"], *stdlib_path]
        importlib.invalidate_caches()
        _unshadow(request["own_path"])
        sys.argv = ["awslambdaric", request["handler"]]
        from awslambdaric.__main__ import main

        main(sys.argv)
        code = 0
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            sys.stderr.write(f"{exc.code}\n")
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code & 0xFF)


def _send(sock: socket.socket, message: dict) -> None:
    sock.send(json.dumps(message).encode())


def serve(sock: socket.socket) -> None:
    stdlib_path = list(sys.path)
    children: set[int] = set()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    try:
        while True:
            readable, _, _ = select.select([sock, wake_read], [], [])
            if wake_read in readable:
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_read, 4096)
                _reap(sock, children)
            if sock in readable:
                data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 2)
                if not data:
                    return
                request = json.loads(data)
                out_fd, telemetry_fd = fds
                pid = os.fork()
                if pid == 0:
                    sock.close()
                    _run_worker(request, out_fd, telemetry_fd, stdlib_path)
                os.close(out_fd)
                os.close(telemetry_fd)
                children.add(pid)
                _send(sock, {"op": "spawned", "id": request["id"], "pid": pid})
                _reap(sock, children)
    finally:
        for pid in children:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)


def _reap(sock: socket.socket, children: set[int]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        children.discard(pid)
        with contextlib.suppress(OSError):
            _send(sock, {"op": "exit", "pid": pid, "returncode": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    _preload(sys.argv[2])
    serve(socket.socket(fileno=int(sys.argv[1])))
