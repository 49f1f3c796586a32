"""`samlite generate-event`: print a Lambda event in AWS's exact shape, like `sam local generate-event`.

    samlite generate-event s3 put|delete|... --bucket B --key K [--size N] [--etag E] [--sequencer S]
                                             [--version-id V] [--region R]
    samlite generate-event apigateway aws-proxy|http-api-proxy --method M --path P [--body B]
                                             [--header K:V ...] [--query K=V ...] [--stage S]
    samlite generate-event apigateway authorizer --token T [--method M --path P ...]
    samlite generate-event apigateway request-authorizer [--method M --path P --header K:V ...]
    samlite generate-event apigateway http-api-authorizer [--payload-version 2.0|1.0]
                                             [--identity V ...] [--method M --path P --header K:V ...]
    samlite generate-event sqs receive-message [--body B ...] [--queue-name Q] [--group-id G]
                                             [--attribute K=V ...]
    samlite generate-event dynamodb update [--table T] [--keys JSON] [--new-image JSON]
                                             [--old-image JSON] [--event-name INSERT ...] [--view-type V]
    samlite generate-event kinesis get-records [--data D ...] [--partition-key K] [--stream S]
    samlite generate-event sns | eventbridge | schedule ...   (see `generate_push_events`)

The events come from `samlite.events`, the same builders the local cloud uses for real deliveries.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from samlite.cli.generate_push_events import register_push
from samlite.events import S3_EVENT_NAMES, apigateway_http_event, apigateway_rest_event, s3_event
from samlite.events.apigateway import DEFAULT_API_ID
from samlite.events.apigateway_authorizer import (
    http_authorizer_event_v1,
    http_authorizer_event_v2,
    method_arn,
    request_authorizer_event,
    token_authorizer_event,
)
from samlite.events.dynamodb import EVENT_NAMES, VIEW_TYPES, sample_dynamodb_event
from samlite.events.kinesis import sample_kinesis_event
from samlite.events.sqs import sample_sqs_event

_PROXY_KINDS = ("aws-proxy", "http-api-proxy")
# SAM CLI's names for the TOKEN and REQUEST ones; `http-api-authorizer` for HTTP APIs.
_AUTHORIZER_KINDS = ("authorizer", "request-authorizer", "http-api-authorizer")


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"header {text!r} must be Name:Value")
    return name.strip(), value.strip()


def _query(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"query parameter {text!r} must be Name=Value")
    return name, value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def _print(event: dict[str, Any]) -> int:
    json.dump(event, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _run_s3(args: argparse.Namespace) -> int:
    try:
        event = s3_event(
            args.kind,
            bucket=args.bucket,
            key=args.key,
            size=args.size,
            etag=args.etag,
            sequencer=args.sequencer,
            version_id=args.version_id,
            region=args.region,
        )
    except ValueError as exc:
        print(f"samlite generate-event s3: {exc}", file=sys.stderr)
        return 2
    return _print(event)


def _run_apigateway(args: argparse.Namespace) -> int:
    if args.kind in _AUTHORIZER_KINDS:
        return _print(_authorizer_event(args))
    common: dict[str, Any] = {
        "body": args.body,
        "headers": args.header,
        "query": args.query,
        "region": args.region,
    }
    if args.kind == "aws-proxy":
        event = apigateway_rest_event(
            args.method, args.path, stage=args.stage or "Prod", resource=args.resource, **common
        )
    else:
        event = apigateway_http_event(args.method, args.path, stage=args.stage or "$default", **common)
    return _print(event)


def _authorizer_event(args: argparse.Namespace) -> dict[str, Any]:
    """What API Gateway sends the authorizer of a request to `--method --path` (no body)."""
    http = args.kind == "http-api-authorizer"
    stage = args.stage or ("$default" if http else "Prod")
    arn = method_arn(args.method, args.path, stage=stage, api_id=args.api_id, region=args.region)
    common: dict[str, Any] = {
        "headers": args.header,
        "query": args.query,
        "region": args.region,
        "api_id": args.api_id,
    }
    if args.kind == "authorizer":
        return token_authorizer_event(args.token, arn)
    if args.kind == "request-authorizer":
        proxy = apigateway_rest_event(args.method, args.path, stage=stage, resource=args.resource, **common)
        return request_authorizer_event(proxy, arn)
    identity = args.identity or [value for name, value in args.header if name.lower() == "authorization"]
    route_key = f"{args.method.upper()} {args.resource or args.path.split('?', 1)[0]}"
    if args.payload_version == "1.0":
        proxy = apigateway_rest_event(args.method, args.path, stage=stage, resource=args.resource, **common)
        return http_authorizer_event_v1(proxy, arn, identity)
    proxy = apigateway_http_event(args.method, args.path, stage=stage, route_key=route_key, **common)
    return http_authorizer_event_v2(proxy, arn, identity)


def _image(text: str) -> dict[str, Any]:
    """A DynamoDB item in DynamoDB JSON: {"Id": {"N": "101"}}."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not JSON ({error})") from None
    if not isinstance(value, dict) or not all(isinstance(v, dict) and len(v) == 1 for v in value.values()):
        raise argparse.ArgumentTypeError(
            f'{text!r} is not an item in DynamoDB JSON, e.g. {{"Id": {{"N": "101"}}}}'
        )
    return value


