"""SNS subscription deliveries, as SNS makes them: to functions asynchronously, to queues as documented.

For each message moto hands over (`moto_changes.sns_delivery`), one subscription at a time:
1. the subscription's `FilterPolicy` (scope `MessageAttributes` or `MessageBody`, see
   `filter_policy`) decides whether it gets the message; a message filtered out is logged, in the
   function's own log for a Lambda subscription ("Amazon SNS message filtering");
2. `MessageStructure=json` picks the text for the subscription's protocol;
3. `lambda`: the SNS event (`samlite.events.sns`) is invoked asynchronously ("Using Lambda with
   Amazon SNS": SNS invokes functions asynchronously), so Lambda's retries, the function's
   DeadLetterQueue and its destinations apply; the invocation is recorded as delivered by this
   subscription;
4. `sqs`: the JSON envelope, or with `RawMessageDelivery` the message itself with its attributes as
   SQS message attributes ("Amazon SNS raw message delivery"); FIFO topics pass the message group and
   deduplication ids on; a queue that cannot take the message sends it to the subscription's
   `RedrivePolicy` dead-letter queue when there is one ("Amazon SNS dead-letter queues"), and is
   logged either way;
5. other protocols (HTTP, email, SMS, mobile push, Firehose) are not emulated: said once per
   subscription.
Deliveries go through chaos when it is on (standard topics: at least once, unordered; FIFO topics:
neither duplicated nor reordered).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from samlite.events._ids import utc_now
from samlite.events.patterns import CompiledPattern
from samlite.events.sns import SnsMessage, message_for_protocol, sns_envelope, sns_lambda_event
from samlite.model import FunctionSpec
from samlite.moto_changes.sns_delivery import Published
from samlite.services.awslambda.recursion import ChainTracker
from samlite.services.chain_depth import depth_of_new_event
from samlite.services.chaos import ORDERED_EXACTLY_ONCE, UNORDERED_AT_LEAST_ONCE, Chaos
from samlite.services.said_once import SaidOnce
from samlite.services.sns.filter_policy import FilterPolicyError, compile_filter_policy, policy_matches

# submit(spec, payload, source=..., depth=..., trigger=...) -> request id: the async invoker's submit.
Submit = Callable[..., str]
_RECENT_MESSAGES = 512


class SnsDelivery:
    """The handler of `moto_changes.sns_delivery` (call it with a `Published`); never raises."""

    def __init__(
        self,
        *,
        resolve_function: Callable[[str], FunctionSpec | None],
        submit: Submit,
        sqs_backend: Callable[[str, str], Any],
        log: Callable[[str], None],
        function_log: Callable[[str, str], None],
        chain: ChainTracker,
        chaos: Chaos | None = None,
    ) -> None:
        self._resolve_function = resolve_function
        self._submit = submit
        self._sqs_backend = sqs_backend  # (account, region) -> moto's SQS backend
        self._log = log
        self._function_log = function_log
        self._chain = chain
        self._chaos = chaos
        self._lock = threading.Lock()
        self._timestamps: OrderedDict[str, datetime] = OrderedDict()
        self._policies: dict[tuple[str, str], CompiledPattern | FilterPolicyError] = {}
        self._say_once = SaidOnce(log)

    def __call__(self, published: Published) -> None:
        subscription = published.subscription
        try:
            self._deliver(published)
        except Exception as error:  # inside Publish: a bug here must not fail the caller's request
            self._log(
                f"samlite: SNS message {published.message_id} for subscription {subscription.arn} dropped: "
                f"internal error {type(error).__name__}: {error}"
            )

    # -- one subscription -----------------------------------------------------------------------------

    def _deliver(self, published: Published) -> None:
        subscription = published.subscription
        protocol = str(subscription.protocol)
        topic = subscription.topic
        if protocol not in ("lambda", "sqs"):
            self._say_once(
                subscription.arn,
                f"samlite: SNS subscription {subscription.arn} ({protocol} {subscription.endpoint}) is not "
                "emulated: its messages are not delivered",
            )
            return
        spec = self._resolve_function(str(subscription.endpoint)) if protocol == "lambda" else None
        if protocol == "lambda" and spec is None:
            self._log(
                f"samlite: SNS message {published.message_id} from {topic.arn} dropped: the subscribed "
                f"function {subscription.endpoint} is not a function of the template"
            )
            return
        if not self._passes_filter(published, spec):
            return
        text = published.message
        if published.message_structure == "json":
            try:
                text = message_for_protocol(text, protocol)
            except ValueError as error:
                self._log(f"samlite: SNS message {published.message_id} from {topic.arn} dropped: {error}")
                return
        message = SnsMessage(
            topic_arn=str(topic.arn),
            message=text,
            message_id=published.message_id,
            subject=published.subject,
            message_attributes=dict(published.message_attributes or {}),
            timestamp=self._timestamp(published.message_id),
            sequence_number=self._sequence_number() if getattr(topic, "fifo_topic", False) else None,
        )
        if spec is not None:
            self._to_function(spec, message, str(subscription.arn))
        else:
            self._to_queue(published, message)

    def _passes_filter(self, published: Published, spec: FunctionSpec | None) -> bool:
        subscription = published.subscription
        attributes = subscription.attributes
        policy = attributes.get("FilterPolicy")
        if not policy:
            return True
        scope = attributes.get("FilterPolicyScope") or "MessageAttributes"
        compiled = self._compiled(str(subscription.arn), policy, scope)
        if isinstance(compiled, FilterPolicyError):
            self._log(
                f"samlite: SNS message {published.message_id} not delivered to {subscription.arn}: "
                f"its {compiled}"
            )
            return False
        if policy_matches(compiled, scope, published.message, published.message_attributes):
            return True
        line = (
            f"samlite: SNS message {published.message_id} from {subscription.topic.arn} filtered out by "
            f"the FilterPolicy ({scope}) of subscription {subscription.arn}"
        )
        self._log(line)
        if spec is not None:
            self._function_log(spec.logical_id, line)
        return False

    def _compiled(self, arn: str, policy: Any, scope: str) -> CompiledPattern | FilterPolicyError:
        text = policy if isinstance(policy, str) else json.dumps(policy, sort_keys=True)
        key = (f"{arn}\0{scope}", text)
        with self._lock:
            found = self._policies.get(key)
        if found is None:
            try:
                found = compile_filter_policy(text, scope)
            except FilterPolicyError as error:
                found = error
            with self._lock:
                self._policies[key] = found
        return found

    # -- targets --------------------------------------------------------------------------------------

    def _to_function(self, spec: FunctionSpec, message: SnsMessage, subscription: str) -> None:
        payload = json.dumps(sns_lambda_event(message, subscription)).encode("utf-8")
        depth = depth_of_new_event(self._chain)

        def send() -> None:
            self._submit(spec, payload, source="sns", depth=depth, trigger=subscription)

        self._through_chaos(
            subscription,
            False,
            f"SNS message {message.message_id} from {message.topic_arn} for {spec.logical_id}",
            send,
        )

    def _to_queue(self, published: Published, message: SnsMessage) -> None:
        subscription = published.subscription
        raw = str(subscription.attributes.get("RawMessageDelivery", "false")).lower() == "true"
        fifo = bool(getattr(subscription.topic, "fifo_topic", False))
        group_id, deduplication_id = _fifo_ids(published, fifo)
        outgoing = _QueueMessage(
            body=message.message if raw else sns_envelope(message, str(subscription.arn)),
            attributes=_sqs_attributes(message.message_attributes) if raw else {},
            group_id=group_id,
            deduplication_id=deduplication_id,
        )
        queue_arn = str(subscription.endpoint)
        self._through_chaos(
            str(subscription.arn),
            fifo,
            f"SNS message {message.message_id} from {message.topic_arn} for queue {queue_arn}",
            lambda: self._send_to_queue(queue_arn, outgoing, published),
        )

    def _send_to_queue(self, queue_arn: str, outgoing: _QueueMessage, published: Published) -> None:
        subscription, message_id = published.subscription, published.message_id
        try:
            outgoing.send(self._sqs_backend, queue_arn)
            return
        except Exception as error:
            reason = f"{type(error).__name__}: {getattr(error, 'message', None) or error}"
        dead_letter = _dead_letter_arn(subscription.attributes.get("RedrivePolicy"))
        if not dead_letter:
            self._log(
                f"samlite: SNS message {message_id} could not be delivered to {queue_arn} ({reason}) and "
                f"subscription {subscription.arn} has no RedrivePolicy: the message is lost, as on AWS"
            )
            return
        try:
            outgoing.send(self._sqs_backend, dead_letter)
        except Exception as error:
            self._log(
                f"samlite: SNS message {message_id} lost: queue {queue_arn} refused it ({reason}) and so "
                f"did the subscription's dead-letter queue {dead_letter} ({error})"
            )
            return
        self._log(
            f"samlite: SNS message {message_id} could not be delivered to {queue_arn} ({reason}): "
            f"sent to the subscription's dead-letter queue {dead_letter}"
        )

    def _through_chaos(self, channel: str, fifo: bool, what: str, send: Callable[[], None]) -> None:
        if self._chaos is None:
            send()
        else:
            self._chaos.deliver(
                channel, ORDERED_EXACTLY_ONCE if fifo else UNORDERED_AT_LEAST_ONCE, what, send
            )

    # -- helpers --------------------------------------------------------------------------------------

    def _timestamp(self, message_id: str) -> datetime:
        """One publish time per message, whatever the number of subscriptions it reaches."""
        with self._lock:
            found = self._timestamps.get(message_id)
            if found is None:
                found = utc_now()
                self._timestamps[message_id] = found
                while len(self._timestamps) > _RECENT_MESSAGES:
                    self._timestamps.popitem(last=False)
            return found

    def _sequence_number(self) -> str:
        return f"{utc_now().timestamp() * 1e6:020.0f}"


def _sqs_attributes(attributes: Any) -> dict[str, Any]:
    """SNS attributes as SQS message attributes (raw delivery): String / Number values, Binary bytes."""
    converted: dict[str, Any] = {}
    for name, attribute in (attributes or {}).items():
        data_type = str(attribute["Type"])
        key = "BinaryValue" if data_type.startswith("Binary") else "StringValue"
        converted[name] = {"DataType": data_type, key: str(attribute["Value"])}
    return converted


def _fifo_ids(published: Published, fifo: bool) -> tuple[str | None, str | None]:
    """(message group id, deduplication id) a FIFO topic passes to its FIFO queues: the publisher's,
    or the SHA-256 of the message when the topic deduplicates by content ("Message deduplication for
    FIFO topics")."""
    if not fifo:
        return None, None
    dedup = published.deduplication_id
    if dedup is None and getattr(published.subscription.topic, "content_based_deduplication", False):
        dedup = hashlib.sha256(published.message.encode("utf-8")).hexdigest()
    return published.group_id, dedup


@dataclass(frozen=True)
class _QueueMessage:
    body: str
    attributes: dict[str, Any]
    group_id: str | None
    deduplication_id: str | None

    def send(self, sqs_backend: Callable[[str, str], Any], queue_arn: str) -> None:
        parts = queue_arn.split(":")
        if len(parts) < 6:
            raise ValueError(f"not a queue ARN: {queue_arn!r}")
        sqs_backend(parts[4], parts[3]).send_message(
            queue_name=parts[5],
            message_body=self.body,
            message_attributes=self.attributes,
            deduplication_id=self.deduplication_id,
            group_id=self.group_id,
        )


def _dead_letter_arn(policy: Any) -> str | None:
    if not policy:
        return None
    try:
        parsed = json.loads(policy) if isinstance(policy, str) else policy
    except ValueError:
        return None
    return (
        str(parsed.get("deadLetterTargetArn"))
        if isinstance(parsed, dict) and parsed.get("deadLetterTargetArn")
        else None
    )
