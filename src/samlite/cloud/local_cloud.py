"""`LocalCloud`: a whole SAM template running on this machine, the engine of `samlite start`.

A facade: each part is built and tested on its own, and this class only puts them together in order.
The template model (`load_stack`), the embedded AWS endpoint and samlite's service additions
(`samlite.endpoint`, `samlite.services`), provisioning (`samlite.provisioning`), IAM credentials per
function (`samlite.iam`), the Lambda runtime, S3 events and asynchronous invocation
(`EventDelivery`), the API gateway (`api_gateway`), the log stream, the code watcher, the record of
invocations (`recorder`) and the state files. The command line and the pytest plugin both drive this
one class, so what a test sees is what `samlite start` does.

Start order matters: the endpoint binds its port first (a port in use fails in milliseconds, and the
stack's local names, such as queue URLs, need the endpoint URL) while the template loads on a second
thread (`startup`), then the stack is provisioned, then the runtime and the event wiring are attached,
and only then the state files are written and the endpoint is checked to answer. moto's per-service
apps are prewarmed once ready.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from samlite.apigw import LocalApiGateway
from samlite.cloud import api_gateway
from samlite.cloud.code_watch import CodeWatcher
from samlite.cloud.dependencies import prepare_functions
from samlite.cloud.local_names import local_names
from samlite.cloud.log_stream import SAMLITE_SOURCE, LogStream
from samlite.cloud.options import CloudOptions
from samlite.cloud.recorder import (
    SOURCE_API_GATEWAY,
    SOURCE_EVENT_API,
    SOURCE_INVOKE_API,
    InvocationRecord,
    InvocationRecorder,
)
from samlite.cloud.saved_state import SavedState
from samlite.cloud.startup import Background, translate_early
from samlite.cloud.state_files import write_env_file, write_outputs_file
from samlite.cloud.unsupported import refuse_partial_start
from samlite.config import ProjectConfig, default_cache_dir, load_project_config
from samlite.console import Console, ConsoleSources
from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.endpoint.moto_dispatch import backends_of
from samlite.errors import CloudError
from samlite.iam.function_credentials import FunctionCredentials
from samlite.model import Credentials, FunctionSpec, InvocationResult
from samlite.provisioning.provision import ProvisionedStack, provision
from samlite.provisioning.reset import empty_resources, remove_resources
from samlite.runtime import DebugOptions, LambdaRuntime
from samlite.runtime.interpreters import prefetch as prefetch_interpreters
from samlite.services.awslambda.event_sources.pollers import EventSources, wait_all_idle
from samlite.services.awslambda.invoke_api import CallableInvokeHandler
from samlite.services.awslambda.recursion import current_depth, trace_header
from samlite.services.event_delivery import EventDelivery
from samlite.services.push_delivery import PushDelivery
from samlite.services.schedules.trigger import TriggerError, TriggerResult
from samlite.services.stepfunctions.service import state_machines_of
from samlite.services.wiring import LocalServices, attach
from samlite.template import Stack, load_stack
from samlite.template.handler_check import check_handlers

if TYPE_CHECKING:
    from samlite.persistence.persister import Persister  # imported for `persist` only (saved_state)

__all__ = ["CloudOptions", "InvocationRecord", "LocalCloud", "LocalCloudError"]

STOP_GRACE_S = 3.0  # how long stop() lets running async invocations finish before workers are killed


class LocalCloudError(CloudError):
    """The local cloud could not start (bad options, bad template); the message is for the user."""


class LocalCloud:
    """A SAM template running locally: endpoint, resources, functions, events, logs (see module doc).

    Use as a context manager, or call `start()` and `stop()`. After `start()`:
    - `url`, `admin_credentials`, `outputs`, `stack`, `provisioned`, `client(service)`;
    - `wait_idle(timeout)`: True once every queued async invocation (S3 events included) is done and
      every event-source mapping is idle (no message it would take, every stream record delivered);
    - `invocations(function_id)` and `log_lines(function_id)`: what each function did;
    - `reset()`: back to the freshly provisioned state, for test isolation.
    """

    def __init__(self, options: CloudOptions) -> None:
        self.options = options
        self._aws: EmbeddedAws | None = None
        self._services: LocalServices | None = None
        self._stack: Stack | None = None
        self._provisioned: ProvisionedStack | None = None
        self._runtime: LambdaRuntime | None = None
        self._delivery: EventDelivery | None = None
        self._event_sources: EventSources | None = None
        self._push: PushDelivery | None = None
        self._watcher: CodeWatcher | None = None
        self._gateway: LocalApiGateway | None = None
        self._console: Console | None = None
        self._saved: SavedState | None = None  # the administrator's key, and the snapshot with `persist`
        self._recorder = InvocationRecorder()
        self._logs = LogStream(Path(options.state_dir) / "logs", sink=options.log_sink)
        self._config = ProjectConfig()
        self._credentials: FunctionCredentials | None = None
        self._started = False

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> LocalCloud:
        """Bring everything up; on any failure, stop what was started and re-raise (a SamliteError,
        whose message is one line for the user)."""
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
        # boto3 (botocore) is imported by both threads (moto on this one, samtranslator on the other);
        # importing it first leaves the two only leaf modules in common, so no import cycle can be
        # entered from both at once.
        import boto3  # noqa: F401

        # With a fixed port the endpoint URL is known before moto is even imported, so the template
        # loads while the endpoint starts; with port 0 only samtranslator's import overlaps, and the
        # load waits for the port.
        expected_url = f"http://{options.host}:{options.port}"
        # A corrupt snapshot stops the start before anything runs; the admin key is an earlier start's.
        saved = self._saved = SavedState(
            Path(options.state_dir), options.stack_name, options.region, options.persist, self.log
        )
        ahead = (
            Background(self._load_stack, expected_url)
            if options.port
            else Background(
                translate_early,
                options.template,
                options.parameter_overrides,
                options.region,
                options.stack_name,
            )
        )
        aws = EmbeddedAws(
            host=options.host,
            port=options.port,
            region=options.region,
            iam=options.iam,
            admin_key=saved.admin_key,
        )
        services = attach(aws)
        try:
            aws.start(prewarm=False)  # prewarmed once ready: before, it would slow provisioning down
        finally:
            ahead.join()
        self._aws, self._services = aws, services
        saved.keep_admin_key(aws)
        stack = ahead.result() if options.port and aws.url == expected_url else self._load_stack(aws.url)
        self._stack = stack
        self._check_before_provisioning(aws, services, stack, saved)
        # The runtime (its worker sandbox path is read from package metadata on disk) is built while
        # provisioning runs; it needs the endpoint, not the resources.
        runtime = Background(self._make_runtime, aws, self._debug_options(stack))
        try:
            self._provisioned = provision(aws, stack, services)
        finally:
            self._runtime = runtime.result_or_none()  # kept even when provisioning failed: stop() closes it
        self._runtime = runtime.result()
        self._log_unsupported(self._provisioned)
        prepare_functions(self._runtime, stack.functions.values(), self.log)
        saved.restore(aws)  # before events are wired: restoring invokes nothing
        self._start_deliveries(aws, services, stack, saved)
        if options.watch:
            self._watcher = self._code_watcher(stack)
            self._watcher.start()
        state_dir = Path(options.state_dir)
        write_outputs_file(state_dir / "outputs.json", self.outputs, self.local_names)
        write_env_file(state_dir / "env", self.env())
        _check_answers(aws.url)
        if self._console is not None:
            self._console.attach()  # after samlite's own check: the cost page counts the application's work
        saved.start_autosave(aws)
        # Only the apps of the services the template declares: any other is built on its first request.
        aws.prewarm(backends_of(resource.type for resource in stack.resources.values()))

    def _check_before_provisioning(
        self, aws: EmbeddedAws, services: LocalServices, stack: Stack, saved: SavedState
    ) -> None:
        """Everything that may refuse the template, before anything is created in the embedded AWS."""
        for warning in [*self._config.warnings, *stack.warnings]:
            self.log(f"warning: {warning}")
        refuse_partial_start(stack)  # never half a template
        check_handlers(stack.functions.values())  # a handler that cannot load fails here, not on an event
        self._credentials = FunctionCredentials(aws)
        if services.role_credentials is not None:
            services.role_credentials.credentials_for = self._credentials.credentials_for
        saved.check(list(stack.resources.values()))  # a snapshot the template cannot take back

    def _start_deliveries(
        self, aws: EmbeddedAws, services: LocalServices, stack: Stack, saved: SavedState
    ) -> None:
        """What delivers events and requests to the functions: async queue, state machines, pollers,
        console, pushed triggers and the API gateway, in that order."""
        runtime = self._require_runtime()
        self._delivery = self._wire_events(aws, services, runtime)
        if services.states is not None:
            services.states.start(
                state_machines_of(stack.resources.values()),
                self._function_line,
                time_scale=self.options.states_time_scale,
            )
        saved.resume_events(self._delivery.invoker, services.functions.resolve)
        self._event_sources = self._start_event_sources(aws, services, runtime, self._delivery, saved)
        if self.options.console:
            self._console = self._start_console(aws, stack, self.provisioned, runtime)
        self._push = self._wire_push(aws, services, self._delivery, stack)
        if api_gateway.has_api(stack):
            self._gateway = self._start_gateway(aws, services, stack, runtime)

    def _require_runtime(self) -> LambdaRuntime:
        if self._runtime is None:
            raise LocalCloudError("the local cloud is not started")
        return self._runtime

    def stop(self) -> None:
        """Stop everything started, in reverse order; leaves no process or thread behind, and removes the
        stack's resources from moto's process-wide backends (a later start in this process provisions
        them afresh). Idempotent. Every step runs even if an earlier one fails (the first error is
        raised at the end), so a failure never leaves worker processes or the port behind."""
        errors: list[BaseException] = []
        steps = (
            self._stop_console,
            self._stop_watcher,
            self._stop_gateway,
            self._stop_event_sources,
            self._stop_delivery,
            self._stop_runtime,
            self._stop_states,
            self._stop_saved_state,
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

    def _stop_console(self) -> None:
        console, self._console = self._console, None
        if console is not None:
            console.close()
            self._recorder.wake()  # its long polls answer now

    def _stop_watcher(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()

    def _stop_gateway(self) -> None:
        gateway, self._gateway = self._gateway, None
        if gateway is not None:
            gateway.stop()

    def _stop_event_sources(self) -> None:
        event_sources, self._event_sources = self._event_sources, None
        if event_sources is not None:
            event_sources.close(STOP_GRACE_S)

    def _stop_delivery(self) -> None:
        push, self._push = self._push, None
        if push is not None:
            push.close()
        delivery, self._delivery = self._delivery, None
        if delivery is not None:
            dropped = delivery.close(STOP_GRACE_S)
            if self._saved is not None:
                self._saved.hold_events(dropped)

    def _stop_runtime(self) -> None:
        runtime, self._runtime = self._runtime, None
        if runtime is not None:
            runtime.close()

    def _stop_states(self) -> None:
        if self._services is not None and self._services.states is not None:
            self._services.states.close()

    def _stop_saved_state(self) -> None:
        saved = self._saved
        if saved is not None:
            saved.close()  # the last snapshot, once nothing runs any more

    @property
    def persister(self) -> Persister | None:
        """The saved state's keeper with `persist` (`save()` takes a snapshot now), else None."""
        return self._saved.persister if self._saved is not None else None

    def _stop_aws(self) -> None:
        aws, self._aws = self._aws, None
        self._services = None
        if aws is None:
            return
        try:
            if self._provisioned is not None and self._stack is not None:
                # Only a stack that was fully provisioned is removed: after a failure, names may
                # belong to another cloud in this process (that is what makes provisioning fail).
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
    def console_url(self) -> str | None:
        """The console's address on the endpoint (`/_samlite/`), or None with `console=False`."""
        return self._console.url if self._console is not None else None

    @property
    def console(self) -> Console | None:
        """The console (its `token`, its cost `meter`), or None with `console=False`."""
        return self._console

    @property
    def local_names(self) -> dict[str, dict[str, str]]:
        """What the template's functions, buckets, tables, queues and topics are called locally
        ({"functions": {logical id: name}, ...}), also in `.samlite/outputs.json`."""
        return local_names(self.stack)

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
        from botocore.config import Config

        # No host prefix ("sync-" for StartSyncExecution) before the local endpoint's host.
        local = Config(inject_host_prefix=False)
        kwargs["config"] = local.merge(kwargs["config"]) if kwargs.get("config") else local

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
        """True once every queued invocation, retry and DLQ / destination write is done, and every
        event-source mapping is idle (nothing in flight, no message it would take or that will come back,
        every stream record delivered or given up); False on timeout."""
        if self._delivery is None:
            return True
        if self._event_sources is None:
            return self._delivery.wait_idle(timeout)
        return wait_all_idle((self._delivery.wait_idle, self._event_sources.wait_idle), timeout)

    def trigger(self, trigger_id: str) -> TriggerResult:
        """Fire a schedule now: a scheduled rule or EventBridge Scheduler schedule by logical id, a
        function with one Schedule / ScheduleV2 event, or `Function.Event` (see `schedules.trigger`)."""
        if self._push is None:
            raise LocalCloudError("the local cloud is not started")
        try:
            return self._push.trigger(trigger_id)
        except TriggerError as error:
            raise LocalCloudError(str(error)) from None

    def invocations(self, function_id: str) -> list[InvocationRecord]:
        """The finished invocations of a function (logical id or function name), oldest first."""
        return self._recorder.invocations(self._logical_id(function_id))

    def log_lines(self, function_id: str) -> list[str]:
        """Every log line of a function (its output and Lambda's START/END/REPORT), oldest first;
        `log_lines("samlite")` gives samlite's own lines (retries, dropped events, code changes), and a
        state machine's logical id its executions' steps."""
        return self._recorder.lines(self._logical_id(function_id))

    def reset(self, timeout: float = 30.0) -> None:
        """Back to the freshly provisioned state: empty buckets (every version), tables and queues,
        and forget recorded invocations and log lines.

        Pending async work is waited for first, so nothing writes after the reset. Objects are removed
        in moto's backend directly, not through the endpoint: S3 events are built from the requests the
        endpoint serves, so a reset fires no event (as emptying a bucket must not invoke its functions).
        """
        if self._event_sources is not None:
            self._event_sources.reset()  # a shard blocked by retries would keep it from ever being idle
        if not self.wait_idle(timeout):
            self.log(f"reset: async invocations still running after {timeout:g} s; resetting anyway")
        empty_resources(self._require_aws(), self.stack.resources.values())
        if self._services is not None:
            self._services.functions.restore()  # configurations changed through the Lambda API
        if self._event_sources is not None:
            self._event_sources.reset()
        self._recorder.clear()
        if self._console is not None:
            self._console.reset()
        if self._gateway is not None:
            self._gateway.clear_caches()

    def log(self, line: str, *, echo: bool = True) -> None:
        """Write one of samlite's own lines (ready, outputs, dropped events) to the log stream;
        `echo=False` keeps it out of the sink (the caller prints it itself)."""
        text = line if line.startswith("samlite") else f"samlite: {line}"
        self._recorder.line(SAMLITE_SOURCE, text)
        self._logs.write(SAMLITE_SOURCE, text, echo=echo)

    # -- wiring --------------------------------------------------------------------------------------

    def _require_aws(self) -> EmbeddedAws:
        if self._aws is None:
            raise LocalCloudError("the local cloud is not started")
        return self._aws

    def _load_stack(self, endpoint_url: str) -> Stack:
        # The account id is load_stack's default, moto's; provisioning checks that the two agree.
        options = self.options
        self._config = load_project_config(options.template).with_overrides(
            layer_map=options.layer_map, pythons=options.pythons
        )
        stack = load_stack(
            options.template,
            parameter_overrides=options.parameter_overrides,
            env_vars=options.env_vars,
            region=options.region,
            stack_name=options.stack_name,
            endpoint_url=endpoint_url,
            layer_map=self._config.layer_map,
            cache_dir=options.cache_dir,
        )
        # Finding each declared runtime's interpreter runs it: overlap that with the rest of start-up.
        prefetch_interpreters(
            (spec.runtime for spec in stack.functions.values()),
            self._config.pythons,
            options.cache_dir or default_cache_dir(),
        )
        return stack

    def _debug_options(self, stack: Stack) -> DebugOptions | None:
        options = self.options
        if options.debug_port is None:
            if options.debug_function is not None:
                raise LocalCloudError("--debug-function needs --debug-port")
            return None
        function_id = None
        if options.debug_function is not None:
            function_id = stack.function(options.debug_function).logical_id
        return DebugOptions(port=options.debug_port, function_id=function_id)

    def _make_runtime(self, aws: EmbeddedAws, debug: DebugOptions | None) -> LambdaRuntime:
        credentials = self._credentials or FunctionCredentials(aws)
        runtime = LambdaRuntime(
            aws_endpoint_url=aws.url,
            credentials_for=credentials.credentials_for,
            log_sink=self._function_line,
            debug=debug,
            region=self.options.region,
            cache_dir=self.options.cache_dir,
            pythons=self._config.pythons,
        )
        if self._stack is not None:  # while provisioning runs: looking for a python3.x can take a while
            runtime.choose_interpreters(spec.runtime for spec in self._stack.functions.values())
        return runtime

    def _code_watcher(self, stack: Stack) -> CodeWatcher:
        """Watch each function's code and its layers' local folders; never samlite's own folders."""
        folders: dict[str, list[Path]] = {}
        for spec in stack.functions.values():
            watched = [] if spec.inline_code else [Path(spec.code_uri)]
            for layer in spec.layers:
                watched += [folder for folder in (layer.content,) if folder is not None]
                watched += [layer.requirements.parent] if layer.requirements is not None else []
            folders[spec.logical_id] = watched
        ignore = [Path(self.options.state_dir), self.options.cache_dir or default_cache_dir()]
        return CodeWatcher(folders, on_change=self._code_changed, ignore=ignore)

    def _wire_events(
        self, aws: EmbeddedAws, services: LocalServices, runtime: LambdaRuntime
    ) -> EventDelivery:
        record = self._recorder.record

        def invoke_queued(
            spec: FunctionSpec, payload: bytes, *, source: str = "async", trigger: str | None = None
        ) -> InvocationResult:
            # Runs inside the invoker's ChainTracker.running(): the trace header carries the chain's
            # depth so the recursion guard can follow it even when all functions share one key.
            # `source` is the event's, as submitted ("s3", "lambda-api", "destination", "sns"...).
            spec = services.functions.current(spec)  # as configured now, not when it was queued
            result = runtime.invoke(spec, payload, trace_id=trace_header(current_depth()))
            record(spec, payload, result, SOURCE_EVENT_API if source == "lambda-api" else source, trigger)
            return result

        def invoke_now(spec: FunctionSpec, payload: bytes, **options: Any) -> InvocationResult:
            # The Invoke API's RequestResponse: request id, client context and trace header pass through.
            result = runtime.invoke(spec, payload, **options)
            record(spec, payload, result, SOURCE_INVOKE_API)
            return result

        delivery = EventDelivery(
            aws,
            services.functions,
            invoke_queued,
            log=self.log,
            retry_delays=self.options.retry_delays,
            chaos_policy=self.options.chaos,
            function_log=self._function_line,
        )
        # UpdateFunctionConfiguration (or reset) changed a function: its warm workers start afresh.
        services.functions.on_change(lambda spec: runtime.recycle(spec.logical_id))
        if self.options.flow_control_limit is not None:  # writers wait while the functions' queue is long
            delivery.flow_control.limit = self.options.flow_control_limit
            aws.add_s3_check(delivery.flow_control)
        invoker = delivery.invoker
        services.lambda_api.handler = CallableInvokeHandler(
            invoke_now,
            lambda spec, payload, request_id: invoker.submit(
                spec, payload, source="lambda-api", request_id=request_id
            ),
        )
        return delivery

    def _start_console(
        self, aws: EmbeddedAws, stack: Stack, provisioned: ProvisionedStack, runtime: LambdaRuntime
    ) -> Console:
        """The console at `/_samlite/` on the endpoint (`samlite.console`): it only answers requests."""
        sources = ConsoleSources(
            aws=aws,
            stack=stack,
            provisioned=provisioned,
            recorder=self._recorder,
            worker_count=runtime.worker_count,
            api_urls=lambda: self.api_urls,
            api_keys=lambda: self.api_keys,
            bind_host=self.options.host,
            schedule_runs=lambda: self._push.clock.next_runs() if self._push is not None else {},
        )
        return Console(sources, report=self.log)

    def _start_event_sources(
        self,
        aws: EmbeddedAws,
        services: LocalServices,
        runtime: LambdaRuntime,
        delivery: EventDelivery,
        saved: SavedState,
    ) -> EventSources:
        # Lambda's pollers for the template's event-source mappings (SQS, DynamoDB streams, Kinesis).
        sources = EventSources(
            aws,
            services.event_source_mappings,
            invoke=runtime.invoke,
            record=self._recorder.record,
            function_log=self._function_line,
            log=self.log,
            send_to_target=delivery.targets,
            functions=services.functions,
            # --chaos: the pushed deliveries' Chaos, when the delivery assembly has one.
            chaos=getattr(delivery, "chaos", None),
        )
        saved.resume_mappings(sources)  # --persist: each stream mapping reads on from its saved position
        return sources.start()

    def _wire_push(
        self, aws: EmbeddedAws, services: LocalServices, delivery: EventDelivery, stack: Stack
    ) -> PushDelivery:
        """SNS subscriptions, EventBridge rules and schedules (`samlite.services.push_delivery`)."""
        return PushDelivery(
            aws,
            delivery,
            services.functions,
            resources=stack.resources.values(),
            function_specs=stack.functions,
            log=self.log,
            function_log=self._function_line,
        ).start()

    def _start_gateway(
        self, aws: EmbeddedAws, services: LocalServices, stack: Stack, runtime: LambdaRuntime
    ) -> LocalApiGateway:
        record = self._recorder.record

        def invoke(spec: FunctionSpec, event: bytes) -> InvocationResult:
            spec = services.functions.current(spec)  # as UpdateFunctionConfiguration left it, if it ran
            result = runtime.invoke(spec, event)
            record(spec, event, result, SOURCE_API_GATEWAY)
            return result

        options = self.options
        console = self._console
        gateway = api_gateway.start_gateway(
            stack,
            invoke,
            host=options.host,
            port=options.api_port,
            log=self.log,
            aws=aws,
            on_request=console.api_request if console is not None else None,
        )
        api_gateway.localise_outputs(gateway, stack, self.provisioned, services.stacks)
        api_gateway.publish_api_keys(aws, gateway)
        return gateway

    def _function_line(self, logical_id: str, line: str) -> None:
        self._recorder.line(logical_id, line)
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
        if function_id in state_machines_of(stack.resources.values()).values():
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


def _check_answers(url: str, timeout: float = 5.0) -> None:
    """Make one HTTP request to the endpoint: `samlite ready` is only printed once it answers."""
    try:
        with urllib.request.urlopen(url + "/", timeout=timeout):
            pass
    except urllib.error.HTTPError:
        pass  # an AWS error (e.g. AccessDenied without credentials) is an answer
    except OSError as error:
        raise LocalCloudError(f"the endpoint {url} does not answer: {error}") from error
