"""`LocalCloud`: a whole SAM template running on this machine, the engine of `samlite start`.

It assembles the parts, each built and tested on its own: the template model (`load_stack`), the
embedded AWS endpoint (moto in-process), provisioning, IAM credentials per function, the Lambda
runtime (warm worker processes), S3 events and asynchronous invocation (`EventDelivery`), the log
stream and the code watcher. The command line and the pytest plugin both drive this one class, so what
a test sees is what `samlite start` does.

Start order matters: the endpoint binds its port first (a port in use fails in milliseconds, and the
stack's local names, such as queue URLs, need the endpoint URL), then the template is loaded and
provisioned, then the runtime and the event wiring are attached, and only then the state files are
written and the endpoint is checked to answer. Work not needed for that is kept out of the way: moto's
per-service apps are prewarmed once ready, and the API keys' moto records are written on the first use
of moto's API Gateway.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from samlite.cloud.async_invoke import DEFAULT_RETRY_DELAYS
from samlite.cloud.credentials import Credentials, shell_exports
from samlite.cloud.errors import CloudError
from samlite.cloud.log_stream import SAMLITE_SOURCE, LogStream
from samlite.model import FunctionSpec, InvocationResult

if TYPE_CHECKING:
    from samlite.apigw import LocalApiGateway
    from samlite.cloud.async_wiring import EventDelivery
    from samlite.cloud.code_watch import CodeWatcher
    from samlite.cloud.endpoint import EmbeddedAws
    from samlite.cloud.provision import ProvisionedStack
    from samlite.runtime import LambdaRuntime
    from samlite.template import Stack

# How `invocations()` labels where an invocation came from.
SOURCE_INVOKE_API = "lambda-api"  # Invoke API, RequestResponse
SOURCE_EVENT_API = "lambda-api-event"  # Invoke API, InvocationType=Event
SOURCE_API_GATEWAY = "apigateway"  # a request to the local API gateway
API_RESOURCE_TYPES = frozenset({"AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"})
STOP_GRACE_S = 3.0  # how long stop() lets running async invocations finish before workers are killed


class LocalCloudError(CloudError):
    """The local cloud could not start (bad options, bad template); the message is for the user."""


@dataclass
class CloudOptions:
    """How to run a template locally; the defaults are `samlite start`'s.

    `port=0` binds a free port (tests, the demo); so does `api_port=0` for the API gateway, which is
    only started when the template has a REST or HTTP API. `retry_delays` replace Lambda's 1 and 2
    minute async retry delays so the failure path of a test takes milliseconds. `log_sink(source,
    line)` receives every log line as it is written: `source` is a function's logical id or "samlite"
    for samlite's own lines (the command line passes a terminal printer; tests usually pass nothing).
    """

    template: Path = Path("template.yaml")
    host: str = "127.0.0.1"
    port: int = 4566
    api_port: int = 3000
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    env_vars: Mapping[str, Mapping[str, str]] | None = None
    iam: bool = True
    watch: bool = True
    debug_port: int | None = None
    debug_function: str | None = None
    stack_name: str = "samlite"
    region: str = "us-east-1"
    state_dir: Path = Path(".samlite")
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
    log_sink: Callable[[str, str], None] | None = None


class InvocationRecord(NamedTuple):
    """One finished invocation: the runtime's request id, the event (parsed JSON), its result, and
    where it came from ("s3", "lambda-api", "lambda-api-event", "destination", "apigateway")."""

    request_id: str
    event: Any
    result: InvocationResult
    source: str


class LocalCloud:
    """A SAM template running locally: endpoint, resources, functions, events, logs (see module doc).

    Use as a context manager, or call `start()` and `stop()`. After `start()`:
    - `url`, `admin_credentials`, `outputs`, `stack`, `provisioned`, `client(service)`;
    - `wait_idle(timeout)`: True once every queued async invocation (S3 events included) is done;
    - `invocations(function_id)` and `log_lines(function_id)`: what each function did;
    - `reset()`: back to the freshly provisioned state, for test isolation.
    """

    def __init__(self, options: CloudOptions) -> None:
        self.options = options
        self._aws: EmbeddedAws | None = None
        self._stack: Stack | None = None
        self._provisioned: ProvisionedStack | None = None
        self._runtime: LambdaRuntime | None = None
        self._delivery: EventDelivery | None = None
        self._watcher: CodeWatcher | None = None
        self._gateway: LocalApiGateway | None = None
        self._logs = LogStream(Path(options.state_dir) / "logs", sink=options.log_sink)
        self._lock = threading.Lock()
        self._records: dict[str, list[InvocationRecord]] = {}
        self._lines: dict[str, list[str]] = {}
        self._started = False

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> LocalCloud:
        """Bring everything up; on any failure, stop what was started and re-raise (a CloudError or a
        TemplateError, whose message is one line for the user)."""
        if self._started:
            return self
        self._started = True
        self._stack = None
        self._provisioned = None
        self._logs = LogStream(Path(self.options.state_dir) / "logs", sink=self.options.log_sink)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        options = self.options
        # The template is loaded on a second thread while moto is imported and the endpoint binds:
        # importing moto and samtranslator is most of the start time, and part of it (reading files)
        # runs in parallel. With a fixed port the endpoint URL is known before moto is even imported,
        # so the whole load overlaps; with port 0 only the imports do, and the load waits for the port.
        # boto3 (botocore) is imported by both sides; importing it here first leaves the two threads
        # only leaf modules in common, so no import cycle can be entered from both at once.
        import boto3  # noqa: F401

        if _imports_are_rewritten():
            _import_own_modules()
        expected_url = f"http://{options.host}:{options.port}"
        ahead = (
            _Background(self._load_stack, expected_url) if options.port else _Background(_import_translator)
        )
        try:
            from samlite.cloud.endpoint import EmbeddedAws

            aws = EmbeddedAws(host=options.host, port=options.port, region=options.region, iam=options.iam)
            aws.start(prewarm=False)  # prewarmed once ready: before, it would slow provisioning down
        finally:
            ahead.join()
        self._aws = aws
        stack = ahead.result() if options.port and aws.url == expected_url else self._load_stack(aws.url)
        self._stack = stack
        from samlite.cloud.provision import provision

        for warning in stack.warnings:
            self.log(f"warning: {warning}")
        # The runtime (its worker sandbox path is read from package metadata on disk) is built while
        # provisioning runs; it needs the endpoint, not the resources.
        runtime = _Background(self._make_runtime, aws, self._debug_options(stack))
        try:
            self._provisioned = provision(aws, stack)
        finally:
            self._runtime = runtime.result_or_none()  # kept even when provisioning failed: stop() closes it
        self._runtime = runtime.result()
        self._log_unsupported(self._provisioned)
        self._delivery = self._wire_events(aws, self._runtime)
        if any(resource.type in API_RESOURCE_TYPES for resource in stack.resources.values()):
            self._gateway = self._start_gateway(stack, self._runtime)
        if options.watch:
            from samlite.cloud.code_watch import CodeWatcher

            self._watcher = CodeWatcher(
                {spec.logical_id: Path(spec.code_uri) for spec in stack.functions.values()},
                on_change=self._code_changed,
            )
            self._watcher.start()
        self._write_state_files()
        _check_answers(aws.url)
        aws.prewarm()

    def stop(self) -> None:
        """Stop everything started, in reverse order; leaves no process or thread behind, and removes the
        stack's resources from moto's process-wide backends (a later start in this process provisions
        them afresh). Idempotent. Every step runs even if an earlier one fails (the first error is
        raised at the end), so a failure never leaves worker processes or the port behind."""
        errors: list[BaseException] = []
        steps = (
            self._stop_watcher,
            self._stop_gateway,
            self._stop_delivery,
            self._stop_runtime,
            self._stop_aws,
        )
        for step in steps:
            try:
                step()
            except Exception as error:
                errors.append(error)
        self._logs.close()
        self._started = False
        if errors:
            raise errors[0]

    def _stop_watcher(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()

    def _stop_gateway(self) -> None:
        gateway, self._gateway = self._gateway, None
        if gateway is not None:
            gateway.stop()

    def _stop_delivery(self) -> None:
        delivery, self._delivery = self._delivery, None
        if delivery is not None:
            delivery.close(STOP_GRACE_S)

    def _stop_runtime(self) -> None:
        runtime, self._runtime = self._runtime, None
        if runtime is not None:
            runtime.close()

    def _stop_aws(self) -> None:
        aws, self._aws = self._aws, None
        if aws is None:
            return
        try:
            if self._provisioned is not None and self._stack is not None:
                # Only a stack that was fully provisioned is removed: after a failure, names may
                # belong to another cloud in this process (that is what makes provisioning fail).
                from samlite.cloud.reset import remove_resources

                roles = [spec.role_arn for spec in self._stack.functions.values() if spec.role_arn]
                remove_resources(aws, self._stack.resources.values(), roles)
        finally:
            aws.stop()

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- what tests, the plugin and the command line read -----------------------------------------------

    @property
    def url(self) -> str:
        return self._require_aws().url

    @property
    def admin_credentials(self) -> Credentials:
        return self._require_aws().admin_credentials

    @property
    def stack(self) -> Stack:
        if self._stack is None:
            raise LocalCloudError("the local cloud is not started")
        return self._stack

    @property
    def provisioned(self) -> ProvisionedStack:
        if self._provisioned is None:
            raise LocalCloudError("the local cloud is not started")
        return self._provisioned

    @property
    def outputs(self) -> dict[str, Any]:
        """The stack outputs resolved to local values (bucket and table names, queue URLs...)."""
        return dict(self.provisioned.outputs)

    @property
    def api_urls(self) -> dict[str, str]:
        """Base URL of each API of the template on the local gateway (logical id -> URL, stage
        included); empty when the template has no API."""
        return dict(self._gateway.urls) if self._gateway is not None else {}

    @property
    def api_keys(self) -> dict[str, str]:
        """API key values by key logical id, to send as `x-api-key` (empty without an API)."""
        return dict(self._gateway.api_keys) if self._gateway is not None else {}

    def env(self) -> dict[str, str]:
        """What a shell needs to reach the endpoint as administrator (also written to `.samlite/env`)."""
        return self._require_aws().env()

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client on the endpoint with the administrator's credentials (kwargs go to boto3)."""
        import boto3

        credentials = self.admin_credentials
        settings: dict[str, Any] = {
            "endpoint_url": self.url,
            "region_name": self.options.region,
            "aws_access_key_id": credentials.access_key_id,
            "aws_secret_access_key": credentials.secret_access_key,
            **kwargs,
        }
        return boto3.client(service, **settings)

    def wait_idle(self, timeout: float | None = 30.0) -> bool:
        """True once every queued invocation, retry and DLQ / destination write is done; False on timeout."""
        if self._delivery is None:
            return True
        return self._delivery.wait_idle(timeout)

    def invocations(self, function_id: str) -> list[InvocationRecord]:
        """The finished invocations of a function (logical id or function name), oldest first."""
        logical_id = self._logical_id(function_id)
        with self._lock:
            return list(self._records.get(logical_id, ()))

    def log_lines(self, function_id: str) -> list[str]:
        """Every log line of a function (its output and Lambda's START/END/REPORT), oldest first;
        `log_lines("samlite")` gives samlite's own lines (retries, dropped events, code changes)."""
        logical_id = self._logical_id(function_id)
        with self._lock:
            return list(self._lines.get(logical_id, ()))

    def reset(self, timeout: float = 30.0) -> None:
        """Back to the freshly provisioned state: empty buckets (every version), tables and queues,
        and forget recorded invocations and log lines.

        Pending async work is waited for first, so nothing writes after the reset. Objects are removed
        in moto's backend directly, not through the endpoint: S3 events are built from the requests the
        endpoint serves, so a reset fires no event (as emptying a bucket must not invoke its functions).
        """
        from samlite.cloud.reset import empty_resources

        if not self.wait_idle(timeout):
            self.log(f"reset: async invocations still running after {timeout:g} s; resetting anyway")
        empty_resources(self._require_aws(), self.stack.resources.values())
        with self._lock:
            self._records.clear()
            self._lines.clear()

    def log(self, line: str, *, echo: bool = True) -> None:
        """Write one of samlite's own lines (ready, outputs, dropped events) to the log stream;
        `echo=False` keeps it out of the sink (the caller prints it itself)."""
        text = line if line.startswith("samlite") else f"samlite: {line}"
        with self._lock:
            self._lines.setdefault(SAMLITE_SOURCE, []).append(text)
        self._logs.write(SAMLITE_SOURCE, text, echo=echo)

    # -- wiring --------------------------------------------------------------------------------------

    def _require_aws(self) -> EmbeddedAws:
        if self._aws is None:
            raise LocalCloudError("the local cloud is not started")
        return self._aws

    def _load_stack(self, endpoint_url: str) -> Stack:
        # The account id is load_stack's default, moto's; provisioning checks that the two agree.
        # (Importing it from the endpoint module would import moto on this thread.)
        from samlite.template import load_stack

        options = self.options
        stack = load_stack(
            options.template,
            parameter_overrides=options.parameter_overrides,
            env_vars=options.env_vars,
            region=options.region,
            stack_name=options.stack_name,
            endpoint_url=endpoint_url,
        )
        return stack

    def _debug_options(self, stack: Stack) -> Any:
        options = self.options
        if options.debug_port is None:
            if options.debug_function is not None:
                raise LocalCloudError("--debug-function needs --debug-port")
            return None
        from samlite.runtime import DebugOptions

        function_id = None
        if options.debug_function is not None:
            function_id = stack.function(options.debug_function).logical_id
        return DebugOptions(port=options.debug_port, function_id=function_id)

    def _make_runtime(self, aws: EmbeddedAws, debug: Any) -> LambdaRuntime:
        from samlite.cloud.iam import FunctionCredentials
        from samlite.runtime import LambdaRuntime

        return LambdaRuntime(
            aws_endpoint_url=aws.url,
            credentials_for=FunctionCredentials(aws).credentials_for,
            log_sink=self._function_line,
            debug=debug,
            region=self.options.region,
        )

    def _wire_events(self, aws: EmbeddedAws, runtime: LambdaRuntime) -> EventDelivery:
        from samlite.cloud.async_recursion import current_depth, trace_header
        from samlite.cloud.async_wiring import EventDelivery
        from samlite.cloud.lambda_api import CallableInvokeHandler

        def invoke_queued(spec: FunctionSpec, payload: bytes, *, source: str = "async") -> InvocationResult:
            # Runs inside the invoker's ChainTracker.running(): the trace header carries the chain's
            # depth so the recursion guard can follow it even when all functions share one key.
            # `source` is the event's, as submitted ("s3", "lambda-api", "destination").
            result = runtime.invoke(spec, payload, trace_id=trace_header(current_depth()))
            self._record(spec, payload, result, SOURCE_EVENT_API if source == "lambda-api" else source)
            return result

        def invoke_now(spec: FunctionSpec, payload: bytes, **options: Any) -> InvocationResult:
            # The Invoke API's RequestResponse: request id, client context and trace header pass through.
            result = runtime.invoke(spec, payload, **options)
            self._record(spec, payload, result, SOURCE_INVOKE_API)
            return result

        delivery = EventDelivery(aws, invoke_queued, log=self.log, retry_delays=self.options.retry_delays)
        invoker = delivery.invoker
        aws.set_lambda_handler(
            CallableInvokeHandler(
                invoke_now,
                lambda spec, payload, request_id: invoker.submit(
                    spec, payload, source="lambda-api", request_id=request_id
                ),
            )
        )
        return delivery

    def _start_gateway(self, stack: Stack, runtime: LambdaRuntime) -> LocalApiGateway:
        """Serve the template's APIs, and give outputs naming their execute-api URLs local values."""
        from samlite.apigw import GatewayConfigError, LocalApiGateway, PortInUseError

        def invoke(spec: FunctionSpec, event: bytes) -> InvocationResult:
            result = runtime.invoke(spec, event)
            self._record(spec, event, result, SOURCE_API_GATEWAY)
            return result

        options = self.options
        try:
            gateway = LocalApiGateway(stack, invoke, host=options.host, port=options.api_port, log=self.log)
            gateway.start()
        except (GatewayConfigError, PortInUseError) as error:
            raise LocalCloudError(str(error)) from error
        for warning in gateway.warnings:
            self.log(f"warning: {warning}")
        self._localise_api_outputs(gateway)
        self._register_api_keys(gateway)
        return gateway

    def _register_api_keys(self, gateway: LocalApiGateway) -> None:
        """Make each local key readable as on AWS: `aws apigateway get-api-key --api-key <ApiKeyId output>
        --include-value` (CloudFormation cannot output a key's value, so that is how users and tests
        written for a deployed stack find it).

        Done on the first use of moto's API Gateway (the first apigateway request waits for it): its
        import costs about 0.2 s, which `samlite start` need not spend before ready.
        """
        aws = self._require_aws()
        keys = list(gateway.key_ring.keys.values())

        def register() -> None:
            from moto.apigateway.models import ApiKey as MotoApiKey

            backend_keys = aws.backend("apigateway").keys
            for key in keys:
                backend_keys[key.key_id] = MotoApiKey(
                    key.key_id, name=key.logical_id, enabled=key.enabled, value=key.value
                )

        aws.on_first_use("apigateway", register)

    def _localise_api_outputs(self, gateway: LocalApiGateway) -> None:
        from samlite.cloud.stack_outputs import StackRecord

        provisioned = self.provisioned
        provisioned.outputs = {
            key: gateway.local_url(value) if isinstance(value, str) and ".execute-api." in value else value
            for key, value in provisioned.outputs.items()
        }
        details = [
            {**detail, "OutputValue": gateway.local_url(detail["OutputValue"])}
            if ".execute-api." in detail.get("OutputValue", "")
            else detail
            for detail in self.stack.output_details
        ]
        self._require_aws().stacks.register(
            StackRecord(provisioned.stack_name, provisioned.stack_id, details, dict(self.stack.parameters))
        )

    def _record(self, spec: FunctionSpec, payload: bytes, result: InvocationResult, source: str) -> None:
        try:
            event: Any = json.loads(payload)
        except ValueError:
            event = bytes(payload).decode("utf-8", "replace")
        with self._lock:
            self._records.setdefault(spec.logical_id, []).append(
                InvocationRecord(result.request_id, event, result, source)
            )

    def _function_line(self, logical_id: str, line: str) -> None:
        with self._lock:
            self._lines.setdefault(logical_id, []).append(line)
        self._logs.write(logical_id, line)

    def _code_changed(self, logical_id: str, changed: list[Path]) -> None:
        runtime = self._runtime
        if runtime is None:
            return
        runtime.recycle(logical_id)
        shown = ", ".join(str(path.name) for path in changed[:3]) + (" ..." if len(changed) > 3 else "")
        self.log(f"{logical_id}: code changed ({shown}); warm workers recycled, next call starts cold")

    def _logical_id(self, function_id: str) -> str:
        stack = self.stack
        if function_id in stack.functions or function_id == SAMLITE_SOURCE:
            return function_id
        return stack.function(function_id).logical_id

    def _log_unsupported(self, provisioned: ProvisionedStack) -> None:
        if not provisioned.unsupported:
            return
        by_type: dict[str, list[str]] = {}
        for item in provisioned.unsupported:
            by_type.setdefault(item.type, []).append(item.logical_id)
        listed = "; ".join(f"{kind} ({', '.join(ids)})" for kind, ids in sorted(by_type.items()))
        self.log(f"not emulated, left out: {listed}")

    def _write_state_files(self) -> None:
        from samlite.cloud.stack_outputs import write_outputs_file

        state_dir = Path(self.options.state_dir)
        write_outputs_file(state_dir / "outputs.json", self.outputs)
        env_file = state_dir / "env"
        temporary = env_file.with_suffix(".tmp")
        temporary.write_text(shell_exports(dict(sorted(self.env().items()))))
        temporary.chmod(0o600)  # it holds the administrator's secret key
        temporary.replace(env_file)


