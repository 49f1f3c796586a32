"""A function whose role has no policy: what it may do, and what IAM refuses it."""

import os

import boto3
from botocore.exceptions import ClientError

VERSION = 1


def handler(event, context):
    action = event.get("action")
    if action == "fail":
        raise ValueError("asked to fail")
    if action == "write":
        try:
            boto3.client("dynamodb").put_item(
                TableName=os.environ["TABLE_NAME"], Item={"key": {"S": "forbidden"}}
            )
        except ClientError as error:
            return {"error": error.response["Error"]["Code"]}
        return {"error": None}
    print(f"echo version {VERSION}")
    return {"echo": event, "version": VERSION}
