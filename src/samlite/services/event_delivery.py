"""One call that wires S3 events and asynchronous invocation onto an embedded AWS endpoint.

`samlite start` (and the pytest plugin) need the same assembly: an `AsyncInvoker` in front of the
runtime, destinations / DLQs written through moto's backends, and an `S3Notifier` observing the
endpoint's requests, with the recursion guard shared by both. This module does that assembly and
nothing else, so the pieces stay independently testable.

With a `ChaosPolicy` (`--chaos`), S3 notifications go through `chaos` (S3 delivers at least once, in no
set order), and so do the other pushed deliveries that use this assembly's `chaos`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from samlite.iam.identities import MotoIdentities
from samlite.model import AwsApi
from samlite.services.awslambda.async_queue import (
    DEFAULT_CONCURRENCY,
    DEFAULT_RETRY_DELAYS,
    AsyncEvent,
    AsyncInvoker,
    FunctionLog,
    Invoke,
)
from samlite.services.awslambda.recursion import ChainTracker
from samlite.services.awslambda.registry import FunctionRegistry
from samlite.services.chaos import UNORDERED_AT_LEAST_ONCE, Chaos, ChaosPolicy
from samlite.services.s3.flow_control import S3FlowControl
from samlite.services.s3.notifications import S3Notifier
from samlite.services.targets import MotoTargets, OutboundMessage


class EventDelivery:
    """S3 notifications + Lambda async invocation for one embedded AWS (see module doc).

    Attach it before or after `aws.start()`; `close()` drops what has not started (with log lines)
    and waits for running invocations.
    """

    def __init__(
        self,
        aws: AwsApi,
        functions: FunctionRegistry,
        invoke: Invoke,
        *,
        log: Callable[[str], None],
        retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
        default_concurrency: int = DEFAULT_CONCURRENCY,
        chaos_policy: ChaosPolicy | None = None,
        function_log: FunctionLog | None = None,
    ) -> None:
        self._functions = functions
        self._log = log
        self.chaos = (
            Chaos(chaos_policy, log=log) if chaos_policy is not None and chaos_policy.active else None
        )
        self.identities = MotoIdentities(aws.account_id)
        self.chain = ChainTracker(self.identities.function_of)
        self.targets = MotoTargets(
            account_id=aws.account_id,
            log=log,
            invoke_function=lambda spec, body: self.invoker.submit(spec, body, source="destination"),
            function_for_arn=functions.resolve,
        )
        self.invoker = AsyncInvoker(
            invoke,
            send_to_target=self.targets,
            log=log,
            retry_delays=retry_delays,
            default_concurrency=default_concurrency,
            region=aws.region,
            account_id=aws.account_id,
            chain=self.chain,
            function_log=function_log,
        )
        self.notifier = S3Notifier(
            s3_backend=lambda: aws.backend("s3"),
            region=aws.region,
            deliver_to_function=self._deliver,
            send_to_target=self._notify_target,
            log=log,
            identify=self.identities.identify,
            chain=self.chain,
            account_id=aws.account_id,
        )
        # An S3 check for the endpoint that owns the writers (`EmbeddedAws.add_s3_check`): see flow_control.
        self.flow_control = S3FlowControl(
            self.invoker,
            self.chain,
            log,
            self._functions_notified,
            lambda access_key_id: self.identities.function_of(access_key_id) is not None,
        )
        self._aws = aws
        self._closed = False
        aws.add_request_observer(self.notifier)

    def _deliver(self, function_arn: str, event: bytes, depth: int) -> None:
        spec = self._functions.resolve(function_arn)
        if spec is None:
            self._log(
                f"samlite: S3 event for {function_arn} dropped: no function of the template has this ARN"
            )
            return
        if self.chaos is None:
            self.invoker.submit(spec, event, source="s3", depth=depth)
            return
        self.chaos.deliver(
            f"s3>{function_arn}",
            UNORDERED_AT_LEAST_ONCE,
            f"S3 event for {spec.logical_id}",
            lambda: self.invoker.submit(spec, event, source="s3", depth=depth),
        )

    def _notify_target(self, arn: str, message: OutboundMessage) -> None:
        if self.chaos is None:
            self.targets(arn, message)
        else:
            self.chaos.deliver(
                f"s3>{arn}",
                UNORDERED_AT_LEAST_ONCE,
                f"S3 event for {arn}",
                lambda: self.targets(arn, message),
            )

    def _functions_notified(self, bucket_name: str) -> list[str]:
        """The functions a bucket's notification configuration invokes (by function name)."""
        bucket = self._aws.backend("s3").buckets.get(bucket_name)
        config = getattr(bucket, "notification_configuration", None)
        names = []
        for notification in getattr(config, "cloud_function", None) or []:
            spec = self._functions.resolve(notification.arn)
            if spec is not None and spec.function_name not in names:
                names.append(spec.function_name)
        return names

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once every queued invocation, retry and DLQ / destination write is done, and nothing is
        held or delayed by chaos."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if self.chaos is not None and not self.chaos.wait_idle(left):
                return False
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self.invoker.wait_idle(left):
                return False
            if self.chaos is None or self.chaos.pending == 0:  # an invocation may have pushed more
                return True

    def close(self, timeout: float = 10.0) -> list[AsyncEvent]:
        """Stop; returns the async events dropped because they had not started (see `AsyncInvoker`)."""
        if self._closed:
            return []
        self._closed = True
        if self.chaos is not None:
            self.chaos.close()  # what chaos still holds goes to the invoker now, not nowhere
        return self.invoker.close(timeout)
