"""What Lambda sends to a stream mapping's on-failure destination when it gives a batch up.

Shape: AWS Lambda Developer Guide, "Using AWS Lambda with Amazon DynamoDB" and "... with Amazon
Kinesis" (error handling, "Example Invocation Record"): the batch's metadata, never its records
("The actual records aren't included, so you must process this record and retrieve them from the
stream"): `requestContext` (`requestId`, `functionArn`, `condition`, `approximateInvokeCount`),
`responseContext` (`statusCode`, `executedVersion`, `functionError` when the function raised; left
out when the batch never reached the function), `version`, `timestamp`, and `DDBStreamBatchInfo` or
`KinesisBatchInfo` (`shardId`, `startSequenceNumber`, `endSequenceNumber`,
`approximateArrivalOfFirstRecord`, `approximateArrivalOfLastRecord`, `batchSize`, `streamArn`).
Conditions: `RetryAttemptsExhausted`, and `RecordAgeExceeded` for records older than
MaximumRecordAgeInSeconds.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from samlite.model import InvocationResult
from samlite.services.stream_records import StreamRecord
from samlite.services.targets import OutboundMessage

RETRY_ATTEMPTS_EXHAUSTED = "RetryAttemptsExhausted"
RECORD_AGE_EXCEEDED = "RecordAgeExceeded"


def _iso(epoch_s: float, *, millis: bool = True) -> str:
    moment = datetime.fromtimestamp(epoch_s, UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{moment.microsecond // 1000:03d}Z" if millis else f"{text}Z"


def failure_record(
    *,
    records: Sequence[StreamRecord],
    shard_id: str,
    stream_arn: str,
    batch_info_key: str,
    function_arn: str,
    condition: str,
    invoke_count: int,
    last_result: InvocationResult | None,
    now: float,
) -> dict[str, Any]:
    """The invocation record of a batch given up (see module doc)."""
    request_id = (last_result.request_id if last_result is not None else "") or str(uuid.uuid4())
    document: dict[str, Any] = {
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        }
    }
    if last_result is not None:
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if last_result.failed:
            response["functionError"] = "Unhandled"
        document["responseContext"] = response
    # DynamoDB's example writes arrival times to the second, Kinesis's to the millisecond.
    millis = batch_info_key != "DDBStreamBatchInfo"
    document["version"] = "1.0"
    document["timestamp"] = _iso(now)
    document[batch_info_key] = {
        "shardId": shard_id,
        "startSequenceNumber": records[0].sequence_text,
        "endSequenceNumber": records[-1].sequence_text,
        "approximateArrivalOfFirstRecord": _iso(records[0].arrival, millis=millis),
        "approximateArrivalOfLastRecord": _iso(records[-1].arrival, millis=millis),
        "batchSize": len(records),
        "streamArn": stream_arn,
    }
    return document


def failure_message(document: dict[str, Any]) -> OutboundMessage:
    return OutboundMessage(body=json.dumps(document))
