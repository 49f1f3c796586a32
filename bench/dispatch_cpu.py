"""CPU per request of the embedded AWS's WSGI application, moto change `fast_routes` on and off.

Each call (S3 PutObject, GetObject, HeadObject; DynamoDB PutItem, GetItem, UpdateItem with a condition;
IAM on) is made once through the endpoint with boto3, its WSGI environ and body captured, and then
replayed in this thread straight into the endpoint's application (samlite's middleware, moto's
dispatcher): no sockets, no client, so the figure is the server's own work per request (thread CPU
time), and the best of interleaved repetitions resists a shared machine's noise. "generic" is moto's
path through Flask (the fast route told to decline every request), "fast" the route table.

    .venv/bin/python bench/dispatch_cpu.py [calls per repetition, default 150]

Not a `bench_*.py` (`make bench` does not run it): a tool for work on the endpoint's per-request cost.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import boto3

from samlite.endpoint import middleware
from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.moto_changes import fast_routes

REPETITIONS = 7
Captured = tuple[dict[str, Any], bytes]


def _calls(aws: EmbeddedAws) -> dict[str, Callable[[], Any]]:
    key = aws.admin_credentials
    settings = {
        "endpoint_url": aws.url,
        "region_name": "us-east-1",
        "aws_access_key_id": key.access_key_id,
        "aws_secret_access_key": key.secret_access_key,
    }
    s3, ddb = boto3.client("s3", **settings), boto3.client("dynamodb", **settings)
    s3.create_bucket(Bucket="dispatch-cpu")
    s3.put_object(Bucket="dispatch-cpu", Key="obj/1", Body=b"x" * 1024)
    ddb.create_table(
        TableName="dispatch-cpu",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName="dispatch-cpu", Item={"pk": {"S": "item"}, "count": {"N": "0"}})

    def get_object() -> bytes:
        return bytes(s3.get_object(Bucket="dispatch-cpu", Key="obj/1")["Body"].read())

    return {
        "S3 PutObject": lambda: s3.put_object(Bucket="dispatch-cpu", Key="w/1", Body=b"x" * 1024),
        "S3 GetObject": get_object,
        "S3 HeadObject": lambda: s3.head_object(Bucket="dispatch-cpu", Key="obj/1"),
        "DynamoDB PutItem": lambda: ddb.put_item(TableName="dispatch-cpu", Item={"pk": {"S": "w"}}),
        "DynamoDB GetItem": lambda: ddb.get_item(TableName="dispatch-cpu", Key={"pk": {"S": "item"}}),
        "DynamoDB UpdateItem (condition)": lambda: ddb.update_item(
            TableName="dispatch-cpu",
            Key={"pk": {"S": "item"}},
            UpdateExpression="SET #c = #c + :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#c": "count"},
            ExpressionAttributeValues={":one": {"N": "1"}},
        ),
    }


def _captured(calls: dict[str, Callable[[], Any]]) -> dict[str, Captured]:
    """Each call's WSGI environ and body as the endpoint's application received them."""
    seen: list[Captured] = []
    original = middleware.EndpointMiddleware.__call__

    def capturing(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        seen.append(({k: v for k, v in environ.items() if k not in ("wsgi.input", "wsgi.errors")}, body))
        return original(self, environ, start_response)

    middleware.EndpointMiddleware.__call__ = capturing  # type: ignore[method-assign]
    try:
        captured = {}
        for name, call in calls.items():
            call()
            captured[name] = seen[-1]
        return captured
    finally:
        middleware.EndpointMiddleware.__call__ = original  # type: ignore[method-assign]


def _replay(app: Any, captured: Captured) -> str:
    environ, body = captured
    statuses: list[str] = []
    replayed = {**environ, "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr}
    b"".join(app(replayed, lambda status, headers, exc_info=None: statuses.append(status)))
    return statuses[0]


def main() -> None:
    calls_per_repetition = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    aws = EmbeddedAws(port=0, iam=True)
    aws.start()
    fast = fast_routes.serve_fast
    modes = {"generic": lambda *_: None, "fast": fast}
    try:
        app = aws._middleware  # the endpoint's WSGI application, as the HTTP server calls it
        captured = _captured(_calls(aws))
        print(f"CPU ms per request (thread time, best of {REPETITIONS} x {calls_per_repetition}), IAM on")
        print(f"{'call':34} {'generic':>8} {'fast':>8} {'fast / generic':>15}")
        for name, request in captured.items():
            best = {mode: float("inf") for mode in modes}
            for _ in range(REPETITIONS):
                for mode, serve in modes.items():
                    fast_routes.serve_fast = serve
                    if not _replay(app, request).startswith("200"):
                        raise RuntimeError(f"{name} did not answer 200 on the {mode} path")
                    started = time.thread_time()
                    for _ in range(calls_per_repetition):
                        _replay(app, request)
                    per_call = (time.thread_time() - started) / calls_per_repetition * 1000
                    best[mode] = min(best[mode], per_call)
            ratio = best["fast"] / best["generic"]
            print(f"{name:34} {best['generic']:8.3f} {best['fast']:8.3f} {ratio:14.2f}x")
    finally:
        fast_routes.serve_fast = fast
        aws.stop()


if __name__ == "__main__":
    main()
