"""`LambdaRuntime`: invoke FunctionSpecs in warm worker processes, with Lambda's outcomes and logs.

This is the piece the command line (`samlite invoke`), the Python API and the local cloud share.
It keeps one pool of workers per function logical id, builds the worker's Python path once, and
turns a worker's outcome into an `InvocationResult` carrying Lambda's payload and log lines.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from samlite.errors import SamliteError
from samlite.model import FunctionSpec, InvocationResult
from samlite.runtime import platform_logs
from samlite.runtime.dependencies import default_cache_dir, ensure_requirements
from samlite.runtime.environment import DUMMY_CREDENTIALS, WorkerPaths
from samlite.runtime.fork_server import ForkServer
from samlite.runtime.invocation import ERROR, INIT_ERROR, Invocation, new_request_id
from samlite.runtime.pool import FunctionPool
from samlite.runtime.sandbox_path import DEBUG_DISTRIBUTIONS, RUNTIME_DISTRIBUTIONS, build_runtime_dir
from samlite.runtime.worker import Worker, WorkerLaunch, WorkerOutcome

DEFAULT_ACCOUNT_ID = "123456789012"
_ACCOUNT_IN_ARN = re.compile(r"^arn:[^:]+:[^:]*:[^:]*:(\d{12}):")


class UnsupportedFunctionError(SamliteError, ValueError):
    """The function cannot run on samlite (not a Python zip function, or it uses Layers)."""


@dataclass(frozen=True)
class DebugOptions:
    """Run `function_id` (or every function, when None) under debugpy listening on 127.0.0.1:`port`.

    The worker waits for a debugger to attach before loading the handler, and timeouts are off, so
    a breakpoint can be held as long as needed. One worker at a time: the port can be bound once.
    """

    port: int
    function_id: str | None = None

    def applies_to(self, logical_id: str) -> bool:
        return self.function_id is None or self.function_id == logical_id


class LambdaRuntime:
    """Runs Lambda functions in local worker processes speaking the real Runtime API.

    - `aws_endpoint_url`: given to functions as AWS_ENDPOINT_URL (unless their template sets it).
    - `credentials_for(spec)`: AWS_ACCESS_KEY_ID/SECRET/SESSION_TOKEN of the function's role;
      dummy keys by default. Called once per function definition.
    - `log_sink(logical_id, line)`: every log line as it is written (function output and the
      START/END/REPORT lines); each `InvocationResult.log_lines` also holds its own lines.
    - `debug`: run one function under debugpy (one worker, no timeout).
    - `max_workers_per_function`: concurrent execution environments per function (beyond it an
      invocation waits for a free worker); `ReservedConcurrentExecutions` lowers it.
    - `cache_dir`: where requirements.txt installs are cached (default ~/.cache/samlite).
    - `fork_workers`: start workers from a pre-warmed fork server (Linux); False spawns each one.

    `invoke` is thread-safe. `close()` (or leaving the `with` block) stops every process it started.
    """

    def __init__(
        self,
        *,
        aws_endpoint_url: str | None = None,
        credentials_for: Callable[[FunctionSpec], Mapping[str, str]] | None = None,
        log_sink: Callable[[str, str], None] | None = None,
        debug: DebugOptions | None = None,
        max_workers_per_function: int = 10,
        region: str = "us-east-1",
        cache_dir: Path | None = None,
        fork_workers: bool = True,
    ) -> None:
        self._endpoint_url = aws_endpoint_url
        self._credentials_for = credentials_for or (lambda spec: DUMMY_CREDENTIALS)
        self._log_sink = log_sink
        self._debug = debug
        self._max_workers = max_workers_per_function
        self.region = region
        self._cache_dir = cache_dir or default_cache_dir()
        self._lock = threading.Lock()
        # One pool per function version, by (logical id, version): versions are separate environments.
        self._pools: dict[tuple[str, str], tuple[FunctionSpec, FunctionPool]] = {}
        # Pools of changed specs, kept (for close()) only while an invocation still holds them.
        self._retired: set[FunctionPool] = set()
        self._leases: dict[FunctionPool, int] = {}  # per pool: invocations between _pool_for and release
        self._scratch = Path(tempfile.mkdtemp(prefix="samlite-runtime-"))
        self._runtime_dir = build_runtime_dir(self._scratch / "runtime", RUNTIME_DISTRIBUTIONS)
        self._debug_dir: Path | None = None
        # Workers are forked from a pre-warmed interpreter (fast cold starts); see fork_server.py.
        use_fork = fork_workers and sys.platform.startswith("linux")
        self._fork_server = ForkServer(self._runtime_dir) if use_fork else None
        self._closed = False

    # -- public API ------------------------------------------------------------------------------

    def invoke(
        self,
        spec: FunctionSpec,
        event: bytes,
        *,
        client_context: str | None = None,
        request_id: str | None = None,
        trace_id: str | None = None,
        invoked_arn: str | None = None,
    ) -> InvocationResult:
        """Invoke `spec` synchronously (RequestResponse) and return what Lambda would report.

        `trace_id` is the X-Ray header handed to the worker (`Lambda-Runtime-Trace-Id`); callers that
        trace invocation chains (the recursion guard) pass one carrying their `Lineage` count.
        `invoked_arn` is the ARN the caller named (an alias ARN, say), which the function reads as
        `context.invoked_function_arn`; by default the ARN of `spec`'s version.
        """
        debugging = self._debug is not None and self._debug.applies_to(spec.logical_id)
        invocation = Invocation(
            request_id=request_id or new_request_id(),
            event=event,
            function_arn=invoked_arn or self.function_arn(spec),
            timeout_s=None if debugging else float(spec.timeout),
            client_context=client_context,
            **({"trace_id": trace_id} if trace_id else {}),
        )
        pool = self._pool_for(spec)
        try:
            return self._run(pool, spec, invocation)
        finally:
            self._end_lease(pool)

    def recycle(self, logical_id: str) -> None:
        """Stop the idle workers of every version of the function (its code or configuration changed):
        the next invocation is a cold start."""
        with self._lock:
            pools = [pool for key, (_, pool) in self._pools.items() if key[0] == logical_id]
        for pool in pools:
            pool.recycle()

    def close(self) -> None:
        """Stop every worker and remove the scratch directory; nothing is left running."""
        with self._lock:
            self._closed = True
            pools = [pool for _, pool in self._pools.values()] + list(self._retired)
            self._pools, self._retired = {}, set()
        for pool in pools:
            pool.close()
        if self._fork_server is not None:
            self._fork_server.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> LambdaRuntime:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def function_arn(self, spec: FunctionSpec) -> str:
        """The ARN of `spec`'s version (unqualified for $LATEST)."""
        match = _ACCOUNT_IN_ARN.match(spec.role_arn or "")
        account = match.group(1) if match else DEFAULT_ACCOUNT_ID
        return f"arn:aws:lambda:{self.region}:{account}:{spec.qualified_arn_suffix}"

    def worker_count(self, logical_id: str) -> int:
        """How many execution environments the function has now (idle or busy), all versions."""
        with self._lock:
            return sum(pool.size for key, (_, pool) in self._pools.items() if key[0] == logical_id)

    # -- internals -------------------------------------------------------------------------------

    def _run(self, pool: FunctionPool, spec: FunctionSpec, invocation: Invocation) -> InvocationResult:
        lines: list[str] = []
        worker = pool.acquire()
        worker_log = worker.emit
        assert isinstance(worker_log, _WorkerLog)
        worker_log.target = lines
        try:
            outcome = worker.run(
                invocation,
                on_deliver=lambda inv: worker_log(
                    platform_logs.start_line(inv.request_id, spec.log_format, spec.version)
                ),
            )
            return self._result(spec, outcome, lines, worker_log)
        finally:
            worker_log.target = None
            pool.release(worker)

    def _pool_for(self, spec: FunctionSpec) -> FunctionPool:
        """The pool of `spec`, leased to the caller: pass it to `_end_lease` when done with it."""
        _check_supported(spec)
        with self._lock:
            if self._closed:
                raise RuntimeError("the Lambda runtime is closed")
            entry = self._pools.get(_pool_key(spec))
            if entry is not None and entry[0] == spec:
                return self._lease(entry[1])
        # New function, or its definition changed: (re)build its pool outside the lock (pip may run).
        launch = self._launch_for(spec)
        limit = 1 if launch.debug_port is not None else self._max_workers
        if spec.reserved_concurrency:
            limit = min(limit, spec.reserved_concurrency)
        pool = FunctionPool(lambda: Worker(launch, _WorkerLog(spec.logical_id, self._log_sink)), limit)
        with self._lock:
            if self._closed:
                raise RuntimeError("the Lambda runtime is closed")
            previous = self._pools.get(_pool_key(spec))
            if previous is not None and previous[0] == spec:
                return self._lease(previous[1])
            self._pools[_pool_key(spec)] = (spec, pool)
            self._lease(pool)
            if previous is not None:
                # Kept until its last user is done; this thread is one while it stops the idle workers.
                self._retired.add(previous[1])
                self._lease(previous[1])
        if previous is not None:
            try:
                previous[1].retire()
            finally:
                self._end_lease(previous[1])
        return pool

    def _lease(self, pool: FunctionPool) -> FunctionPool:
        """Count one more user of `pool` (called with self._lock held)."""
        self._leases[pool] = self._leases.get(pool, 0) + 1
        return pool

    def _end_lease(self, pool: FunctionPool) -> None:
        """One user of `pool` is done. A retired pool whose last user is done is dropped: its idle
        workers were stopped by `retire()` and every other one when released, so none is left."""
        with self._lock:
            users = self._leases[pool] - 1
            if users:
                self._leases[pool] = users
                return
            del self._leases[pool]
            if pool not in self._retired:
                return
            self._retired.discard(pool)
        pool.close()  # no worker left to stop; any later acquire() fails instead of starting one

    def _launch_for(self, spec: FunctionSpec) -> WorkerLaunch:
        code_uri = Path(spec.code_uri).resolve()
        if not code_uri.is_dir():
            raise UnsupportedFunctionError(
                f"function {spec.logical_id}: CodeUri {spec.code_uri} is not a directory on this machine"
            )
        debug_port = None
        debug_dir = None
        if self._debug is not None and self._debug.applies_to(spec.logical_id):
            debug_port = self._debug.port
            debug_dir = self._debug_path()
        paths = WorkerPaths(
            task_root=code_uri,
            dependencies=ensure_requirements(code_uri, self._cache_dir, function_id=spec.logical_id),
            runtime_dir=self._runtime_dir,
            debug_dir=debug_dir,
        )
        return WorkerLaunch(
            spec=spec,
            paths=paths,
            region=self.region,
            endpoint_url=self._endpoint_url,
            credentials=dict(self._credentials_for(spec)),
            debug_port=debug_port,
            fork_server=self._fork_server,
        )

    def _debug_path(self) -> Path:
        with self._lock:
            if self._debug_dir is None:
                self._debug_dir = build_runtime_dir(self._scratch / "debug", DEBUG_DISTRIBUTIONS)
            return self._debug_dir

    def _result(
        self, spec: FunctionSpec, outcome: WorkerOutcome, lines: list[str], log: _WorkerLog
    ) -> InvocationResult:
        invocation = outcome.invocation
        request_id = invocation.request_id
        status = platform_logs.SUCCESS
        error_type: str | None = None
        payload = invocation.body
        if outcome.timed_out:
            status = platform_logs.TIMEOUT
            error_type = "Sandbox.Timedout"
            message = f"Task timed out after {spec.timeout:.2f} seconds"
            payload = _error_document(request_id, error_type, message)
            if invocation.delivered_ns is None:
                log(platform_logs.start_line(request_id, spec.log_format, spec.version))
            for line in platform_logs.timeout_lines(request_id, spec.timeout):
                log(line)
            outcome.duration_ms = max(outcome.duration_ms, spec.timeout * 1000.0)
        elif outcome.exit_reason is not None:
            status = platform_logs.FAILURE
            error_type = "Runtime.ExitError"
            payload = _error_document(
                request_id, error_type, f"Runtime exited with error: {outcome.exit_reason}"
            )
            if invocation.delivered_ns is None:
                log(platform_logs.start_line(request_id, spec.log_format, spec.version))
            for line in platform_logs.exit_lines(request_id, outcome.exit_reason):
                log(line)
        elif invocation.outcome == INIT_ERROR:
            status = platform_logs.FAILURE
            error_type = invocation.error_type or _error_type(payload) or "Runtime.Unknown"
            log(platform_logs.init_report_line(outcome.init_duration_ms or 0.0, error_type, spec.log_format))
            log(platform_logs.start_line(request_id, spec.log_format, spec.version))
        elif invocation.outcome == ERROR:
            status = platform_logs.FAILURE
            error_type = invocation.error_type or "Unhandled"
        for line in platform_logs.end_lines(request_id, spec.log_format):
            log(line)
        report = platform_logs.Report(
            request_id=request_id,
            duration_ms=outcome.duration_ms,
            memory_size_mb=spec.memory_size,
            max_memory_used_mb=outcome.max_memory_used_mb,
            init_duration_ms=outcome.init_duration_ms,
            status=status,
            error_type=error_type if status != platform_logs.SUCCESS else None,
        )
        log(platform_logs.report_line(report, spec.log_format))
        return InvocationResult(
            request_id=request_id,
            payload=payload,
            error_type=error_type,
            log_lines=lines,
            duration_ms=outcome.duration_ms,
            billed_duration_ms=report.billed_duration_ms,
            init_duration_ms=outcome.init_duration_ms,
            max_memory_used_mb=outcome.max_memory_used_mb,
        )


class _WorkerLog:
    """Where a worker's lines go: the live sink, and the current invocation's list when there is one."""

    def __init__(self, logical_id: str, sink: Callable[[str, str], None] | None) -> None:
        self._logical_id = logical_id
        self._sink = sink
        self._lock = threading.Lock()
        self.target: list[str] | None = None

    def __call__(self, line: str) -> None:
        with self._lock:
            if self.target is not None:
                self.target.append(line)
            if self._sink is not None:
                self._sink(self._logical_id, line)


def _error_document(request_id: str, error_type: str, message: str) -> bytes:
    return json.dumps(
        {"errorType": error_type, "errorMessage": f"RequestId: {request_id} Error: {message}"}
    ).encode()


def _error_type(payload: bytes) -> str | None:
    try:
        document = json.loads(payload)
    except ValueError:
        return None
    return document.get("errorType") if isinstance(document, dict) else None


def _pool_key(spec: FunctionSpec) -> tuple[str, str]:
    return spec.logical_id, spec.version


def _check_supported(spec: FunctionSpec) -> None:
    if not spec.runtime.startswith("python"):
        raise UnsupportedFunctionError(
            f"function {spec.logical_id}: Runtime {spec.runtime!r} is not supported:"
            " samlite runs Python functions only"
        )
