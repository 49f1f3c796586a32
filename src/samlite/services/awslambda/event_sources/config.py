"""One event-source mapping as Lambda would accept it: `AWS::Lambda::EventSourceMapping` read and checked.

SAM's `SQS`, `DynamoDB` and `Kinesis` events become this resource; plain CloudFormation writes it
directly. `parse_mapping` turns its properties into a `MappingConfig` with Lambda's defaults, and
refuses what Lambda's CreateEventSourceMapping refuses (a `ProvisionError` naming the resource, the
property and the rule), so a template that AWS would not deploy does not start locally either.

Rules and defaults, from the AWS Lambda API Reference ("CreateEventSourceMapping", "ScalingConfig")
and the Developer Guide ("Lambda parameters for Amazon SQS event source mappings", "Using Lambda with
Amazon SQS", "Using AWS Lambda with Amazon DynamoDB", "Using AWS Lambda with Amazon Kinesis"):
- BatchSize: 1 to 10,000; default 10 for SQS, 100 for streams; at most 10 for a FIFO queue; over 10
  on a standard queue needs MaximumBatchingWindowInSeconds of at least 1;
- MaximumBatchingWindowInSeconds: 0 to 300 (default 0); not supported for FIFO queues;
- ScalingConfig.MaximumConcurrency: 2 to 1,000, SQS only;
- FunctionResponseTypes: only `ReportBatchItemFailures`;
- streams only: StartingPosition (required: TRIM_HORIZON, LATEST, or AT_TIMESTAMP with
  StartingPositionTimestamp, Kinesis only), MaximumRetryAttempts (-1 = infinite, up to 10,000),
  MaximumRecordAgeInSeconds (-1 = infinite, else 60 to 604,800: "MaximumRecordAgeInSeconds must be
  either -1 (forever) or between 60 and 604800 (inclusive)"), BisectBatchOnFunctionError,
  ParallelizationFactor (1 to 10), TumblingWindowInSeconds (0 to 900), DestinationConfig.OnFailure
  (an SQS queue or SNS topic);
- FilterCriteria: at most 10 filters, each a JSON object in the event-pattern grammar (`filtering`);
- an SQS mapping is refused when the queue's visibility timeout is shorter than the function's
  timeout ("Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from samlite.errors import ProvisionError
from samlite.model import FunctionSpec
from samlite.services.awslambda.event_sources.filtering import check_filters
from samlite.services.awslambda.registry import ARN_PATTERN

RESOURCE_TYPE = "AWS::Lambda::EventSourceMapping"
SQS, DYNAMODB, KINESIS = "sqs", "dynamodb", "kinesis"
STREAM_KINDS = (DYNAMODB, KINESIS)
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"
STARTING_POSITIONS = ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")
MAX_BATCH_SIZE = 10_000
MAX_FIFO_BATCH_SIZE = 10
MAX_BATCHING_WINDOW_S = 300
MAX_RETRY_ATTEMPTS = 10_000
MIN_RECORD_AGE_S, MAX_RECORD_AGE_S = 60, 604_800
MAX_PARALLELIZATION = 10
MAX_TUMBLING_WINDOW_S = 900
MIN_MAXIMUM_CONCURRENCY, MAX_MAXIMUM_CONCURRENCY = 2, 1000
DEFAULT_BATCH_SIZE = {SQS: 10, DYNAMODB: 100, KINESIS: 100}
INFINITE = -1
# Properties that only a stream mapping takes (Lambda answers InvalidParameterValueException for SQS).
_STREAM_ONLY = (
    "StartingPosition",
    "StartingPositionTimestamp",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "ParallelizationFactor",
    "TumblingWindowInSeconds",
    "DestinationConfig",
)
# Event sources Lambda polls that samlite does not (Kafka, MQ, DocumentDB).
_NOT_EMULATED_PROPERTIES = (
    "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig",
    "Queues",
    "Topics",
)


@dataclass(frozen=True)
class SourceFacts:
    """What provisioning found about the mapping's source in the embedded AWS."""

    kind: str  # SQS, DYNAMODB or KINESIS
    arn: str
    name: str  # the queue, table or stream name
    fifo: bool = False
    visibility_timeout_s: int = 30


