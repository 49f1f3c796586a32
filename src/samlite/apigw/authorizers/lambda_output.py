"""What a Lambda authorizer answered, read as API Gateway reads it.

REST APIs and HTTP API payload 1.0 ("Output from an API Gateway Lambda authorizer"): `principalId`,
`policyDocument` and an optional `context` whose values must be strings, numbers or booleans (no
objects or arrays). HTTP API payload 2.0 ("Working with AWS Lambda authorizers for HTTP APIs",
response format): with simple responses `isAuthorized` (a boolean) and an optional `context` of any
JSON values; otherwise an IAM policy as in 1.0. Anything else is an authorizer configuration error
(500 on AWS).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from samlite.apigw.authorizers.config import LambdaAuthorizer


class MalformedOutput(ValueError):
    """The authorizer's answer cannot be read; the message says why (logged)."""


@dataclass(frozen=True)
class AuthorizerOutput:
    """A readable answer: a simple yes/no, or a policy to evaluate per method ARN."""

    is_authorized: bool | None  # simple responses only
    policy: Mapping[str, Any] | None
    principal_id: str | None
    context: Mapping[str, Any] | None
    usage_identifier_key: str | None = None


def read_output(authorizer: LambdaAuthorizer, payload: bytes) -> AuthorizerOutput:
    try:
        output = json.loads(payload) if payload else None
    except ValueError:
        raise MalformedOutput("the authorizer's output is not JSON") from None
    if not isinstance(output, Mapping):
        raise MalformedOutput("the authorizer's output must be a JSON object")
    context = output.get("context")
    if context is not None and not isinstance(context, Mapping):
        raise MalformedOutput("context must be an object")
    if authorizer.simple_responses:
        is_authorized = output.get("isAuthorized")
        if not isinstance(is_authorized, bool):
            raise MalformedOutput("a simple response needs isAuthorized, a boolean")
        return AuthorizerOutput(is_authorized, None, None, context)
    policy = output.get("policyDocument")
    if not isinstance(policy, Mapping):
        raise MalformedOutput("the output has no policyDocument object")
    principal = output.get("principalId")
    if authorizer.api_kind == "REST" and not isinstance(principal, str | int | float):
        raise MalformedOutput("the output has no principalId")
    if context is not None and authorizer.payload_format == "1.0":
        for key, value in context.items():
            if isinstance(value, Mapping | list):
                raise MalformedOutput(f"context['{key}'] must be a string, number or boolean")
        if authorizer.api_kind == "HTTP" and "claims" in context:
            raise MalformedOutput("context must not use the reserved key 'claims'")
    usage_key = output.get("usageIdentifierKey")
    return AuthorizerOutput(
        None,
        policy,
        None if principal is None else str(principal),
        context,
        str(usage_key) if usage_key is not None else None,
    )
