"""Consumers of the event-source fixtures: each reports what it got; some records are made to fail.

SQS: a body "fail" is reported in batchItemFailures, "raise" raises. Streams: a DynamoDB NewImage
with `poison` raises; a Kinesis record whose data is "bad" is reported failed by its sequence number.
The aliased consumer says which version ran, and under which ARN.
"""

import base64
import json
import os


def queue(event, context):
    print(f"mode {os.environ.get('MODE')}")
    failures = []
    for record in event["Records"]:
        print(f"message {record['messageId']} {record['body']}")
        if record["body"] == "raise":
            raise RuntimeError("cannot handle this batch")
        if record["body"] == "fail":
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def aliased(event, context):
    version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
    print(f"version {version} as {context.invoked_function_arn}: {len(event['Records'])} message(s)")


def fifo(event, context):
    print(json.dumps([record["body"] for record in event["Records"]]))


def table(event, context):
    for record in event["Records"]:
        image = record["dynamodb"].get("NewImage", {})
        print(f"{record['eventName']} {record['dynamodb']['SequenceNumber']}")
        if "poison" in image:
            raise ValueError("poison record")


def kinesis(event, context):
    for record in event["Records"]:
        data = base64.b64decode(record["kinesis"]["data"]).decode()
        print(f"{record['kinesis']['partitionKey']} {data}")
        if data == "bad":
            return {"batchItemFailures": [{"itemIdentifier": record["kinesis"]["sequenceNumber"]}]}
    return {"batchItemFailures": []}
