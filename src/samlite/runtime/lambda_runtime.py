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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from samlite.errors import UnsupportedError
from samlite.model import FunctionSpec, InvocationResult
from samlite.model.layers import UNDER_PYTHON
from samlite.runtime import platform_logs
from samlite.runtime.dependencies import (
    REQUIREMENTS_FILE,
    Installed,
    default_cache_dir,
    install_packages,
    install_requirements_file,
)
from samlite.runtime.environment import DUMMY_CREDENTIALS, WorkerPaths
from samlite.runtime.interpreters import (
    Interpreter,
    InterpreterChooser,
    machine_architecture,
    own_interpreter,
)
from samlite.runtime.invocation import ERROR, INIT_ERROR, Invocation, new_request_id
from samlite.runtime.layer_view import LayerSource, OptView, build_view
from samlite.runtime.pool import FunctionPool
from samlite.runtime.runtime_environment import RuntimeEnvironment, build_environment
from samlite.runtime.sandbox_path import DEBUG_DISTRIBUTIONS, build_runtime_dir
from samlite.runtime.worker import Worker, WorkerLaunch, WorkerOutcome

DEFAULT_ACCOUNT_ID = "123456789012"
_ACCOUNT_IN_ARN = re.compile(r"^arn:[^:]+:[^:]*:[^:]*:(\d{12}):")


class UnsupportedFunctionError(UnsupportedError, ValueError):
    """The function cannot run on samlite (not a Python function, or its code is not on this machine)."""


