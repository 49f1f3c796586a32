"""Kinesis records as Lambda delivers them to a function (an event-source mapping's batch).

Shape: AWS Lambda Developer Guide, "Using AWS Lambda with Amazon Kinesis" (example event): each record
has `kinesis` (`kinesisSchemaVersion` "1.0", `partitionKey`, `sequenceNumber`, `data` in base64,
`approximateArrivalTimestamp` in epoch seconds with milliseconds), `eventSource` "aws:kinesis",
`eventVersion` "1.0", `eventID` ("shardId:sequenceNumber"), `eventName` "aws:kinesis:record",
`invokeIdentityArn` (the function's execution role), `awsRegion` and `eventSourceARN` (the stream).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from typing import Any

DEFAULT_INVOKE_IDENTITY = "arn:aws:iam::123456789012:role/lambda-role"


def kinesis_record(
    *,
    shard_id: str,
    sequence_number: str,
    partition_key: str,
    data_base64: str,
    arrival_epoch_s: float,
    stream_arn: str,
    region: str,
    invoke_identity_arn: str = DEFAULT_INVOKE_IDENTITY,
) -> dict[str, Any]:
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence_number,
            "data": data_base64,
            "approximateArrivalTimestamp": round(arrival_epoch_s, 3),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": invoke_identity_arn,
        "awsRegion": region,
        "eventSourceARN": stream_arn,
    }


def shard_id_of(index: int) -> str:
    """`shardId-000000000000`, as Kinesis names a stream's shards."""
    return f"shardId-{index:012d}"


def sample_kinesis_event(
    datas: Sequence[str],
    *,
    partition_key: str = "1",
    stream: str = "my-stream",
    shard: int = 0,
    region: str = "us-east-1",
    account_id: str = "123456789012",
    invoke_identity_arn: str | None = None,
) -> dict[str, Any]:
    """An event of records with these payloads (`samlite generate-event kinesis`); `data` is given as
    text and sent base64-encoded, as Lambda does."""
    now = time.time()
    first = 49 * 10**54 + shard * 10**40 + time.time_ns()
    stream_arn = f"arn:aws:kinesis:{region}:{account_id}:stream/{stream}"
    identity = invoke_identity_arn or f"arn:aws:iam::{account_id}:role/lambda-role"
    return {
        "Records": [
            kinesis_record(
                shard_id=shard_id_of(shard),
                sequence_number=str(first + index),
                partition_key=partition_key,
                data_base64=base64.b64encode(data.encode("utf-8")).decode("ascii"),
                arrival_epoch_s=now,
                stream_arn=stream_arn,
                region=region,
                invoke_identity_arn=identity,
            )
            for index, data in enumerate(datas)
        ]
    }
