"""Reads what its role allows (its secret, its parameter, its key) and reports what it saw."""

import json
import os

import boto3
from botocore.exceptions import ClientError


def handler(event, context):
    secrets = boto3.client("secretsmanager")
    token = json.loads(secrets.get_secret_value(SecretId=os.environ["TOKEN_ARN"])["SecretString"])
    try:
        secrets.get_secret_value(SecretId=os.environ["OTHER_SECRET_ARN"])
        other = "read"
    except ClientError as error:
        other = error.response["Error"]["Code"]
    parameter = boto3.client("ssm").get_parameter(Name=os.environ["PARAMETER_NAME"])["Parameter"]
    kms = boto3.client("kms")
    blob = kms.encrypt(KeyId=os.environ["KEY_ID"], Plaintext=b"sealed")["CiphertextBlob"]
    report = {
        "greeting_env": os.environ["GREETING"],
        "token_user_env": os.environ["TOKEN_USER"],
        "token": token,
        "other_secret": other,
        "parameter": parameter["Value"],
        "decrypted": kms.decrypt(CiphertextBlob=blob)["Plaintext"].decode(),
        "version": context.function_version,
        "invoked_arn": context.invoked_function_arn,
        "event": event,
    }
    if "httpMethod" in event:  # called through the API gateway
        return {"statusCode": 200, "body": json.dumps(report)}
    return report