@dataclass(frozen=True)
class Preparation:
    """What getting a function ready did: the lines to show (the Python or architecture it runs on
    instead of the declared one) and each install, with whether pip ran for it now."""

    logical_id: str
    notes: tuple[str, ...] = ()
    installs: tuple[tuple[str, Installed], ...] = ()

    @property
    def installed_now(self) -> bool:
        return any(installed.installed_now for _, installed in self.installs)


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
    - `pythons`: the interpreter of a declared runtime (`{"python3.13": Path(...)}`), see interpreters.

    `invoke` is thread-safe. `prepare(spec)` gets a function ready (its interpreter, requirements and
    layers installed) without running it. `close()` (or leaving the `with` block) stops every process
    it started.
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
        pythons: Mapping[str, Path] | None = None,
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
        self._debug_dir: Path | None = None
        # Workers are forked from a pre-warmed interpreter (fast cold starts); see fork_server.py.
        self._use_fork = fork_workers and sys.platform.startswith("linux")
        own = build_environment(
            own_interpreter(), self._scratch, self._cache_dir, label="samlite", fork=self._use_fork
        )
        self._runtime_dir = own.runtime_dir
        self._fork_server = own.fork_server
        self._chooser = InterpreterChooser(pythons, self._cache_dir)
        # Runtime environments by interpreter; each is built once, by the first function that needs it.
        self._environments: dict[Path, RuntimeEnvironment] = {own.interpreter.executable: own}
        self._environment_locks: dict[Path, threading.Lock] = {}
        self._preparations: dict[str, Preparation] = {}
        self._views: dict[str, tuple[list[LayerSource], tuple[int, int]]] = {}
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

    def choose_interpreters(self, runtimes: Iterable[str]) -> None:
        """Find the interpreter of each declared runtime now (probing one runs it), so that a caller
        can overlap that with other work; `prepare` and `invoke` would otherwise do it first."""
        for runtime in sorted(set(runtimes)):
            self._chooser.choose(runtime)

    def prepare(self, spec: FunctionSpec) -> Preparation:
        """Get `spec` ready to run without running it: its interpreter's runtime, its requirements and
        its layers installed (or found in the cache), its pool built. Raises what the first invocation
        would (DependencyInstallError, UnsupportedFunctionError)."""
        self._end_lease(self._pool_for(spec))
        with self._lock:
            return self._preparations.get(spec.logical_id) or Preparation(spec.logical_id)

    def recycle(self, logical_id: str) -> None:
        """Stop the idle workers of every version of the function (its code, a layer or its configuration
        changed): the next invocation is a cold start, with the function's view of /opt rebuilt."""
        with self._lock:
            pools = [pool for key, (_, pool) in self._pools.items() if key[0] == logical_id]
            view = self._views.get(logical_id)
        if view is not None:
            build_view(view[0], self._cache_dir, view[1])
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
        for environment in list(self._environments.values()):
            if environment.fork_server is not None:
                environment.fork_server.close()
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
        choice = self._chooser.choose(spec.runtime)
        interpreter = choice.interpreter
        installs: list[tuple[str, Installed]] = []
        environment = self._environment(interpreter, spec.logical_id, installs)
        dependencies = install_requirements_file(
            code_uri / REQUIREMENTS_FILE, self._cache_dir, label=spec.logical_id, interpreter=interpreter
        )
        if dependencies is not None:
            installs.append((REQUIREMENTS_FILE, dependencies))
        view = self._layer_view(spec, interpreter, installs)
        debug_port = None
        debug_dir = None
        if self._debug is not None and self._debug.applies_to(spec.logical_id):
            debug_port = self._debug.port
            debug_dir = self._debug_path()
        paths = WorkerPaths(
            task_root=code_uri,
            dependencies=dependencies.path if dependencies is not None else None,
            runtime_dir=environment.runtime_dir,
            debug_dir=debug_dir,
            layer_paths=view.python_paths(interpreter.version) if view is not None else (),
            opt_dir=view.root if view is not None else None,
        )
        notes = [choice.note_for(spec.logical_id, spec.runtime), _architecture_note(spec)]
        preparation = Preparation(spec.logical_id, tuple(n for n in notes if n), tuple(installs))
        with self._lock:
            self._preparations[spec.logical_id] = preparation
        return WorkerLaunch(
            spec=spec,
            paths=paths,
            region=self.region,
            endpoint_url=self._endpoint_url,
            credentials=dict(self._credentials_for(spec)),
            debug_port=debug_port,
            fork_server=environment.fork_server,
            python=interpreter.executable,
        )

    def _environment(
        self, interpreter: Interpreter, logical_id: str, installs: list[tuple[str, Installed]]
    ) -> RuntimeEnvironment:
        """The runtime environment of `interpreter`, built by the first function that needs it."""
        key = interpreter.executable
        with self._lock:
            environment = self._environments.get(key)
            lock = self._environment_locks.setdefault(key, threading.Lock())
        if environment is not None:
            return environment
        with lock:
            with self._lock:
                environment = self._environments.get(key)
            if environment is None:
                environment = build_environment(
                    interpreter, self._scratch, self._cache_dir, label=logical_id, fork=self._use_fork
                )
                with self._lock:
                    self._environments[key] = environment
        if environment.installed is not None:
            installs.append((f"awslambdaric for Python {interpreter.version_text}", environment.installed))
        return environment

    def _layer_view(
        self, spec: FunctionSpec, interpreter: Interpreter, installs: list[tuple[str, Installed]]
    ) -> OptView | None:
        """The function's merged /opt (see layer_view), installing what its layers need; None without."""
        sources: list[LayerSource] = []
        for layer in spec.layers:
            if layer.content is not None:
                sources.append(LayerSource(layer.content, layer.content_prefix))
            if layer.requirements is not None:
                installed = install_requirements_file(
                    layer.requirements,
                    self._cache_dir,
                    label=spec.logical_id,
                    interpreter=interpreter,
                    what=f"layer {layer.name}'s {layer.requirements}",
                )
                if installed is not None:
                    installs.append((f"layer {layer.name} {REQUIREMENTS_FILE}", installed))
                    sources.append(LayerSource(installed.path, UNDER_PYTHON))
            if layer.packages:
                installed = install_packages(
                    layer.packages,
                    self._cache_dir,
                    label=spec.logical_id,
                    interpreter=interpreter,
                    what=f"layer {layer.name} ({' '.join(layer.packages)})",
                )
                installs.append((f"layer {layer.name}", installed))
                sources.append(LayerSource(installed.path, UNDER_PYTHON))
        if not sources:
            return None
        with self._lock:
            self._views[spec.logical_id] = (sources, interpreter.version)
        return build_view(sources, self._cache_dir, interpreter.version)

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


def _architecture_note(spec: FunctionSpec) -> str | None:
    declared = spec.architectures[0] if spec.architectures else "x86_64"
    machine = machine_architecture()
    if declared == machine:
        return None
    return (
        f"Function '{spec.logical_id}' declares Architectures [{declared}]; this machine is {machine}, "
        f"so it runs on {machine} instead (its compiled packages are installed for {machine})"
    )


def _check_supported(spec: FunctionSpec) -> None:
    if not spec.runtime.startswith("python"):
        raise UnsupportedFunctionError(
            f"function {spec.logical_id}: Runtime {spec.runtime!r} is not supported:"
            " samlite runs Python functions only"
        )
