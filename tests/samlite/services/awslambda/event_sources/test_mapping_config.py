"""An event-source mapping is checked as Lambda's CreateEventSourceMapping checks it, with its defaults.

Rules from the AWS Lambda API Reference, "CreateEventSourceMapping" (ranges, defaults, "When you set
BatchSize to a value greater than 10, you must set MaximumBatchingWindowInSeconds to at least 1",
"AT_TIMESTAMP is supported only for Amazon Kinesis streams"), "ScalingConfig" (2 to 1,000), and the
Developer Guide's "Lambda parameters for Amazon SQS event source mappings" (FIFO: at most 10, no
batching window) and "Using Lambda with Amazon SQS" (visibility timeout against function timeout,
as the InvalidParameterValueException reads: "Queue visibility timeout: 30 seconds is less than
Function timeout: 60 seconds").
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from samlite.errors import ProvisionError
from samlite.model import FunctionSpec
from samlite.services.awslambda.event_sources.config import (
    DYNAMODB,
    INFINITE,
    KINESIS,
    SQS,
    SourceFacts,
    not_emulated_reason,
    parse_mapping,
    source_kind,
)

FUNCTION = FunctionSpec("Consumer", "consumer", "app.handler", "python3.12", Path("."), timeout=10)
QUEUE = SourceFacts(SQS, "arn:aws:sqs:us-east-1:123456789012:work", "work", visibility_timeout_s=30)
FIFO = replace(QUEUE, arn=QUEUE.arn + ".fifo", name="work.fifo", fifo=True)
TABLE = SourceFacts(
    DYNAMODB, "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000", "t"
)
STREAM = SourceFacts(KINESIS, "arn:aws:kinesis:us-east-1:123456789012:stream/s", "s")


def parse(source: SourceFacts, function: FunctionSpec = FUNCTION, **properties: Any):
    return parse_mapping("Mapping", "uuid-1", properties, function=function, source=source)


def refused(source: SourceFacts, match: str, function: FunctionSpec = FUNCTION, **properties: Any) -> str:
    with pytest.raises(ProvisionError, match=match) as error:
        parse(source, function, **properties)
    message = str(error.value)
    assert message.startswith("Mapping (AWS::Lambda::EventSourceMapping): ")
    return message


def test_sqs_defaults() -> None:
    config = parse(QUEUE)
    assert config.batch_size == 10 and config.batching_window_s == 0 and config.enabled
    assert not config.report_batch_item_failures and config.maximum_concurrency is None
    assert config.filter_patterns == ()


def test_stream_defaults_are_100_records_and_infinite_retries_and_age() -> None:
    for source in (TABLE, STREAM):
        config = parse(source, StartingPosition="LATEST")
        assert config.batch_size == 100
        assert config.maximum_retry_attempts == INFINITE and config.maximum_record_age_s == INFINITE
        assert config.parallelization_factor == 1 and not config.bisect_batch_on_function_error
        assert config.tumbling_window_s == 0 and config.on_failure_arn is None


def test_batch_size_is_1_to_10000() -> None:
    assert parse(QUEUE, BatchSize=10000, MaximumBatchingWindowInSeconds=1).batch_size == 10000
    refused(QUEUE, "BatchSize 0 is out of range", BatchSize=0)
    refused(STREAM, "BatchSize 10001 is out of range", BatchSize=10001, StartingPosition="LATEST")
    refused(QUEUE, "BatchSize must be a whole number", BatchSize="ten")


def test_a_standard_queue_batch_over_10_needs_a_batching_window() -> None:
    refused(QUEUE, "MaximumBatchingWindowInSeconds must then be at least 1", BatchSize=11)
    assert parse(QUEUE, BatchSize=11, MaximumBatchingWindowInSeconds=1).batch_size == 11


def test_a_fifo_queue_takes_at_most_10_and_no_batching_window() -> None:
    refused(FIFO, "BatchSize 11 is over 10, the most for the FIFO queue work.fifo", BatchSize=11)
    refused(
        FIFO,
        "MaximumBatchingWindowInSeconds is not supported for the FIFO queue",
        MaximumBatchingWindowInSeconds=1,
    )
    assert parse(FIFO, BatchSize=10).batch_size == 10


def test_the_batching_window_is_0_to_300_seconds() -> None:
    refused(QUEUE, "MaximumBatchingWindowInSeconds 301 is out of range", MaximumBatchingWindowInSeconds=301)
    assert (
        parse(STREAM, MaximumBatchingWindowInSeconds=300, StartingPosition="LATEST").batching_window_s == 300
    )


def test_a_function_timeout_over_the_queue_visibility_timeout_is_refused_naming_both() -> None:
    slow = replace(FUNCTION, timeout=60)
    message = refused(
        QUEUE, "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds", slow
    )
    assert "queue work VisibilityTimeout" in message and "function Consumer Timeout" in message
    assert parse(QUEUE, replace(FUNCTION, timeout=30)).function.timeout == 30  # equal is accepted


def test_maximum_concurrency_is_2_to_1000_and_sqs_only() -> None:
    assert parse(QUEUE, ScalingConfig={"MaximumConcurrency": 2}).maximum_concurrency == 2
    refused(
        QUEUE,
        "ScalingConfig.MaximumConcurrency 1 must be a whole number from 2 to 1000",
        ScalingConfig={"MaximumConcurrency": 1},
    )
    refused(QUEUE, "from 2 to 1000", ScalingConfig={"MaximumConcurrency": 1001})
    refused(
        STREAM,
        "ScalingConfig applies to SQS event sources only",
        ScalingConfig={"MaximumConcurrency": 5},
        StartingPosition="LATEST",
    )


def test_function_response_types_hold_only_report_batch_item_failures() -> None:
    assert parse(QUEUE, FunctionResponseTypes=["ReportBatchItemFailures"]).report_batch_item_failures
    assert not parse(QUEUE, FunctionResponseTypes=[]).report_batch_item_failures
    refused(QUEUE, "'Everything' is not a response type", FunctionResponseTypes=["Everything"])


def test_enabled_is_a_boolean() -> None:
    assert not parse(QUEUE, Enabled=False).enabled
    assert not parse(QUEUE, Enabled="false").enabled
    refused(QUEUE, "Enabled must be true or false", Enabled="maybe")


def test_stream_only_properties_are_refused_on_a_queue() -> None:
    for name, value in (
        ("StartingPosition", "LATEST"),
        ("BisectBatchOnFunctionError", True),
        ("DestinationConfig", {}),
    ):
        refused(QUEUE, f"{name} applies to stream event sources, not to the SQS queue work", **{name: value})


def test_a_stream_needs_a_starting_position() -> None:
    refused(TABLE, "StartingPosition is required")
    refused(TABLE, "StartingPosition 'EARLIEST' must be", StartingPosition="EARLIEST")
    assert parse(TABLE, StartingPosition="TRIM_HORIZON").starting_position == "TRIM_HORIZON"


def test_at_timestamp_is_kinesis_only_and_needs_its_timestamp() -> None:
    refused(
        TABLE,
        "AT_TIMESTAMP is supported only for Kinesis streams",
        StartingPosition="AT_TIMESTAMP",
        StartingPositionTimestamp=1,
    )
    refused(STREAM, "StartingPositionTimestamp is required", StartingPosition="AT_TIMESTAMP")
    refused(
        STREAM,
        "valid only with StartingPosition AT_TIMESTAMP",
        StartingPosition="LATEST",
        StartingPositionTimestamp=1,
    )
    config = parse(STREAM, StartingPosition="AT_TIMESTAMP", StartingPositionTimestamp="1700000000.5")
    assert config.starting_position_timestamp == 1700000000.5


def test_retry_attempts_and_record_age_ranges() -> None:
    stream = {"StartingPosition": "LATEST"}
    assert parse(STREAM, MaximumRetryAttempts=10000, **stream).maximum_retry_attempts == 10000
    assert parse(STREAM, MaximumRetryAttempts=0, **stream).maximum_retry_attempts == 0
    refused(STREAM, "MaximumRetryAttempts 10001 is out of range", MaximumRetryAttempts=10001, **stream)
    refused(STREAM, "MaximumRetryAttempts -2 is out of range", MaximumRetryAttempts=-2, **stream)
    assert parse(STREAM, MaximumRecordAgeInSeconds=60, **stream).maximum_record_age_s == 60
    assert parse(STREAM, MaximumRecordAgeInSeconds=-1, **stream).maximum_record_age_s == INFINITE
    refused(STREAM, r"either -1 \(forever\) or between 60 and 604800", MaximumRecordAgeInSeconds=59, **stream)
    refused(STREAM, "out of range", MaximumRecordAgeInSeconds=604801, **stream)


def test_parallelization_and_tumbling_window_ranges() -> None:
    stream = {"StartingPosition": "LATEST"}
    assert parse(TABLE, ParallelizationFactor=10, **stream).parallelization_factor == 10
    refused(TABLE, "ParallelizationFactor 11 is out of range", ParallelizationFactor=11, **stream)
    assert parse(STREAM, TumblingWindowInSeconds=900, **stream).tumbling_window_s == 900
    refused(STREAM, "TumblingWindowInSeconds 901 is out of range", TumblingWindowInSeconds=901, **stream)


def test_the_on_failure_destination_is_a_queue_or_a_topic() -> None:
    stream = {"StartingPosition": "LATEST"}
    queue = {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:failed"}}
    topic = {"OnFailure": {"Destination": "arn:aws:sns:us-east-1:123456789012:failed"}}
    assert parse(STREAM, DestinationConfig=queue, **stream).on_failure_arn.endswith(":failed")
    assert parse(TABLE, DestinationConfig=topic, **stream).on_failure_arn.startswith("arn:aws:sns:")
    bucket = {"OnFailure": {"Destination": "arn:aws:s3:::failed"}}
    refused(STREAM, "is an SQS queue or an SNS topic", DestinationConfig=bucket, **stream)
    refused(
        STREAM, "OnSuccess is not supported", DestinationConfig={"OnSuccess": {"Destination": "x"}}, **stream
    )


def test_filter_patterns_must_be_json_objects_in_the_pattern_grammar() -> None:
    """Lambda event filtering: patterns follow EventBridge's grammar; a stream's data pattern is JSON."""
    criteria = {
        "Filters": [{"Pattern": '{"body": {"kind": ["a"]}}'}, {"Pattern": '{"attributes": {"x": [1]}}'}]
    }
    parsed = parse(QUEUE, FilterCriteria=criteria).filter_patterns
    assert parsed == ({"body": {"kind": ["a"]}}, {"attributes": {"x": [1]}})
    assert parse(QUEUE, FilterCriteria={}).filter_patterns == ()
    refused(
        QUEUE,
        r"FilterCriteria.Filters\[0\].Pattern is not valid JSON",
        FilterCriteria={"Filters": [{"Pattern": "{"}]},
    )
    refused(
        QUEUE, r"Filters\[0\].Pattern must be a JSON object", FilterCriteria={"Filters": [{"Pattern": "[1]"}]}
    )
    empty = {"Filters": [{"Pattern": '{"attributes": {}}'}]}
    refused(QUEUE, "field 'attributes': Empty objects are not allowed", FilterCriteria=empty)
    plain_data = {"Filters": [{"Pattern": '{"data": ["plain"]}'}]}
    refused(
        STREAM,
        "the pattern of 'data' must be a JSON object",
        StartingPosition="LATEST",
        FilterCriteria=plain_data,
    )
    six = {"Filters": [{"Pattern": f'{{"body": ["{i}"]}}'} for i in range(6)]}
    (warning,) = parse(QUEUE, FilterCriteria=six).warnings
    assert warning.startswith("Mapping: 6 filters")


def test_source_kinds_and_what_samlite_does_not_poll() -> None:
    assert (
        source_kind(QUEUE.arn) == SQS
        and source_kind(TABLE.arn) == DYNAMODB
        and source_kind(STREAM.arn) == KINESIS
    )
    assert source_kind("arn:aws:dynamodb:us-east-1:123456789012:table/t") is None  # a table, not its stream
    assert not_emulated_reason({"EventSourceArn": QUEUE.arn}) is None
    assert "'kafka' not emulated" in str(
        not_emulated_reason({"EventSourceArn": "arn:aws:kafka:us-east-1:1:cluster/c"})
    )
    assert "SelfManagedEventSource" in str(
        not_emulated_reason({"SelfManagedEventSource": {}, "Topics": ["t"]})
    )
    assert "'mq' not emulated" in str(
        not_emulated_reason({"EventSourceArn": "arn:aws:mq:us-east-1:1:broker:b"})
    )
