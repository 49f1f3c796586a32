"""One execution environment: a process running awslambdaric against its own Runtime API endpoint.

The worker owns the process, its Runtime API server and its log capture, and turns one invocation
into an outcome: a response or function error posted by the runtime, an init error, a timeout
(the process is killed, as Lambda resets the environment), or a dead runtime (sys.exit, a signal,
or memory above MemorySize: samlite watches the resident memory of the process tree and kills it
with SIGKILL, which is what the kernel's OOM killer does to a Lambda function).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from samlite.model import FunctionSpec
from samlite.runtime import memory
from samlite.runtime.api_server import RuntimeApiServer, WorkerChannel
from samlite.runtime.environment import WorkerPaths, build_environment, log_stream_name
from samlite.runtime.fork_server import ForkedProcess, ForkServer, ForkServerError
from samlite.runtime.invocation import INIT_ERROR, Invocation
from samlite.runtime.log_capture import LogCapture

# Lambda gives the init phase 10 s before it retries init inside the invoke phase.
INIT_LIMIT_S = 10.0
_POLL_S = 0.01
# How Go (Lambda's runtime manager) names the signals that end a runtime: "signal: killed".
_SIGNAL_NAMES = {
    signal.SIGKILL: "killed",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted",
    signal.SIGTERM: "terminated",
    signal.SIGBUS: "bus error",
    signal.SIGILL: "illegal instruction",
    signal.SIGFPE: "floating point exception",
    signal.SIGINT: "interrupt",
}

DEBUG_BOOTSTRAP = """\
import os, sys
import debugpy
port = int(os.environ.pop("_SAMLITE_DEBUG_PORT"))
debugpy.listen(("127.0.0.1", port))
sys.stderr.write(f"samlite: debugger listening on 127.0.0.1:{port}; waiting for a client to attach\\n")
debugpy.wait_for_client()
from awslambdaric.__main__ import main
main(["awslambdaric", sys.argv[1]])
"""


@dataclass(frozen=True)
class WorkerLaunch:
    """Everything needed to start a worker for one function."""

    spec: FunctionSpec
    paths: WorkerPaths
    region: str
    endpoint_url: str | None
    credentials: Mapping[str, str]
    debug_port: int | None = None
    fork_server: ForkServer | None = None
    python: Path = field(default_factory=lambda: Path(sys.executable))  # the interpreter it runs on

    @property
    def memory_cap_bytes(self) -> int | None:
        """Not while debugging: the debug adapter lives in the worker's process tree."""
        return None if self.debug_port is not None else self.spec.memory_size * memory.MIB


@dataclass
class WorkerOutcome:
    """What became of an invocation on this worker; `exit_reason` is set when the runtime died."""

    invocation: Invocation
    timed_out: bool = False
    exit_reason: str | None = None
    init_duration_ms: float | None = None
    duration_ms: float = 0.0
    max_memory_used_mb: int = 0