def _run_sqs(args: argparse.Namespace) -> int:
    event = sample_sqs_event(
        args.body or ["Test message."],
        queue_name=args.queue_name,
        region=args.region,
        account_id=args.account_id,
        group_id=args.group_id,
        attributes=dict(args.attribute),
    )
    return _print(event)


def _run_dynamodb(args: argparse.Namespace) -> int:
    event = sample_dynamodb_event(
        table=args.table,
        event_names=tuple(args.event_name or EVENT_NAMES),
        keys=args.keys,
        new_image=args.new_image,
        old_image=args.old_image,
        view_type=args.view_type,
        region=args.region,
        account_id=args.account_id,
    )
    return _print(event)


def _run_kinesis(args: argparse.Namespace) -> int:
    event = sample_kinesis_event(
        args.data or ["Hello, this is a test."],
        partition_key=args.partition_key,
        stream=args.stream,
        shard=args.shard,
        region=args.region,
        account_id=args.account_id,
    )
    return _print(event)


def _register_polled(services: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The events of Lambda's event-source mappings: SQS, DynamoDB streams, Kinesis."""
    sqs = services.add_parser("sqs", help="an SQS batch, as an event-source mapping delivers it")
    sqs.add_argument("kind", choices=("receive-message",), help="receive-message")
    sqs.add_argument("--body", action="append", help="a message body (repeatable: one record each)")
    sqs.add_argument("--queue-name", default="my-queue", help="queue name (default my-queue)")
    sqs.add_argument("--group-id", help="a FIFO queue's MessageGroupId (makes the queue FIFO)")
    sqs.add_argument(
        "--attribute",
        action="append",
        type=_query,
        default=[],
        metavar="NAME=VALUE",
        help="a String message attribute",
    )
    sqs.set_defaults(run=_run_sqs)

    ddb = services.add_parser(
        "dynamodb", help="DynamoDB stream records, as an event-source mapping delivers them"
    )
    ddb.add_argument("kind", choices=("update",), help="update")
    ddb.add_argument("--table", default="my-table", help="table name (default my-table)")
    ddb.add_argument("--keys", type=_image, help='the item key, e.g. {"Id": {"N": "101"}}')
    ddb.add_argument("--new-image", type=_image, help="the item after the write (INSERT, MODIFY)")
    ddb.add_argument("--old-image", type=_image, help="the item before the write (MODIFY, REMOVE)")
    ddb.add_argument(
        "--event-name", action="append", choices=EVENT_NAMES, help="one record per name (default all three)"
    )
    ddb.add_argument("--view-type", choices=VIEW_TYPES, default="NEW_AND_OLD_IMAGES", help="StreamViewType")
    ddb.set_defaults(run=_run_dynamodb)

    kinesis = services.add_parser("kinesis", help="Kinesis records, as an event-source mapping delivers them")
    kinesis.add_argument("kind", choices=("get-records",), help="get-records")
    kinesis.add_argument("--data", action="append", help="a record's data as text (repeatable; sent base64)")
    kinesis.add_argument("--partition-key", default="1", help="partition key (default 1)")
    kinesis.add_argument("--stream", default="my-stream", help="stream name (default my-stream)")
    kinesis.add_argument("--shard", type=_non_negative, default=0, help="shard index (default 0)")
    kinesis.set_defaults(run=_run_kinesis)

    for parser in (sqs, ddb, kinesis):
        parser.add_argument("--region", default="us-east-1", help="awsRegion (default us-east-1)")
        parser.add_argument("--account-id", default="123456789012", help="account in the ARNs")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "generate-event",
        help="print a sample Lambda event (S3, API Gateway, SQS, DynamoDB, Kinesis, SNS, EventBridge, "
        "schedule) in AWS's exact shape",
        description="Print a Lambda event as AWS sends it; pipe it to `samlite invoke -e -`.",
    )
    services = parser.add_subparsers(dest="service", required=True, metavar="SERVICE")

    s3 = services.add_parser("s3", help="an S3 event notification")
    s3.add_argument("kind", choices=sorted(S3_EVENT_NAMES), help="put, delete, ... (ObjectCreated:Put, ...)")
    s3.add_argument("--bucket", required=True, help="bucket name")
    s3.add_argument("--key", required=True, help="object key, unencoded (it is URL-encoded as S3 does)")
    s3.add_argument("--size", type=_non_negative, help="object size in bytes (not for deletes)")
    s3.add_argument("--etag", help="object ETag (not for deletes)")
    s3.add_argument("--sequencer", help="event sequencer (default: a fresh, increasing one)")
    s3.add_argument("--version-id", help="object version id (versioned buckets)")
    s3.add_argument("--region", default="us-east-1", help="awsRegion (default us-east-1)")
    s3.set_defaults(run=_run_s3)

    api = services.add_parser("apigateway", help="an API Gateway proxy request, or an authorizer's input")
    api.add_argument(
        "kind",
        choices=(*_PROXY_KINDS, *_AUTHORIZER_KINDS),
        help="aws-proxy: REST API, payload 1.0; http-api-proxy: HTTP API, payload 2.0; authorizer: a REST "
        "TOKEN authorizer's input; request-authorizer: a REST REQUEST authorizer's; http-api-authorizer: "
        "an HTTP API Lambda authorizer's (--payload-version)",
    )
    api.add_argument("--method", default="GET", help="HTTP method (default GET)")
    api.add_argument("--path", default="/", help="request path, optionally with ?query")
    api.add_argument("--body", help="request body")
    api.add_argument(
        "--header",
        action="append",
        type=_header,
        default=[],
        metavar="NAME:VALUE",
        help="a request header (repeatable)",
    )
    api.add_argument(
        "--query",
        action="append",
        type=_query,
        default=[],
        metavar="NAME=VALUE",
        help="a query string parameter (repeatable)",
    )
    api.add_argument("--stage", help="stage name (default Prod for REST, $default for HTTP APIs)")
    api.add_argument("--resource", help="REST resource template, e.g. /items/{id} (default: the path)")
    api.add_argument("--region", default="us-east-1", help="region of the API's domain name")
    api.add_argument("--api-id", default=DEFAULT_API_ID, help="the API's id (in the methodArn / routeArn)")
    api.add_argument("--token", default="allow", help="authorizer: the token source header's value")
    api.add_argument(
        "--identity",
        action="append",
        default=[],
        metavar="VALUE",
        help="http-api-authorizer: an identity source value (repeatable; default: the Authorization header)",
    )
    api.add_argument(
        "--payload-version",
        choices=("1.0", "2.0"),
        default="2.0",
        help="http-api-authorizer's payload format",
    )
    api.set_defaults(run=_run_apigateway)
    _register_polled(services)
    register_push(services)
