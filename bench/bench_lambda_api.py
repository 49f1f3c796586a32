"""The Lambda API samlite answers itself, and what secrets, parameters and keys add to `samlite start`.

1. Requests per second of the calls tools make (GetFunctionConfiguration, ListFunctions of ten
   functions, GetAlias, Invoke by name and by alias), IAM on, on the embedded endpoint, next to a call
   moto serves itself on the same endpoint with the same credentials (SQS GetQueueUrl) as the baseline.
   Invoke runs a stand-in that answers at once, so the figure is the API's, not a worker's.
2. `samlite start` to its ready line (fresh interpreters, alternated), for a template with one function
   (the baseline) and the same template plus a secret, an SSM parameter and a KMS key read by it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import boto3
from botocore.config import Config
from samlite_start import seconds_to_ready

CALLS = int(os.environ.get("BENCH_LAMBDA_API_CALLS", "150"))
REPEATS = int(os.environ.get("BENCH_LAMBDA_API_REPEATS", "3"))
STARTS = int(os.environ.get("BENCH_LAMBDA_API_STARTS", "3"))


def _rate(call: Callable[[], Any]) -> float:
    for _ in range(5):
        call()
    started = time.perf_counter()
    for _ in range(CALLS):
        call()
    return CALLS / (time.perf_counter() - started)


def _api_rates() -> dict[str, float]:
    from samlite.endpoint.embedded_aws import EmbeddedAws
    from samlite.model import FunctionSpec, InvocationResult
    from samlite.services.awslambda.invoke_api import CallableInvokeHandler
    from samlite.services.awslambda.registry import Alias
    from samlite.services.wiring import attach

    aws = EmbeddedAws(port=0, iam=True)
    services = attach(aws)
    aws.start()
    try:
        code = Path(tempfile.mkdtemp(prefix="bench-code-"))
        (code / "app.py").write_text("def handler(event, context):\n    return event\n")
        for n in range(10):
            spec = FunctionSpec(f"Fn{n}", f"bench-fn-{n}", "app.handler", "python3.11", code)
            services.functions.register(spec)
            services.functions.publish_version(spec.function_name, "1")
            services.functions.add_alias(spec.function_name, Alias("live", "1"))
        services.lambda_api.handler = CallableInvokeHandler(
            lambda spec, payload, **_: InvocationResult(request_id="r", payload=payload),
            lambda spec, payload, request_id: None,
        )
        creds = aws.admin_credentials
        settings = {
            "endpoint_url": aws.url,
            "region_name": "us-east-1",
            "aws_access_key_id": creds.access_key_id,
            "aws_secret_access_key": creds.secret_access_key,
            "config": Config(retries={"max_attempts": 1}),
        }
        lam, sqs = boto3.client("lambda", **settings), boto3.client("sqs", **settings)
        queue = sqs.create_queue(QueueName=f"bench-{uuid.uuid4().hex[:8]}")["QueueUrl"].rsplit("/", 1)[-1]
        calls: dict[str, Callable[[], Any]] = {
            "SQS GetQueueUrl (moto, baseline)": lambda: sqs.get_queue_url(QueueName=queue),
            "GetFunctionConfiguration": lambda: lam.get_function_configuration(FunctionName="bench-fn-0"),
            "ListFunctions (10)": lam.list_functions,
            "GetAlias": lambda: lam.get_alias(FunctionName="Fn0", Name="live"),
            "Invoke by name": lambda: lam.invoke(FunctionName="bench-fn-0", Payload=b"{}"),
            "Invoke by alias": lambda: lam.invoke(FunctionName="bench-fn-0:live", Payload=b"{}"),
        }
        return {name: max(_rate(call) for _ in range(REPEATS)) for name, call in calls.items()}
    finally:
        aws.stop()


BASE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.11
      Environment:
        Variables:
          STAGE: bench
{extra_env}
{extra}
"""
SECRETS = """
  Token:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString: {PasswordLength: 24}
  Setting:
    Type: AWS::SSM::Parameter
    Properties: {Name: /bench/setting, Type: String, Value: on}
  Key:
    Type: AWS::KMS::Key
"""
SECRETS_ENV = """          TOKEN_ARN: !Ref Token
          SETTING: '{{resolve:ssm:/bench/setting}}'
          KEY_ID: !Ref Key"""


def _starts() -> dict[str, float]:
    projects = {}
    for label, extra, extra_env in (
        ("one function (baseline)", "", ""),
        ("+ secret, SSM parameter, KMS key", SECRETS, SECRETS_ENV),
    ):
        root = Path(tempfile.mkdtemp(prefix="bench-start-"))
        (root / "src").mkdir()
        (root / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
        (root / "template.yaml").write_text(textwrap.dedent(BASE).format(extra=extra, extra_env=extra_env))
        projects[label] = root
    seconds: dict[str, list[float]] = {label: [] for label in projects}
    for _ in range(STARTS):
        for label, root in projects.items():
            seconds[label].append(seconds_to_ready(root, "--no-watch"))
    return {label: statistics.median(values) for label, values in seconds.items()}


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    rates = _api_rates()
    baseline = rates["SQS GetQueueUrl (moto, baseline)"]
    print("## The Lambda API on the endpoint (requests/s, IAM on)")
    print()
    print(f"{CALLS} sequential calls, best of {REPEATS}; Invoke answered by a stand-in at once.")
    print()
    print("| call | requests/s | vs moto's SQS GetQueueUrl |")
    print("|---|---|---|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:.0f} | {rate / baseline:.2f}x |")
    print()
    starts = _starts()
    base = starts["one function (baseline)"]
    print("## `samlite start` to ready with secrets, parameters and keys (seconds)")
    print()
    print(f"Median of {STARTS} starts each, alternated, fresh interpreters.")
    print()
    print("| template | seconds to ready | vs one function |")
    print("|---|---|---|")
    for label, value in starts.items():
        print(f"| {label} | {value:.2f} | {value / base:.2f}x |")


if __name__ == "__main__":
    main()
