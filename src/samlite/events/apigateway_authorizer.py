"""API Gateway Lambda authorizer events: REST TOKEN and REQUEST, HTTP API payload 1.0 and 2.0.

Used by the local gateway before it calls a protected route, and by `samlite generate-event
apigateway authorizer-token|authorizer-request|http-api-authorizer`, so an authorizer can be invoked
alone with exactly what API Gateway would send it.
Shapes: API Gateway Developer Guide, "Input to an API Gateway Lambda authorizer" (TOKEN: type,
authorizationToken, methodArn; REQUEST: the proxy request's fields without its body, plus type and
methodArn) and "Working with AWS Lambda authorizers for HTTP APIs" (2.0: version, type, routeArn,
identitySource as a list, then the 2.0 request fields; 1.0: version, type, methodArn, identitySource
and authorizationToken as one comma-joined string, then the REST request fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from samlite.events.apigateway import DEFAULT_ACCOUNT_ID, DEFAULT_API_ID

# Fields of a proxy request that an authorizer does not receive.
_BODY_FIELDS = ("body", "isBase64Encoded")


def method_arn(
    method: str,
    path: str,
    *,
    stage: str,
    api_id: str = DEFAULT_API_ID,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = "us-east-1",
    partition: str = "aws",
) -> str:
    """`arn:aws:execute-api:{region}:{account}:{api}/{stage}/{VERB}/{path}`: the request's own path
    (not the resource template), without its leading slash, as the authorizer docs write it."""
    relative = path.split("?", 1)[0].lstrip("/")
    return f"arn:{partition}:execute-api:{region}:{account_id}:{api_id}/{stage}/{method.upper()}/{relative}"


def token_authorizer_event(token: str, arn: str) -> dict[str, Any]:
    """A REST TOKEN authorizer's input: the token source header's value and the method ARN."""
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}


def request_authorizer_event(proxy_event: dict[str, Any], arn: str) -> dict[str, Any]:
    """A REST REQUEST authorizer's input, from the payload 1.0 proxy event of the same request."""
    fields = {key: value for key, value in proxy_event.items() if key not in _BODY_FIELDS}
    return {"type": "REQUEST", "methodArn": arn, **fields}


def http_authorizer_event_v1(
    proxy_event: dict[str, Any], arn: str, identity_values: Sequence[str]
) -> dict[str, Any]:
    """An HTTP API Lambda authorizer's payload 1.0 input (REST-compatible, from the 1.0 proxy event)."""
    joined = ",".join(identity_values)
    fields = {key: value for key, value in proxy_event.items() if key not in (*_BODY_FIELDS, "version")}
    return {
        "version": "1.0",
        "type": "REQUEST",
        "methodArn": arn,
        "identitySource": joined,
        "authorizationToken": joined,
        **fields,
    }


def http_authorizer_event_v2(
    proxy_event: dict[str, Any], arn: str, identity_values: Sequence[str]
) -> dict[str, Any]:
    """An HTTP API Lambda authorizer's payload 2.0 input, from the 2.0 proxy event of the request."""
    fields = {key: value for key, value in proxy_event.items() if key not in (*_BODY_FIELDS, "version")}
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": arn,
        "identitySource": list(identity_values),
        **fields,
    }
