"""Answers GET /hello/{name} through API Gateway's proxy integration."""

import json


def handler(event, context):
    name = event["pathParameters"]["name"]
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"hello": name}),
    }