@dataclass(frozen=True)
class MappingConfig:
    """An event-source mapping with every default applied (see module doc)."""

    logical_id: str
    uuid: str
    function: FunctionSpec
    source: SourceFacts
    batch_size: int
    batching_window_s: int = 0
    enabled: bool = True
    report_batch_item_failures: bool = False
    # Each filter's pattern, parsed from its JSON text; none means every record goes to the function.
    filter_patterns: tuple[Mapping[str, Any], ...] = ()
    maximum_concurrency: int | None = None  # SQS
    starting_position: str | None = None  # streams
    starting_position_timestamp: float | None = None
    maximum_retry_attempts: int = INFINITE
    maximum_record_age_s: int = INFINITE
    bisect_batch_on_function_error: bool = False
    parallelization_factor: int = 1
    tumbling_window_s: int = 0
    on_failure_arn: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # What AWS accepts but a local run should point out (filters over the default quota).
    warnings: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.source.kind

    @property
    def event_source_arn(self) -> str:
        return self.source.arn

    @property
    def arn(self) -> str:
        """The mapping's own ARN (its region and account are its source's)."""
        _, partition, _, region, account, _ = self.source.arn.split(":", 5)
        return f"arn:{partition}:lambda:{region}:{account}:event-source-mapping:{self.uuid}"

    def describe(self) -> str:
        """`SQS queue orders.fifo -> OrdersFunction`, for log lines."""
        what = {SQS: "SQS queue", DYNAMODB: "DynamoDB stream of table", KINESIS: "Kinesis stream"}[self.kind]
        return f"{what} {self.source.name} -> {self.function.logical_id}"


def function_qualifier(config: MappingConfig) -> str | None:
    """The version or alias the mapping's FunctionName carries (`...:function:name:live`), if any."""
    match = ARN_PATTERN.match(str(config.properties.get("FunctionName") or ""))
    return match["qualifier"] if match is not None else None


def source_kind(arn: str) -> str | None:
    """SQS, DYNAMODB or KINESIS for an event source ARN samlite polls, else None."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    service, resource = parts[2], parts[5]
    if service == "sqs":
        return SQS
    if service == "dynamodb" and "/stream/" in resource:
        return DYNAMODB
    if service == "kinesis" and resource.startswith("stream/"):
        return KINESIS
    return None


def not_emulated_reason(properties: Mapping[str, Any]) -> str | None:
    """Why samlite cannot poll this mapping's source (Kafka, MQ, DocumentDB...), or None if it can."""
    arn = properties.get("EventSourceArn")
    for name in _NOT_EMULATED_PROPERTIES:
        if name in properties:
            return f"event source with {name} (Kafka or Amazon MQ) not emulated by samlite"
    if not isinstance(arn, str):
        return None  # parse_mapping refuses it, naming the property
    service = arn.split(":")[2] if arn.count(":") >= 2 else arn
    if source_kind(arn) is None and service not in ("sqs", "dynamodb", "kinesis"):
        return f"event source {service!r} not emulated by samlite (SQS, DynamoDB streams and Kinesis are)"
    return None  # a source samlite polls, or a wrong ARN of one: parse_mapping says what is wrong