class _Background:
    """Run `work(*args)` on a thread; `result()` returns its value or raises its exception."""

    def __init__(self, work: Callable[..., Any], *args: Any) -> None:
        self._work = work
        self._args = args
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="samlite-start-ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work(*self._args)
        except BaseException as error:  # handed to the starting thread by result()
            self._error = error

    def join(self) -> None:
        self._thread.join()

    def result_or_none(self) -> Any:
        """The value once done, or None if `work` raised (`result()` then raises it)."""
        self._thread.join()
        return None if self._error is not None else self._value

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _imports_are_rewritten() -> bool:
    """True under pytest, whose assertion rewriting compiles samlite's modules from rewritten ASTs
    (samlite registers a pytest11 plugin, so pytest rewrites its whole package)."""
    return any(type(finder).__name__ == "AssertionRewritingHook" for finder in sys.meta_path)


def _import_own_modules() -> None:
    """Import samlite's modules on this thread before a second one starts: CPython 3.11 cannot compile
    rewritten ASTs on two threads at once ("AST constructor recursion depth mismatch", seen under
    pytest). They are light (about 0.2 s); the heavy imports, moto and samtranslator, still overlap."""
    import samlite.apigw
    import samlite.cloud.iam
    import samlite.events
    import samlite.runtime
    import samlite.template  # noqa: F401


def _import_translator() -> None:
    """Import what loading a template needs (samtranslator is the bulk of it), to have it ready."""
    import samtranslator.translator.translator  # noqa: F401

    import samlite.template  # noqa: F401


def _check_answers(url: str, timeout: float = 5.0) -> None:
    """Make one HTTP request to the endpoint: `samlite ready` is only printed once it answers."""
    try:
        with urllib.request.urlopen(url + "/", timeout=timeout):
            pass
    except urllib.error.HTTPError:
        pass  # an AWS error (e.g. AccessDenied without credentials) is an answer
    except OSError as error:
        raise LocalCloudError(f"the endpoint {url} does not answer: {error}") from error


def outputs_json(outputs: Mapping[str, Any]) -> str:
    """The outputs as `.samlite/outputs.json` holds them (for printing)."""
    return json.dumps(dict(outputs), indent=2, sort_keys=True, default=str)
