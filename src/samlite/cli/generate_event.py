"""`samlite generate-event`: print a Lambda event in AWS's exact shape, like `sam local generate-event`.

    samlite generate-event s3 put|delete|... --bucket B --key K [--size N] [--etag E] [--sequencer S]
                                             [--version-id V] [--region R]
    samlite generate-event apigateway aws-proxy|http-api-proxy --method M --path P [--body B]
                                             [--header K:V ...] [--query K=V ...] [--stage S]
    samlite generate-event apigateway authorizer --token T [--method M --path P ...]
    samlite generate-event apigateway request-authorizer [--method M --path P --header K:V ...]
    samlite generate-event apigateway http-api-authorizer [--payload-version 2.0|1.0]
                                             [--identity V ...] [--method M --path P --header K:V ...]

The events come from `samlite.events`, the same builders the local cloud uses for real deliveries.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from samlite.events import S3_EVENT_NAMES, apigateway_http_event, apigateway_rest_event, s3_event
from samlite.events.apigateway import DEFAULT_API_ID
from samlite.events.apigateway_authorizer import (
    http_authorizer_event_v1,
    http_authorizer_event_v2,
    method_arn,
    request_authorizer_event,
    token_authorizer_event,
)

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


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "generate-event",
        help="print a sample Lambda event (S3, API Gateway) in AWS's exact shape",
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
