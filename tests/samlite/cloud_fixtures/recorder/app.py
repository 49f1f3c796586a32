"""Writes one item per S3 record; a key under `fail/` raises, so the event ends in the DLQ."""

import os
from urllib.parse import unquote_plus

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    keys = []
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        if key.startswith("fail/"):
            raise RuntimeError(f"refusing {key}")
        TABLE.put_item(Item={"key": key, "size": record["s3"]["object"].get("size", 0)})
        print(f"recorded {key}")
        keys.append(key)
    return {"recorded": keys}