class _Checker:
    """Reads one property at a time, raising a ProvisionError that names the resource and property."""

    def __init__(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        self.logical_id = logical_id
        self.props = properties

    def fail(self, message: str) -> ProvisionError:
        return ProvisionError(f"{self.logical_id} ({RESOURCE_TYPE}): {message}")

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.props.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(str(value))
        except ValueError:
            raise self.fail(f"{name} must be a whole number, got {value!r}") from None
        if not low <= number <= high:
            raise self.fail(f"{name} {number} is out of range ({low} to {high})")
        return number

    def boolean(self, name: str, default: bool) -> bool:
        value = self.props.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text not in ("true", "false"):
            raise self.fail(f"{name} must be true or false, got {value!r}")
        return text == "true"


def parse_mapping(
    logical_id: str,
    mapping_uuid: str,
    properties: Mapping[str, Any],
    *,
    function: FunctionSpec,
    source: SourceFacts,
) -> MappingConfig:
    """The mapping's configuration with Lambda's defaults, or a ProvisionError naming what is wrong."""
    check = _Checker(logical_id, properties)
    kind = source.kind
    batch_size = check.integer("BatchSize", DEFAULT_BATCH_SIZE[kind], 1, MAX_BATCH_SIZE)
    window = check.integer("MaximumBatchingWindowInSeconds", 0, 0, MAX_BATCHING_WINDOW_S)
    responses = _response_types(check)
    patterns = _filter_patterns(check)
    common: dict[str, Any] = {
        "logical_id": logical_id,
        "uuid": mapping_uuid,
        "function": function,
        "source": source,
        "batch_size": batch_size,
        "batching_window_s": window,
        "enabled": check.boolean("Enabled", True),
        "report_batch_item_failures": REPORT_BATCH_ITEM_FAILURES in responses,
        "filter_patterns": patterns,
        "properties": dict(properties),
        "warnings": tuple(check_filters(logical_id, RESOURCE_TYPE, kind, patterns)),
    }
    if kind == SQS:
        return _sqs(check, common, function, source)
    return _stream(check, common)


def _sqs(
    check: _Checker, common: dict[str, Any], function: FunctionSpec, source: SourceFacts
) -> MappingConfig:
    for name in _STREAM_ONLY:
        if name in check.props:
            raise check.fail(f"{name} applies to stream event sources, not to the SQS queue {source.name}")
    batch_size, window = common["batch_size"], common["batching_window_s"]
    if source.fifo:
        if batch_size > MAX_FIFO_BATCH_SIZE:
            raise check.fail(
                f"BatchSize {batch_size} is over {MAX_FIFO_BATCH_SIZE}, the most for the FIFO queue "
                f"{source.name}"
            )
        if window:
            raise check.fail(
                f"MaximumBatchingWindowInSeconds is not supported for the FIFO queue {source.name}"
            )
    elif batch_size > 10 and window < 1:
        raise check.fail(
            f"BatchSize {batch_size} is over 10: MaximumBatchingWindowInSeconds must then be at least 1"
        )
    if source.visibility_timeout_s < function.timeout:
        raise check.fail(
            f"Queue visibility timeout: {source.visibility_timeout_s} seconds is less than Function "
            f"timeout: {function.timeout} seconds (queue {source.name} VisibilityTimeout, "
            f"function {function.logical_id} Timeout)"
        )
    return MappingConfig(**common, maximum_concurrency=_maximum_concurrency(check))


def _maximum_concurrency(check: _Checker) -> int | None:
    scaling = check.props.get("ScalingConfig")
    if scaling is None or scaling == {}:
        return None
    if not isinstance(scaling, Mapping):
        raise check.fail("ScalingConfig must be a mapping with MaximumConcurrency")
    value = scaling.get("MaximumConcurrency")
    if value is None:
        return None
    low, high = MIN_MAXIMUM_CONCURRENCY, MAX_MAXIMUM_CONCURRENCY
    try:
        number = int(str(value))
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise check.fail(
            f"ScalingConfig.MaximumConcurrency {value!r} must be a whole number from {low} to {high}"
        )
    return number


def _stream(check: _Checker, common: dict[str, Any]) -> MappingConfig:
    if "ScalingConfig" in check.props and check.props["ScalingConfig"] not in (None, {}):
        raise check.fail("ScalingConfig applies to SQS event sources only")
    kind = common["source"].kind
    position = check.props.get("StartingPosition")
    if position is None:
        raise check.fail("StartingPosition is required for a stream (TRIM_HORIZON, LATEST or AT_TIMESTAMP)")
    if position not in STARTING_POSITIONS:
        raise check.fail(f"StartingPosition {position!r} must be TRIM_HORIZON, LATEST or AT_TIMESTAMP")
    timestamp = check.props.get("StartingPositionTimestamp")
    if position == "AT_TIMESTAMP":
        if kind != KINESIS:
            raise check.fail("StartingPosition AT_TIMESTAMP is supported only for Kinesis streams")
        if timestamp is None:
            raise check.fail("StartingPositionTimestamp is required with StartingPosition AT_TIMESTAMP")
        try:
            timestamp = float(timestamp)
        except (TypeError, ValueError):
            raise check.fail(
                f"StartingPositionTimestamp must be Unix time in seconds, got {timestamp!r}"
            ) from None
    elif timestamp is not None:
        raise check.fail("StartingPositionTimestamp is valid only with StartingPosition AT_TIMESTAMP")
    age = check.integer("MaximumRecordAgeInSeconds", INFINITE, INFINITE, MAX_RECORD_AGE_S)
    if age != INFINITE and age < MIN_RECORD_AGE_S:
        raise check.fail(
            f"MaximumRecordAgeInSeconds must be either -1 (forever) or between {MIN_RECORD_AGE_S} and "
            f"{MAX_RECORD_AGE_S} (inclusive), got {age}"
        )
    return MappingConfig(
        **common,
        starting_position=str(position),
        starting_position_timestamp=timestamp,
        maximum_retry_attempts=check.integer("MaximumRetryAttempts", INFINITE, INFINITE, MAX_RETRY_ATTEMPTS),
        maximum_record_age_s=age,
        bisect_batch_on_function_error=check.boolean("BisectBatchOnFunctionError", False),
        parallelization_factor=check.integer("ParallelizationFactor", 1, 1, MAX_PARALLELIZATION),
        tumbling_window_s=check.integer("TumblingWindowInSeconds", 0, 0, MAX_TUMBLING_WINDOW_S),
        on_failure_arn=_on_failure(check),
    )


def _response_types(check: _Checker) -> tuple[str, ...]:
    value = check.props.get("FunctionResponseTypes")
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > 1:
        raise check.fail(f"FunctionResponseTypes must be [] or [{REPORT_BATCH_ITEM_FAILURES}], got {value!r}")
    for item in value:
        if item != REPORT_BATCH_ITEM_FAILURES:
            raise check.fail(
                f"FunctionResponseTypes: {item!r} is not a response type (only {REPORT_BATCH_ITEM_FAILURES})"
            )
    return tuple(value)


def _on_failure(check: _Checker) -> str | None:
    config = check.props.get("DestinationConfig")
    if config is None:
        return None
    if not isinstance(config, Mapping):
        raise check.fail("DestinationConfig must be a mapping with OnFailure")
    if config.get("OnSuccess"):
        raise check.fail(
            "DestinationConfig.OnSuccess is not supported for stream event sources (OnFailure is)"
        )
    on_failure = config.get("OnFailure")
    if on_failure is None:
        return None
    destination = on_failure.get("Destination") if isinstance(on_failure, Mapping) else None
    if not isinstance(destination, str) or not destination:
        raise check.fail(
            "DestinationConfig.OnFailure.Destination must be the ARN of an SQS queue or SNS topic"
        )
    service = destination.split(":")[2] if destination.count(":") >= 5 else ""
    if service not in ("sqs", "sns"):
        raise check.fail(
            f"DestinationConfig.OnFailure.Destination {destination!r}: a stream's on-failure destination "
            "is an SQS queue or an SNS topic"
        )
    return destination


def _filter_patterns(check: _Checker) -> tuple[Mapping[str, Any], ...]:
    criteria = check.props.get("FilterCriteria")
    if criteria is None or criteria == {}:
        return ()
    if not isinstance(criteria, Mapping) or not isinstance(criteria.get("Filters", []), list):
        raise check.fail("FilterCriteria must be a mapping with a list of Filters")
    patterns = []
    for index, entry in enumerate(criteria.get("Filters") or []):
        where = f"FilterCriteria.Filters[{index}].Pattern"
        text = entry.get("Pattern") if isinstance(entry, Mapping) else None
        if not isinstance(text, str):
            raise check.fail(f"{where} must be a JSON text")
        try:
            pattern = json.loads(text)
        except ValueError as error:
            raise check.fail(f"{where} is not valid JSON ({error})") from None
        if not isinstance(pattern, dict):
            raise check.fail(f"{where} must be a JSON object")
        patterns.append(pattern)
    return tuple(patterns)
