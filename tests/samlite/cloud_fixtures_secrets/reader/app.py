import json
import os

import boto3


def handler(event, context):
    value = boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["SECRET_ARN"])
    return {"arn": value["ARN"], "username": json.loads(value["SecretString"])["username"]}