class Worker:
    """A Lambda execution environment; `run` is called by one thread at a time (the pool sees to it)."""

    def __init__(self, launch: WorkerLaunch, emit: Callable[[str], None]) -> None:
        self.launch = launch
        self.emit = emit
        self.channel = WorkerChannel(on_deliver=self._on_deliver)
        self._server = RuntimeApiServer(self.channel)
        self._process: subprocess.Popen[bytes] | ForkedProcess | None = None
        self._capture: LogCapture | None = None
        self._spawn_ns = 0
        self._peak_rss = 0
        self._served = 0
        self._broken = False
        self._deliver_hook: Callable[[Invocation], None] | None = None
        self.stream_name = log_stream_name(version=launch.spec.version)

    @property
    def alive(self) -> bool:
        """Able to take another invocation: running, and not after an init error, timeout or crash."""
        return not self._broken and self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def run(self, invocation: Invocation, on_deliver: Callable[[Invocation], None]) -> WorkerOutcome:
        """Hand `invocation` to the runtime (starting the process on a cold start) and wait for it."""
        self._deliver_hook = on_deliver
        cold = self._process is None
        self.channel.submit(invocation)
        if cold:
            self._spawn()
        outcome = WorkerOutcome(invocation)
        self._wait(outcome)
        if outcome.timed_out or outcome.exit_reason is not None or invocation.outcome == INIT_ERROR:
            self._broken = True  # the runtime exits after posting an init error
        if self._capture is not None:
            self._capture.drain()
        if cold and self.channel.ready_ns is not None:
            outcome.init_duration_ms = (self.channel.ready_ns - self._spawn_ns) / 1e6
        elif cold and invocation.outcome == INIT_ERROR and invocation.finished_ns is not None:
            outcome.init_duration_ms = (invocation.finished_ns - self._spawn_ns) / 1e6
        if invocation.delivered_ns is not None:
            end_ns = invocation.finished_ns or time.monotonic_ns()
            outcome.duration_ms = (end_ns - invocation.delivered_ns) / 1e6
        if self.alive and self._process is not None:
            self._peak_rss = max(self._peak_rss, memory.peak_rss(self._process.pid))
        outcome.max_memory_used_mb = memory.to_mb(self._peak_rss)
        self._served += 1
        return outcome

    def stop(self) -> None:
        """Kill the process tree and release the port and threads; safe to call twice."""
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        self._server.stop()
        if self._capture is not None:
            self._capture.join(timeout=2)

    # -- internals -------------------------------------------------------------------------------

    def _on_deliver(self, invocation: Invocation) -> None:
        # Output of the init phase belongs before START, as in CloudWatch.
        if self._capture is not None:
            self._capture.drain(flush_partial=True)
        if self._deliver_hook is not None:
            self._deliver_hook(invocation)

    def _spawn(self) -> None:
        launch = self.launch
        self._server.start()
        out_read, out_write = os.pipe()
        telemetry_read, telemetry_write = os.pipe()
        env = build_environment(
            launch.spec,
            paths=launch.paths,
            runtime_api=self._server.address,
            telemetry_fd=telemetry_write,
            region=launch.region,
            endpoint_url=launch.endpoint_url,
            credentials=launch.credentials,
            stream_name=self.stream_name,
        )
        self._capture = LogCapture(out_read, telemetry_read, self.emit)
        self._spawn_ns = time.monotonic_ns()
        try:
            self._process = self._fork(env, out_write, telemetry_write) or self._popen(
                env, out_write, telemetry_write
            )
        except BaseException:
            self._capture.abandon()
            raise
        finally:
            os.close(out_write)
            os.close(telemetry_write)
        self._capture.start()

    def _fork(self, env: dict[str, str], out_fd: int, telemetry_fd: int) -> ForkedProcess | None:
        """Fork from the pre-warmed fork server; None when there is none (debugging) or it is gone."""
        launch = self.launch
        if launch.fork_server is None or launch.debug_port is not None:
            return None
        # What `python -m awslambdaric` run in CodeUri would have on sys.path before the stdlib.
        path = [str(launch.paths.task_root), *env["PYTHONPATH"].split(os.pathsep)]
        try:
            return launch.fork_server.spawn(
                handler=launch.spec.handler,
                env=env,
                cwd=launch.paths.task_root,
                path=path,
                own_path=launch.paths.own_path,
                out_fd=out_fd,
                telemetry_fd=telemetry_fd,
            )
        except ForkServerError:
            return None

    def _popen(self, env: dict[str, str], out_fd: int, telemetry_fd: int) -> subprocess.Popen[bytes]:
        launch = self.launch
        if launch.debug_port is not None:
            env["_SAMLITE_DEBUG_PORT"] = str(launch.debug_port)
            command = [str(launch.python), "-S", "-c", DEBUG_BOOTSTRAP, launch.spec.handler]
        else:
            command = [str(launch.python), "-S", "-m", "awslambdaric", launch.spec.handler]
        return subprocess.Popen(
            command,
            cwd=launch.paths.task_root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out_fd,
            stderr=out_fd,
            pass_fds=(telemetry_fd,),
            start_new_session=True,  # one process group: stop() kills the function's children too
        )

    def _wait(self, outcome: WorkerOutcome) -> None:
        invocation = outcome.invocation
        assert self._process is not None and self._capture is not None
        cap = self.launch.memory_cap_bytes
        timeout_s = invocation.timeout_s
        while not invocation.done.wait(_POLL_S):
            if self._process.poll() is not None or self._capture.eof.is_set():
                self._process.wait()
                if invocation.done.wait(0.05):  # it answered just before exiting
                    return
                self._capture.join(timeout=1)
                outcome.exit_reason = _exit_reason(self._process.returncode)
                return
            if timeout_s is not None and self._overdue(invocation, timeout_s):
                outcome.timed_out = True
                self._kill()
                return
            if cap is not None:
                rss = memory.current_rss(self._process.pid)
                self._peak_rss = max(self._peak_rss, rss)
                if rss > cap:
                    self._kill()
                    self._capture.join(timeout=1)
                    outcome.exit_reason = _exit_reason(-signal.SIGKILL)
                    return

    def _overdue(self, invocation: Invocation, timeout_s: float) -> bool:
        """Past the invocation's deadline. It counts from the event's delivery, or, before the runtime
        has asked for it, from the hand-over: on a warm worker (its runtime is between two `/next`
        requests, slow under load) that is the invocation's own start; on a cold one the init phase
        comes first, with INIT_LIMIT_S of its own ("Lambda execution environment lifecycle")."""
        now = time.monotonic_ns()
        if invocation.delivered_ns is not None:
            return now - invocation.delivered_ns > timeout_s * 1e9
        if self.channel.ready_ns is None:  # still initialising: the cold start's allowance
            return now - self._spawn_ns > (INIT_LIMIT_S + timeout_s) * 1e9
        handed = invocation.handed_ns if invocation.handed_ns is not None else now
        return now - handed > timeout_s * 1e9

    def _kill(self) -> None:
        assert self._process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()


def _exit_reason(returncode: int | None) -> str:
    if returncode is None:
        return "exit status unknown"
    if returncode < 0:
        number = -returncode
        try:
            sig = signal.Signals(number)
        except ValueError:
            return f"signal: {number}"
        return f"signal: {_SIGNAL_NAMES.get(sig, sig.name)}"
    return f"exit status {returncode}"
